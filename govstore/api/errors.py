"""The one error shape of the API, and the translation of every failure into it.

    {"error": {"code": "<stable_snake_case>", "message": "<caller's language>",
               "fields": [{"field": "answers.name", "message": "..."}]}}

Codes are stable: clients branch on them. Messages are for people and follow the
caller's language (Accept-Language, or their language cookie).
"""

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class Code:
    """Every code the API itself answers with. Service refusals add their own codes
    (wrong_status, not_verified, ended, too_low, ...), passed through as they are."""

    MALFORMED_JSON = "malformed_json"
    VALIDATION_FAILED = "validation_failed"
    UNKNOWN_FIELD = "unknown_field"
    AUTHENTICATION_REQUIRED = "authentication_required"
    TOKEN_INVALID = "token_invalid"  # noqa: S105
    TOKEN_EXPIRED = "token_expired"  # noqa: S105
    TOKEN_REVOKED = "token_revoked"  # noqa: S105
    CSRF_FAILED = "csrf_failed"
    SCOPE_MISSING = "scope_missing"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    REFUSED = "refused"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"


# Shown in docs/api.md and on the docs page: (code, HTTP status, when).
CODE_TABLE: tuple[tuple[str, int, Any], ...] = (
    (Code.MALFORMED_JSON, 400, _("The body is not valid JSON (or not UTF-8).")),
    (Code.AUTHENTICATION_REQUIRED, 401, _("No session and no token were sent.")),
    (Code.TOKEN_INVALID, 401, _("The token is not one we issued, or its account is closed.")),
    (Code.TOKEN_EXPIRED, 401, _("The token has passed its expiry date.")),
    (Code.TOKEN_REVOKED, 401, _("The token was revoked by its owner.")),
    (Code.CSRF_FAILED, 403, _("A session request that changes something lacked the CSRF token.")),
    (Code.SCOPE_MISSING, 403, _("The token lacks the scope this operation needs.")),
    (Code.FORBIDDEN, 403, _("Your kind of account cannot do this at all.")),
    (Code.NOT_FOUND, 404, _("No such object, or not one you may see.")),
    (Code.METHOD_NOT_ALLOWED, 405, _("The path exists but not with this method.")),
    (Code.REFUSED, 409, _("The service refused; the code is the service's own when it has one.")),
    (Code.PAYLOAD_TOO_LARGE, 413, _("The body is larger than this operation accepts.")),
    (Code.VALIDATION_FAILED, 422, _("A value has the wrong type, length or range.")),
    (Code.UNKNOWN_FIELD, 422, _("The body names a field the operation does not know.")),
    (Code.RATE_LIMITED, 429, _("Too many requests; wait and try again.")),
    (Code.SERVER_ERROR, 500, _("Our fault; nothing was changed if the operation writes.")),
)

DEFAULT_MESSAGES: dict[str, Any] = {
    Code.MALFORMED_JSON: _("The request body is not valid JSON."),
    Code.VALIDATION_FAILED: _("Some values are not valid. See fields."),
    Code.UNKNOWN_FIELD: _("The request names fields this operation does not accept."),
    Code.AUTHENTICATION_REQUIRED: _(
        "Sign in, or send a personal access token as “Authorization: Bearer <token>”."
    ),
    Code.TOKEN_INVALID: _("This access token is not valid."),
    Code.TOKEN_EXPIRED: _("This access token has expired. Make a new one under My account."),
    Code.TOKEN_REVOKED: _("This access token was revoked."),
    Code.CSRF_FAILED: _(
        "The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."
    ),
    Code.SCOPE_MISSING: _("This access token may not do this: it lacks the “%(scope)s” scope."),
    Code.FORBIDDEN: _("Your account cannot do this."),
    Code.NOT_FOUND: _("Nothing here is open to you."),
    Code.METHOD_NOT_ALLOWED: _("This address does not accept this method."),
    Code.REFUSED: _("This cannot be done now."),
    Code.PAYLOAD_TOO_LARGE: _("The request is too large."),
    Code.RATE_LIMITED: _("Too many requests. Wait a minute and try again."),
    Code.SERVER_ERROR: _("Something went wrong on our side. Nothing was changed."),
}


class ApiError(Exception):
    """Raised anywhere in an operation (or its auth) to answer with the error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Any = None,
        fields: Iterable[tuple[str, Any]] = (),
    ) -> None:
        self.status = status
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, "")
        self.fields = list(fields)
        super().__init__(code)

    @classmethod
    def validation(cls, fields: Iterable[tuple[str, Any]]) -> "ApiError":
        return cls(422, Code.VALIDATION_FAILED, fields=fields)

    @classmethod
    def not_found(cls, message: Any = None) -> "ApiError":
        return cls(404, Code.NOT_FOUND, message)


def error_response(
    status: int, code: str, message: Any = None, fields: Iterable[tuple[str, Any]] = ()
) -> HttpResponse:
    text = message if message is not None else DEFAULT_MESSAGES.get(code, "")
    body = {
        "error": {
            "code": code,
            "message": str(text),
            "fields": [{"field": field, "message": str(msg)} for field, msg in fields],
        }
    }
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


# --- Pydantic's complaints, in the caller's language ----------------------------------------


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return gettext("This field is required.")
    if kind == "extra_forbidden":
        return gettext("This field is not accepted here. Check its spelling.")
    if kind in ("string_too_long", "too_long"):
        if kind == "too_long":
            return gettext("Give at most %(max)s items.") % {"max": ctx.get("max_length", "")}
        return gettext("Keep this under %(max)s characters.") % {"max": ctx.get("max_length", "")}
    if kind in ("string_too_short", "too_short"):
        return gettext("This cannot be empty.")
    if kind == "int_from_float":
        return gettext("Give a whole number: amounts are in fen, without fractions.")
    if kind in ("int_type", "int_parsing"):
        return gettext("Give a whole number.")
    if kind == "greater_than_equal":
        return gettext("Give a number of at least %(ge)s.") % {"ge": ctx.get("ge", "")}
    if kind == "less_than_equal":
        return gettext("Give a number of at most %(le)s.") % {"le": ctx.get("le", "")}
    if kind in ("string_type", "string_unicode"):
        return gettext("Give text (a JSON string).")
    if kind in ("bool_type", "bool_parsing"):
        return gettext("Give true or false.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return gettext("Give an object.")
    if kind == "list_type":
        return gettext("Give a list.")
    if kind in ("enum", "literal_error"):
        return gettext("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return gettext("Give a date and time, such as 2026-05-01T09:00:00+08:00.")
    if kind == "value_error":
        return gettext("This value is not valid.")
    return gettext("This value is not valid.")


# Where a value came from; the body's parameter name is not part of the client's path.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_path(loc: Iterable[Any], body_params: set[str]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source in ("body", "form") and parts and parts[0] in body_params:
            parts.pop(0)
    return ".".join(parts) or "body"


def _validation_response(exc: NinjaValidationError) -> HttpResponse:
    body_params = {"payload"}
    fields = []
    unknown = False
    for error in exc.errors:
        unknown = unknown or error.get("type") == "extra_forbidden"
        fields.append((_field_path(error.get("loc", ()), body_params), _pydantic_message(error)))
    if any(error.get("type") == "json_invalid" for error in exc.errors):
        return error_response(400, Code.MALFORMED_JSON)
    only_unknown = unknown and all(e.get("type") == "extra_forbidden" for e in exc.errors)
    code = Code.UNKNOWN_FIELD if only_unknown else Code.VALIDATION_FAILED
    return error_response(422, code, fields=fields)


# --- A service's refusal ---------------------------------------------------------------------


def service_refusal(
    error: DjangoValidationError, *, field_prefix: Callable[[str], str] | None = None
) -> ApiError:
    """A service's ValidationError as the API's error: its own code passed through (the
    code of its one error, or shared by all its errors), else "refused"; fields named
    when it names them (422), a refusal of the action itself otherwise (409)."""
    rename = field_prefix or (lambda key: key)
    fields: list[tuple[str, Any]] = []
    codes: set[str] = set()
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            for each in errors:
                codes.add(each.code or "")
                for message in each.messages:
                    fields.append((rename(key) if key != "__all__" else "", message))
        top_messages: list[str] = []
    else:
        for each in error.error_list:
            codes.add(each.code or "")
        top_messages = [str(message) for message in error.messages]
    codes.discard("")
    if getattr(error, "code", None):
        code = str(error.code)
    elif len(codes) == 1:
        code = codes.pop()
    else:
        code = Code.REFUSED if not fields else Code.VALIDATION_FAILED
    if fields:
        message = gettext("Some values were refused. See fields.")
        named = [(name, msg) for name, msg in fields if name]
        general = [msg for name, msg in fields if not name]
        if general:
            message = " ".join(str(msg) for msg in general)
        return ApiError(422, code, message, named)
    return ApiError(409, code, " ".join(top_messages) or DEFAULT_MESSAGES[Code.REFUSED])


# --- Handlers installed on the NinjaAPI -----------------------------------------------------


def _json_cause(exc: BaseException) -> bool:
    cause = exc.__cause__
    return isinstance(cause, ValueError | UnicodeError)


def install_handlers(api: Any) -> None:
    def on_api_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    def on_validation(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        return _validation_response(exc)

    def on_http_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc, Throttled):
            return error_response(429, Code.RATE_LIMITED)
        if isinstance(exc, AuthenticationError):
            return error_response(401, Code.AUTHENTICATION_REQUIRED)
        if exc.status_code == 400 and _json_cause(exc):
            return error_response(400, Code.MALFORMED_JSON)
        if exc.status_code == 404:
            return error_response(404, Code.NOT_FOUND)
        code = {
            400: Code.VALIDATION_FAILED,
            403: Code.FORBIDDEN,
            413: Code.PAYLOAD_TOO_LARGE,
        }.get(exc.status_code, Code.REFUSED)
        return error_response(exc.status_code, code)

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The selectors' own messages ("No application with this number is open to
        # you.") are already in the caller's language.
        message = str(exc) if exc.args and isinstance(exc.args[0], str) else None
        return error_response(404, Code.NOT_FOUND, message or None)

    def on_service_refusal(request: HttpRequest, exc: Exception) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        refusal = service_refusal(exc)
        return error_response(refusal.status, refusal.code, refusal.message, refusal.fields)

    def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = str(exc) if exc.args else None
        return error_response(403, Code.FORBIDDEN, message or None)

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(413, Code.PAYLOAD_TOO_LARGE)

    def on_anything(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API operation %s %s failed", request.method, request.path)
        return error_response(500, Code.SERVER_ERROR)

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(DjangoValidationError, on_service_refusal)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(Exception, on_anything)


def json_body_error(body: bytes) -> bool:
    """Whether a JSON body fails to parse (used before ninja reads it)."""
    try:
        json.loads(body)
    except (ValueError, UnicodeError):
        return True
    return False
