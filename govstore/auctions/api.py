"""The auctions operations of the JSON API (docs/api.md)."""

from ninja import Router

router = Router(tags=["Judicial auctions"])
