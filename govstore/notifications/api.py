"""The notifications operations of the JSON API (docs/api.md)."""

from ninja import Router

router = Router(tags=["Notifications"])
