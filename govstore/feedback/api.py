"""The feedback operations of the JSON API (docs/api.md)."""

from ninja import Router

router = Router(tags=["Ratings and complaints"])
