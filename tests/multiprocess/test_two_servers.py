"""Two application processes, A and B, on one PostgreSQL, one Redis and one S3 bucket:
whatever a person does through one is true on the other. A session made on A is a
session on B; a chat message sent through A appears live in a page open on B; bids
through both make one valid, verifiable sequence; a photo uploaded through A is stored
encrypted in the bucket and shown through B."""

import io
import itertools
import re
import threading
import uuid

import pytest
import requests
from PIL import Image

from tests.multiprocess.conftest import csrf_token, sign_in
from tests.stack import Stack


def test_a_session_made_on_one_server_is_valid_on_the_other(servers, world):
    a, b = servers
    citizen = sign_in(a, world["citizen"]["mobile"], world["password"])

    mine = citizen.get(f"{b}/accounts/me/", allow_redirects=False, timeout=30)
    assert mine.status_code == 200, mine.headers.get("Location")
    assert "Sign out" in mine.text
    stranger = requests.get(f"{b}/accounts/me/", allow_redirects=False, timeout=30)
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]

    # Signing out on B ends the session on A too.
    signed_out = citizen.post(
        f"{b}/accounts/logout/",
        data={"csrfmiddlewaretoken": csrf_token(mine.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_out.status_code == 302
    again = citizen.get(f"{a}/accounts/me/", allow_redirects=False, timeout=30)
    assert again.status_code == 302 and "/accounts/login/" in again.headers["Location"]


@pytest.mark.browser
def test_a_message_sent_through_one_server_appears_live_in_a_page_on_the_other(
    servers, world, browser
):
    from playwright.sync_api import expect

    a, b = servers
    reference = world["in_review"]["reference"]
    citizen = sign_in(a, world["citizen"]["mobile"], world["password"])
    # The citizen's first message, through A, opens the conversation.
    chat = citizen.get(f"{a}/messages/application/{reference}/", timeout=30)
    sent = citizen.post(
        chat.url,
        data={"csrfmiddlewaretoken": csrf_token(chat.text), "body": "Is my photo clear enough?"},
        timeout=30,
    )
    assert sent.status_code == 200 and "Is my photo clear enough?" in sent.text

    # The citizen's phone has the conversation open on B.
    context = browser.new_context(locale="en-GB")
    context.add_cookies(
        [
            {"name": name, "value": value, "url": b}
            for name, value in citizen.cookies.items()
            if name in ("sessionid", "django_language")
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{b}/messages/application/{reference}/")
    expect(page.locator("[data-chat-list]")).to_contain_text("Is my photo clear enough?")
    expect(page.locator("[data-chat-status]")).to_contain_text("Live")
    page.evaluate("window.sameDocument = true")

    # The reviewer answers through A.
    reviewer = sign_in(a, world["reviewer"]["mobile"], world["password"])
    desk = reviewer.get(f"{a}/messages/application/{reference}/", timeout=30)
    assert re.search(r"/messages/staff/\d+/$", desk.url), desk.url
    answered = reviewer.post(
        desk.url,
        data={"csrfmiddlewaretoken": csrf_token(desk.text), "body": "Yes, it is clear. Thank you."},
        timeout=30,
    )
    assert answered.status_code == 200, answered.text[:2000]

    expect(page.locator("[data-chat-list]")).to_contain_text("Yes, it is clear. Thank you.")
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded"
    context.close()


BIDS_WANTED = 24
ATTEMPTS_EACH = 30


def test_bids_through_both_servers_form_one_valid_sequence(stack: Stack, servers, world):
    reference = world["lot"]["reference"]
    starting, increment = world["lot"]["starting_fen"], world["lot"]["increment_fen"]
    accepted: list[tuple[int, int, str]] = []
    problems: list[str] = []
    tally = threading.Lock()
    barrier = threading.Barrier(len(world["bidders"]))

    def bid(number: int, token: str) -> None:
        client = requests.Session()
        client.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        for attempt in range(ATTEMPTS_EACH):
            with tally:
                if len(accepted) >= BIDS_WANTED:
                    return
            server = servers[(number + attempt) % 2]
            lot = client.get(f"{server}/api/v1/auctions/lots/{reference}", timeout=30).json()
            current = lot["current_price_fen"]
            amount = starting if current is None else current + increment
            placed = client.post(
                f"{server}/api/v1/auctions/lots/{reference}/bids",
                json={"amount_fen": amount},
                timeout=30,
            )
            with tally:
                if placed.status_code == 201:
                    accepted.append((placed.json()["bid"]["seq"], amount, server))
                elif placed.status_code != 409 or placed.json()["error"]["code"] not in (
                    "too_low",
                    "leading",
                ):
                    problems.append(f"{placed.status_code} {placed.text[:300]}")

    threads = [
        threading.Thread(target=bid, args=(number, token))
        for number, token in enumerate(world["bidders"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not problems, problems
    assert len(accepted) >= len(world["bidders"]), accepted
    assert {server for _seq, _amount, server in accepted} == set(servers)

    rows = stack.sql(
        "SELECT b.seq, b.amount_fen FROM auctions_bid b JOIN auctions_lot l ON l.id = b.lot_id "
        "WHERE l.reference = %s ORDER BY b.seq",
        (reference,),
    )
    assert [seq for seq, _amount in rows] == list(range(1, len(rows) + 1))
    assert sorted(seq for seq, _amount, _server in accepted) == [seq for seq, _ in rows]
    assert rows[0][1] >= starting
    for (_seq, before), (seq, amount) in itertools.pairwise(rows):
        assert amount >= before + increment, f"bid {seq}: {amount} after {before}"
    assert dict(rows) == {seq: amount for seq, amount, _server in accepted}

    verified = stack.manage("verify_bid_log", reference)
    assert "chain and rules hold" in verified.stdout
    lot = requests.get(f"{servers[1]}/api/v1/auctions/lots/{reference}", timeout=30).json()
    assert lot["bid_count"] == len(rows)


def _photo() -> bytes:
    image = Image.effect_mandelbrot((1200, 900), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=88)
    return output.getvalue()


def test_a_photo_uploaded_through_one_server_is_kept_encrypted_in_s3_and_shown_by_the_other(
    stack: Stack, servers, world
):
    a, b = servers
    reference = world["draft"]["reference"]
    key = world["draft"]["document_keys"][0]
    before = set(stack.s3_keys())

    uploaded = requests.post(
        f"{a}/api/v1/applications/{reference}/documents/{key}",
        headers={"Authorization": f"Bearer {world['citizen']['token']}"},
        files={"upload": ("id-card.jpg", _photo(), "image/jpeg")},
        timeout=60,
    )
    assert uploaded.status_code == 200, uploaded.text[:2000]
    assert uploaded.json()["state"] == "added"

    [(document_id, storage_key)] = stack.sql(
        "SELECT d.id, d.storage_key FROM documents_document d "
        "JOIN applications_applicationdocument x ON x.document_id = d.id "
        "JOIN applications_application a ON a.id = x.application_id "
        "WHERE a.reference = %s AND x.key = %s",
        (reference, key),
    )
    assert storage_key in set(stack.s3_keys()) - before
    stored = stack.s3_get(storage_key)
    # Ciphertext only: no JPEG markers, no picture a reader of the bucket could open.
    assert not stored.startswith(b"\xff\xd8")
    assert b"JFIF" not in stored and b"Exif" not in stored
    with pytest.raises(OSError):
        Image.open(io.BytesIO(stored))

    citizen = sign_in(b, world["citizen"]["mobile"], world["password"])
    url = f"{b}/documents/{uuid.UUID(str(document_id))}/"
    shown = citizen.get(url, timeout=30)
    assert shown.status_code == 200, shown.text[:500]
    assert shown.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(shown.content)).size == (1200, 900)
    refused = requests.get(url, allow_redirects=False, timeout=30)
    assert refused.status_code in (302, 403, 404)
    assert refused.content[:2] != b"\xff\xd8"
