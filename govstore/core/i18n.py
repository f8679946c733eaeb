"""Content that agencies write (store names, service texts) is kept in both languages as
paired fields, `name_zh` and `name_en`; this picks the one for the active language."""

from typing import Any

from django.utils import translation


def localized(obj: Any, field: str) -> str:
    language = (translation.get_language() or "zh-hans").lower()
    preferred = "en" if language.startswith("en") else "zh"
    fallback = "zh" if preferred == "en" else "en"
    value = getattr(obj, f"{field}_{preferred}", "") or getattr(obj, f"{field}_{fallback}", "")
    return str(value or "")
