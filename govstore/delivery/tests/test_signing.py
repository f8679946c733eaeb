"""The courier protocol's HMAC-SHA256 signature against fixed vectors (worked out with
`openssl dgst -sha256 -hmac`), and what makes a signature fail."""

import pytest

from govstore.delivery import signing
from govstore.delivery.signing import SignatureInvalid

SECRET = b"test-courier-secret-0123456789abcdef"
TIMESTAMP = 1764000000
BODY = b'{"event_id":"e1","status":"delivered","tracking_number":"SC0000000001"}'
EXPECTED = "t=1764000000,v1=4e7d17ad04a7847d94148c00b6ebf007a12c03b3c370bed137ab86ab58382c08"
EMPTY_BODY_EXPECTED = (
    "t=1764000000,v1=ada666beab9c0c5e53b929ce98b5f39aae8b070f039b1b2c72e0cd2daa0077d6"
)


def test_signature_matches_the_fixed_vectors():
    assert signing.signature(body=BODY, secret=SECRET, timestamp=TIMESTAMP) == EXPECTED
    assert signing.signature(body=b"", secret=SECRET, timestamp=TIMESTAMP) == EMPTY_BODY_EXPECTED


def test_verify_accepts_the_vector_within_five_minutes():
    for now in (TIMESTAMP, TIMESTAMP + 300, TIMESTAMP - 300):
        assert signing.verify(header=EXPECTED, body=BODY, secret=SECRET, now=now) == TIMESTAMP


@pytest.mark.parametrize(
    ("header", "body", "now", "reason"),
    [
        (EXPECTED, BODY.replace(b"delivered", b"failed"), TIMESTAMP, "signature"),
        (EXPECTED.replace("v1=4e", "v1=5e"), BODY, TIMESTAMP, "signature"),
        (EXPECTED.replace("t=1764000000", "t=1764000001"), BODY, TIMESTAMP, "signature"),
        (EXPECTED, BODY, TIMESTAMP + 301, "stale"),
        (EXPECTED, BODY, TIMESTAMP - 301, "stale"),
        ("", BODY, TIMESTAMP, "malformed"),
        ("t=abc,v1=00", BODY, TIMESTAMP, "malformed"),
        ("t=1764000000", BODY, TIMESTAMP, "malformed"),
    ],
)
def test_verify_refuses(header, body, now, reason):
    with pytest.raises(SignatureInvalid) as refused:
        signing.verify(header=header, body=body, secret=SECRET, now=now)
    assert refused.value.reason == reason


def test_another_secret_does_not_verify():
    with pytest.raises(SignatureInvalid):
        signing.verify(header=EXPECTED, body=BODY, secret=b"another-secret", now=TIMESTAMP)


def test_a_second_signature_may_match_during_secret_rotation():
    header = "t=1764000000,v1=" + "0" * 64 + "," + EXPECTED.split(",")[1]
    assert signing.verify(header=header, body=BODY, secret=SECRET, now=TIMESTAMP) == TIMESTAMP


def test_shared_secret_is_made_once_readable_by_the_owner_only(settings, tmp_path):
    settings.DELIVERY_KEYS_DIR = tmp_path / "keys"
    first = signing.shared_secret()
    assert len(first) == 64
    assert signing.shared_secret() == first
    path = tmp_path / "keys" / "courier-webhook.key"
    assert path.stat().st_mode & 0o077 == 0


def test_header_lookup_ignores_case():
    assert signing.header_value({"x-courier-signature": "t=1,v1=2"}) == "t=1,v1=2"
    assert signing.header_value({"X-Other": "x"}) == ""
