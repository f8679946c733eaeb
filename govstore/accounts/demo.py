"""Authenticator apps for the demo's staff, supervisor, court clerk and operator.

Each demo account that must sign in with a code gets a confirmed TOTP device whose key
is fixed and published here, like the demo password, so anyone trying the demo (and
the browser tests) can make the codes: add the key to an authenticator app, or compute
it with `demo_totp_code(mobile)`. For local use only.
"""

import base64
import binascii
import time

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from govstore.accounts.models import User
from govstore.accounts.services import TWO_FACTOR_DEVICE_NAME

# Base32, as an authenticator app takes it; one per demo account that needs a code.
DEMO_TOTP_SECRETS: dict[str, str] = {
    "13900000001": "GOVSTOREDEMOQDSTOREADMINAAAAAAAA",
    "13900000002": "GOVSTOREDEMOQDREVIEWERAAAAAAAAAA",
    "13900000003": "GOVSTOREDEMOQDPRODUCERAAAAAAAAAA",
    "13900000004": "GOVSTOREDEMOQDDISPATCHERAAAAAAAA",
    "13900000005": "GOVSTOREDEMOQDSERVICEAAAAAAAAAAA",
    "13900000011": "GOVSTOREDEMOHZCOURTCLERKAAAAAAAA",
    "13900000021": "GOVSTOREDEMOSUPERVISORAAAAAAAAAA",
    "13900000099": "GOVSTOREDEMOPLATFORMOPERATORAAAA",
}


def _hex_key(secret: str) -> str:
    return binascii.hexlify(base64.b32decode(secret)).decode("ascii")


def demo_totp_devices_ensure(mobiles: list[str] | None = None) -> dict[str, str]:
    """Give each demo account that exists a confirmed authenticator with its published
    key; running it again changes nothing (a device whose key differs is set back).
    Returns {mobile: base32 key} for the accounts it covered, for the demo's table."""
    wanted = {
        mobile: secret
        for mobile, secret in DEMO_TOTP_SECRETS.items()
        if mobiles is None or mobile in mobiles
    }
    covered: dict[str, str] = {}
    with transaction.atomic():
        for user in User.objects.filter(mobile__in=wanted).order_by("pk"):
            key = _hex_key(wanted[user.mobile])
            devices = TOTPDevice.objects.filter(user=user)
            if not devices.filter(key=key, confirmed=True).exists():
                devices.delete()
                TOTPDevice.objects.create(
                    user=user, name=TWO_FACTOR_DEVICE_NAME, key=key, confirmed=True
                )
            covered[user.mobile] = wanted[user.mobile]
    return covered


def demo_totp_code(mobile: str, *, at: float | None = None) -> str:
    """The code a demo account's authenticator shows now (or at the given Unix time)."""
    clock = TOTP(base64.b32decode(DEMO_TOTP_SECRETS[mobile]), step=30, t0=0, digits=6)
    clock.time = time.time() if at is None else at
    return f"{clock.token():06d}"
