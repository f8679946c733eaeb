"""Content that agencies write (store names, service texts) is kept in both languages as
paired fields, `name_zh` and `name_en`; this picks the one for the active language."""

from collections.abc import Mapping
from typing import Any

from django.utils import translation


def localized(obj: Any, field: str) -> str:
    """Works on model instances and on stored records (dicts, e.g. snapshots); a record
    kept in one language only, under the bare `field`, is shown as it is."""
    language = (translation.get_language() or "zh-hans").lower()
    preferred = "en" if language.startswith("en") else "zh"
    fallback = "zh" if preferred == "en" else "en"

    def read(name: str) -> Any:
        return obj.get(name, "") if isinstance(obj, Mapping) else getattr(obj, name, "")

    value = read(f"{field}_{preferred}") or read(f"{field}_{fallback}") or read(field)
    return str(value or "")
