"""Cursor pagination for every API list.

The cursor is opaque to clients: base64 of the last item's ordering values and pk. The
next page is whatever comes after that key in the same order (keyset pagination), so a
row inserted while a client pages is never shown twice or makes another row skipped.
"""

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from govstore.api.constants import LIST_MAX_LIMIT
from govstore.api.errors import ApiError

M = TypeVar("M", bound=Model)

BAD_CURSOR = _("This cursor is not one this list gave. Start again from the first page.")


@dataclass(frozen=True)
class CursorPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _value_of(item: Any, path: str) -> Any:
    value = item
    for part in path.split("__"):
        value = getattr(value, part)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != width
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values)
    ):
        raise ApiError.validation([("cursor", BAD_CURSOR)])
    return values


def _after(ordering: Sequence[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) or ..."""
    condition = Q()
    for index, term in enumerate(ordering):
        field = term.lstrip("-")
        lookup = "lt" if term.startswith("-") else "gt"
        step = Q(**{f"{field}__{lookup}": values[index]})
        for earlier in range(index):
            step &= Q(**{ordering[earlier].lstrip("-"): values[earlier]})
        condition |= step
    return condition


def cursor_paginate(
    queryset: QuerySet[M], *, ordering: Sequence[str], cursor: str | None, limit: int
) -> CursorPage[M]:
    """One page of `queryset` in `ordering`, which must end with "pk" or "-pk" and name
    only fields that are never null, so each row has one place in the order."""
    if not ordering or ordering[-1].lstrip("-") != "pk":
        raise ValueError("a cursor ordering must end with pk")
    limit = max(1, min(int(limit), LIST_MAX_LIMIT))
    rows = queryset.order_by(*ordering)
    if cursor:
        rows = rows.filter(_after(ordering, _decode(cursor, len(ordering))))
    items = list(rows[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = _encode([_value_of(last, term.lstrip("-")) for term in ordering])
    return CursorPage(items=items, next_cursor=next_cursor)
