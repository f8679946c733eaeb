from typing import Any

from django import template
from django.utils.http import urlencode

from govstore.core.i18n import localized
from govstore.core.masking import mask_id_number, mask_mobile, mask_name
from govstore.core.money import format_fen

register = template.Library()


@register.filter
def tr(obj: Any, field: str) -> str:
    """{{ store|tr:"name" }} -> store.name_zh or store.name_en for the active language."""
    return localized(obj, field)


@register.filter
def fen(amount: int | None) -> str:
    return format_fen(amount or 0)


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def masked_mobile(value: str) -> str:
    return mask_mobile(value)


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value)


@register.simple_tag(takes_context=True)
def page_url(context: dict, page_number: int) -> str:
    """The current URL with only the page number changed, so filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = page_number
    return "?" + urlencode(sorted(query.lists()), doseq=True)
