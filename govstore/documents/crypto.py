"""Envelope encryption of documents: each file gets a fresh AES-256 data key, the file is
sealed with AES-256-GCM under it, and only the data key wrapped (RFC 3394 key wrap) by the
master key is kept beside the document row. Without the master key the stored bytes and
the row together reveal nothing; deleting the wrapped key alone makes a file unreadable.

Keys are never logged or put into exception messages.
"""

import base64
import binascii
import functools
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
# Bound into every ciphertext with the document id, so sealed bytes cannot be moved to
# another document row (or a future format) without failing the tag check.
_AAD_PREFIX = b"govstore-document-v1:"

logger = logging.getLogger(__name__)


class DocumentIntegrityError(Exception):
    """The stored bytes, nonce or wrapped key fail authentication: tampered, swapped, or
    sealed under another master key."""


@dataclass(frozen=True)
class SealedDocument:
    ciphertext: bytes
    wrapped_key: bytes
    nonce: bytes


def _decode_master_key(text: str, *, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{source} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{source} must decode to {KEY_BYTES} bytes.")
    return key


def _key_from_file(path: Path) -> bytes:
    """Read the embedded default key, creating it once with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        # O_EXCL: of two processes starting at once, exactly one writes the key.
        with os.fdopen(fd, "w", encoding="ascii") as key_file:
            key_file.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii"))
    if path.stat().st_mode & 0o077:
        logger.warning("The master key file %s can be read by others than its owner.", path)
    text = ""
    for _attempt in range(50):
        text = path.read_text(encoding="ascii")
        if text.strip():
            break
        # The other process created the file but has not written it yet.
        time.sleep(0.01)
    return _decode_master_key(text, source=f"The master key file {path}")


@functools.lru_cache(maxsize=8)
def _master_key_for(env_value: str, key_file: str) -> bytes:
    if env_value:
        return _decode_master_key(env_value, source="DOCUMENTS_MASTER_KEY")
    if not key_file:
        raise ImproperlyConfigured("Set DOCUMENTS_MASTER_KEY or DOCUMENTS_MASTER_KEY_FILE.")
    return _key_from_file(Path(key_file))


def master_key() -> bytes:
    """The key new documents are sealed under: DOCUMENTS_MASTER_KEY, or the key file."""
    return _master_key_for(
        settings.DOCUMENTS_MASTER_KEY or "", str(settings.DOCUMENTS_MASTER_KEY_FILE or "")
    )


def master_key_setting_name() -> str:
    """The setting an operator must look at when the key is wrong, as they know it."""
    if settings.DOCUMENTS_MASTER_KEY:
        return "DOCUMENTS_MASTER_KEY"
    return f"DOCUMENTS_MASTER_KEY_FILE ({settings.DOCUMENTS_MASTER_KEY_FILE})"


def previous_master_keys() -> list[bytes]:
    """Keys kept only to open data keys not yet re-wrapped onto the current one, during
    a rotation: DOCUMENTS_MASTER_KEY_PREVIOUS, base64, several separated by commas."""
    text = getattr(settings, "DOCUMENTS_MASTER_KEY_PREVIOUS", "") or ""
    return [
        _decode_master_key(part, source="DOCUMENTS_MASTER_KEY_PREVIOUS")
        for part in text.split(",")
        if part.strip()
    ]


def read_key_file(path: Path) -> bytes:
    """A key handed to a management command in a file (never created here)."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise ImproperlyConfigured(f"The key file {path} cannot be read.") from None
    return _decode_master_key(text, source=f"The key file {path}")


def decode_key(text: str, *, source: str) -> bytes:
    return _decode_master_key(text, source=source)


def wrap_data_key(data_key: bytes, *, key: bytes) -> bytes:
    return aes_key_wrap(key, data_key)


def unwrap_data_key(wrapped_key: bytes, *, key: bytes) -> bytes:
    """The data key, or DocumentIntegrityError when `key` did not wrap it (RFC 3394
    unwrapping checks its integrity value, so a wrong key never yields a wrong key)."""
    try:
        return aes_key_unwrap(key, wrapped_key)
    except (InvalidUnwrap, ValueError):
        raise DocumentIntegrityError("The data key failed its integrity check.") from None


def rewrap(wrapped_key: bytes, *, old_key: bytes, new_key: bytes) -> bytes:
    """The same data key wrapped by `new_key`; the sealed file is untouched."""
    return wrap_data_key(unwrap_data_key(wrapped_key, key=old_key), key=new_key)


def _aad(document_id: bytes) -> bytes:
    return _AAD_PREFIX + document_id


def seal(plaintext: bytes, *, document_id: bytes, key: bytes) -> SealedDocument:
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _aad(document_id))
    return SealedDocument(
        ciphertext=ciphertext, wrapped_key=wrap_data_key(data_key, key=key), nonce=nonce
    )


def unseal(sealed: SealedDocument, *, document_id: bytes, key: bytes) -> bytes:
    try:
        data_key = aes_key_unwrap(key, sealed.wrapped_key)
        return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, _aad(document_id))
    except (InvalidUnwrap, InvalidTag, ValueError):
        raise DocumentIntegrityError("The document failed its integrity check.") from None
