"""The sale confirmation names the winner as verified, with the price, the balance and
the bid log's final hash."""

import re

import pytest

from govstore.auctions import services
from govstore.auctions.confirmation import confirmation_pdf
from govstore.auctions.models import Registration
from govstore.auctions.tests.factories import END, INCREMENT, START, STARTING

pytestmark = pytest.mark.django_db


def _texts(pdf: bytes) -> str:
    """The text drawn on an uncompressed page: PDF string literals in UTF-16 (the CJK
    font's encoding), their escapes undone."""
    shown = []
    for literal in re.findall(rb"\((.*?)(?<!\\)\) Tj", pdf, flags=re.S):
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: (
                bytes([int(m.group(1), 8)])
                if m.group(1)[:1].isdigit()
                else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1))
            ),
            literal,
        )
        shown.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(shown)


def test_the_confirmation_is_in_the_winners_real_name(auction, django_capture_on_commit_callbacks):
    auction.bidder("a")
    auction.bidder("b")
    auction.bid("a", STARTING, at=START)
    auction.bid("b", STARTING + INCREMENT, at=START)
    with django_capture_on_commit_callbacks(execute=True):
        services.lot_close(lot=auction.lot, now=END)
    lot = auction.refresh()
    winner = Registration.objects.select_related("bidder").get(pk=lot.winner_id)
    winner.bidder.real_name = "王买受"
    winner.bidder.save(update_fields=["real_name"])

    text = _texts(
        confirmation_pdf(
            lot=lot, winner=winner, balance_fen=services.balance_due_fen(lot), compress=False
        )
    )
    assert "王买受" in text
    assert winner.bidder.id_number is not None and winner.bidder.id_number in text
    assert winner.code in text
    assert "¥81,000.00" in text and "¥71,000.00" in text
    assert lot.log_head in text
