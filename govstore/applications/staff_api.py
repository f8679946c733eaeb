"""The staff queue and decisions in the JSON API (docs/api.md)."""

from ninja import Router

router = Router(tags=["Staff queue"])
