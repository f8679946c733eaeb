"""Tokens and clients for API tests."""

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from govstore.accounts.models import User
from govstore.api.services import access_token_create


def make_token(user: User, *scopes: str, days: int = 30) -> str:
    created = access_token_create(
        actor=user,
        name="test app",
        scopes=scopes or ("read",),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return created.secret


class TokenClient:
    """A client that sends `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token: str | None = None, language: str = "en") -> None:
        self.client = Client()
        self.headers: dict[str, str] = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None) -> Any:
        data = raw if raw is not None else ({} if body is None else body)
        return self.client.post(
            path, data=data, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: Any = None, *, raw: bytes | str | None = None) -> Any:
        data = raw if raw is not None else ({} if body is None else body)
        return self.client.patch(
            path, data=data, content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, files: dict[str, Any]) -> Any:
        return self.client.post(path, data=files, headers=self.headers)


def error_of(response: Any) -> dict[str, Any]:
    """The error body, after checking it has the one documented shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    for field in error["fields"]:
        assert set(field) == {"field", "message"}
    return error
