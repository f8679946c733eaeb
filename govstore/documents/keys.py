"""Which master key opens which documents, and proof at start that the configured key is
the right one.

Every master key that ever wrapped a data key is registered as a `MasterKey` row holding
only its key check value (HMAC-SHA256 of a fixed text under the key). A process that
starts with a lost or wrong key finds that its key matches no registered check value and
refuses to start (a system check for manage.py, `master_key_check_at_startup` for the
ASGI server and Celery), instead of failing at the first citizen's photo.

A fresh install registers its key as version 1 the first time the check runs with
`create=True` or a document is stored. An install that already holds documents from
before keys were registered proves the key by unwrapping one of their data keys first
(RFC 3394 unwrapping fails under any other key).
"""

import asyncio
import hashlib
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Q

from govstore.documents.crypto import (
    DocumentIntegrityError,
    master_key,
    master_key_setting_name,
    previous_master_keys,
    unwrap_data_key,
)
from govstore.documents.models import Document, MasterKey

logger = logging.getLogger(__name__)

_CHECK_TEXT = b"govstore document master key check v1"
_WRAPPED_KEY_BYTES = 40
# How many of the newest unversioned documents are tried when a key is first registered
# on an install that already holds documents.
_PROOF_SAMPLE = 5


class MasterKeyError(ImproperlyConfigured):
    """The configured master key cannot open the stored documents."""


def check_value(key: bytes) -> str:
    return hmac.new(key, _CHECK_TEXT, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keyring:
    """Configured keys by the version they are registered as."""

    current_version: int
    keys: dict[int, bytes]
    # Rows without a version were wrapped by this one.
    first_version: int

    def key_for(self, version: int | None) -> bytes | None:
        return self.keys.get(version if version is not None else self.first_version)


def _configured_keys() -> list[bytes]:
    return [master_key(), *previous_master_keys()]


def _first_registered_version() -> int | None:
    first = MasterKey.objects.order_by("version").values_list("version", flat=True).first()
    return first


def _prove_against_stored_documents(key: bytes) -> None:
    """Before a key is registered on an install that already holds documents, it must
    open their data keys."""
    candidates = (
        Document.objects.filter(purged_at__isnull=True, master_key_version__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("wrapped_key", flat=True)[:_PROOF_SAMPLE]
    )
    for wrapped in candidates:
        wrapped_bytes = bytes(wrapped)
        if len(wrapped_bytes) != _WRAPPED_KEY_BYTES:
            continue
        try:
            unwrap_data_key(wrapped_bytes, key=key)
        except DocumentIntegrityError:
            raise MasterKeyError(
                f"{master_key_setting_name()} is not the master key the stored documents "
                "were encrypted under: it cannot open their data keys. Restore the key "
                "the documents were stored with; without it they cannot be read."
            ) from None
        return


def _register(key: bytes) -> MasterKey:
    """Register `key` as the next version. Two processes starting at once may race: the
    unique check value lets exactly one row exist per key."""
    value = check_value(key)
    try:
        with transaction.atomic():
            latest = MasterKey.objects.select_for_update().order_by("-version").first()
            version = (latest.version + 1) if latest else 1
            row = MasterKey.objects.create(version=version, check_value=value)
    except IntegrityError:
        row = MasterKey.objects.get(check_value=value)
    else:
        logger.info("Registered document master key version %d.", row.version)
    return row


def master_key_register(key: bytes) -> MasterKey:
    """The version `key` is registered as, registering it as the next one if new. For
    the rotation command, which brings in a key no process is configured with yet."""
    existing = MasterKey.objects.filter(check_value=check_value(key)).first()
    return existing or _register(key)


def master_key_check(*, create: bool = True) -> MasterKey | None:
    """The registered version of DOCUMENTS_MASTER_KEY, after proving it is right.

    Raises MasterKeyError, naming the setting, when the key matches no registered key,
    or when documents are still wrapped by a key that is no longer configured. With
    `create`, registers the key on a fresh install, or when it is a new key brought in
    with the previous one in DOCUMENTS_MASTER_KEY_PREVIOUS (a rotation under way).
    Without `create` nothing is written and None means "not registered yet".
    """
    current = master_key()
    registered = list(MasterKey.objects.order_by("-version"))
    by_value = {row.check_value: row for row in registered}
    row = by_value.get(check_value(current))
    if row is None:
        if registered:
            latest = registered[0]
            rotating = any(check_value(key) == latest.check_value for key in previous_master_keys())
            if not rotating:
                raise MasterKeyError(
                    f"{master_key_setting_name()} is not the master key the stored documents "
                    f"were encrypted under (it does not match the key check value of master "
                    f"key version {latest.version}). Restore the right key; if it is lost, "
                    "the documents cannot be read. To change keys, use "
                    "manage.py documents_rotate_master_key."
                )
        else:
            _prove_against_stored_documents(current)
        if not create:
            return None
        row = _register(current)
        registered = list(MasterKey.objects.order_by("-version"))
    _check_versions_in_use(registered)
    return row


def _check_versions_in_use(registered: list[MasterKey]) -> None:
    configured = {check_value(key) for key in _configured_keys()}
    first = min((row.version for row in registered), default=None)
    for row in registered:
        if row.check_value in configured:
            continue
        wrapped_by_it = Q(master_key_version=row.version)
        if row.version == first:
            wrapped_by_it |= Q(master_key_version__isnull=True)
        if Document.objects.filter(wrapped_by_it, purged_at__isnull=True).exists():
            raise MasterKeyError(
                f"Documents are wrapped by master key version {row.version}, which no "
                "configured key opens (DOCUMENTS_MASTER_KEY, DOCUMENTS_MASTER_KEY_PREVIOUS). "
                "While a rotation is under way, configure both the old and the new key "
                "until manage.py documents_rotate_master_key has finished."
            )


def keyring(*, extra: list[bytes] | None = None) -> Keyring:
    """The configured keys (and `extra` ones) by registered version; the current key is
    registered first if needed."""
    current = master_key_check(create=True)
    assert current is not None
    values = {check_value(key): key for key in [*_configured_keys(), *(extra or [])]}
    rows = list(MasterKey.objects.order_by("version"))
    keys = {row.version: values[row.check_value] for row in rows if row.check_value in values}
    return Keyring(current_version=current.version, keys=keys, first_version=rows[0].version)


def sealing_key() -> tuple[int, bytes]:
    """The version and key a new document is sealed under. One small query per upload;
    the full check runs only when the key is not registered yet."""
    key = master_key()
    version = (
        MasterKey.objects.filter(check_value=check_value(key))
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        row = master_key_check(create=True)
        assert row is not None
        version = row.version
    return version, key


def opening_key(version: int | None) -> bytes:
    """The configured key registered as `version` (empty: the first version), or
    DocumentIntegrityError when no configured key is that one."""
    keys = _configured_keys()
    if version is None:
        version = _first_registered_version()
        if version is None:
            # Nothing registered yet: only the current key can have sealed anything.
            return keys[0]
    row = MasterKey.objects.filter(version=version).first()
    if row is not None:
        for key in keys:
            if hmac.compare_digest(check_value(key), row.check_value):
                return key
    raise DocumentIntegrityError("No configured master key opens this document.")


def master_key_tables_exist() -> bool:
    """False before migrate has made the tables: there is nothing to check yet."""
    return MasterKey._meta.db_table in connection.introspection.table_names()


def _check_now() -> None:
    if not master_key_tables_exist():
        logger.warning("The document master key was not checked: run manage.py migrate.")
        return
    master_key_check(create=True)


def _check_in_own_thread() -> None:
    try:
        _check_now()
    finally:
        connections.close_all()


def master_key_check_at_startup() -> None:
    """Called by the ASGI application and the Celery worker and beat as they start:
    raises MasterKeyError (so the process does not start) with a lost or wrong master
    key, and registers the key on a fresh install."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _check_now()
        return
    # uvicorn imports the application inside its event loop, where Django refuses
    # database queries: the check runs in a thread of its own, and start waits for it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_check_in_own_thread).result()


def master_key_check_for_worker(**kwargs: object) -> None:
    """Receiver for Celery's worker_init and beat_init. Celery logs and swallows what a
    signal receiver raises, so a wrong key ends the process with SystemExit instead."""
    import django

    django.setup()
    try:
        master_key_check_at_startup()
    except ImproperlyConfigured as problem:
        logger.critical("%s", problem)
        raise SystemExit(f"govstore cannot start: {problem}") from None
