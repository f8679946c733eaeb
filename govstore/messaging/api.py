"""The messaging operations of the JSON API (docs/api.md)."""

from ninja import Router

router = Router(tags=["Messages"])
