"""Schemas every app's API shares: the error shape, money, strict input, list pages."""

from typing import Annotated, Any, cast

from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from govstore.api.constants import CURSOR_MAX_LENGTH, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT

# Money is integer fen, never negative; a fraction ("12.5") or a number in a string is
# refused rather than rounded or parsed.
Fen = Annotated[int, Field(ge=0, le=2_000_000_000, strict=True, description="Amount in fen.")]


class InputSchema(Schema):
    """Base of every request body: a field the schema does not name is refused
    (unknown_field), never ignored, so a client's typo is caught."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class FieldError(Schema):
    field: str = Field(description="Where the problem is, as a dotted path: answers.name")
    message: str


class ErrorBody(Schema):
    code: str = Field(description="Stable, snake_case; clients branch on this.")
    message: str = Field(description="For people, in the caller's language.")
    fields: list[FieldError] = Field(default_factory=list)


class Error(Schema):
    """Every error of every operation has this shape."""

    error: ErrorBody


class ListParams(Schema):
    """Query parameters of every list. Subclass it to add a list's own filters."""

    cursor: str | None = Field(
        None,
        max_length=CURSOR_MAX_LENGTH,
        description="next_cursor from the previous page; omit for the first page.",
    )
    limit: int = Field(LIST_DEFAULT_LIMIT, ge=1, le=LIST_MAX_LIMIT)


def page_of(item: type[Schema], name: str | None = None) -> type[Schema]:
    """The response of a list: {"items": [...], "next_cursor": "..." | null}."""
    model: Any = create_model(
        name or f"{item.__name__}Page",
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        next_cursor=(
            str | None,
            Field(..., description="Pass as cursor for the next page; null on the last."),
        ),
    )
    return cast(type[Schema], model)


class Deleted(Schema):
    ok: bool = True


def doc(text: Any) -> str:
    """An operation's summary, translated lazily: ninja's types say str, and the text
    is rendered in the reader's language when the document is built."""
    return cast(str, text)
