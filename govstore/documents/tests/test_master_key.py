"""The master key: proven at start against its registered check value, and rotated by
re-wrapping data keys without touching the files."""

import asyncio
import base64
import io
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from govstore.accounts.tests.factories import UserFactory
from govstore.documents import crypto
from govstore.documents.checks import document_master_key_check
from govstore.documents.crypto import DocumentIntegrityError
from govstore.documents.keys import (
    MasterKeyError,
    check_value,
    master_key_check,
    master_key_check_at_startup,
    master_key_check_for_worker,
)
from govstore.documents.models import Document, MasterKey
from govstore.documents.rotation import master_key_rotate
from govstore.documents.services import document_purge, document_read
from govstore.documents.storage import get_storage
from govstore.documents.tests import images
from govstore.documents.tests.test_services import store

pytestmark = pytest.mark.django_db


def new_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def use_key(settings, text: str, previous: str = "") -> None:
    settings.DOCUMENTS_MASTER_KEY = text
    settings.DOCUMENTS_MASTER_KEY_PREVIOUS = previous
    crypto._master_key_for.cache_clear()


@pytest.fixture
def citizen():
    return UserFactory.create(verified=True)


@pytest.fixture
def photos(citizen):
    return [
        store(citizen, images.jpeg_bytes(images.textured(100 + 10 * n, 80, scene=n)))
        for n in range(5)
    ]


class TestStartCheck:
    def test_a_fresh_install_registers_its_key_as_version_1(self, settings):
        assert not MasterKey.objects.exists()
        master_key_check_at_startup()
        (row,) = MasterKey.objects.all()
        assert row.version == 1
        assert row.check_value == check_value(crypto.master_key())
        # The check value is not the key, nor anything the key can be read from.
        assert settings.DOCUMENTS_MASTER_KEY not in row.check_value
        assert document_master_key_check() == []

    def test_the_system_check_writes_nothing_on_a_fresh_install(self):
        assert document_master_key_check() == []
        assert not MasterKey.objects.exists()

    def test_the_first_document_registers_the_key(self, photos):
        assert list(MasterKey.objects.values_list("version", flat=True)) == [1]
        assert {photo.master_key_version for photo in photos} == {1}

    def test_the_right_key_passes(self, settings, photos):
        master_key_check_at_startup()
        assert document_master_key_check() == []
        call_command("check", "--tag", "documents", stdout=io.StringIO())

    def test_a_wrong_key_fails_naming_the_setting(self, settings, photos):
        use_key(settings, new_key_text())
        with pytest.raises(MasterKeyError) as caught:
            master_key_check_at_startup()
        assert "DOCUMENTS_MASTER_KEY" in str(caught.value)
        assert settings.DOCUMENTS_MASTER_KEY not in str(caught.value)
        (error,) = document_master_key_check()
        assert error.id == "documents.E001"
        assert "DOCUMENTS_MASTER_KEY is not the master key" in error.msg
        with pytest.raises(SystemCheckError, match=r"documents\.E001"):
            call_command("check", "--tag", "documents", stdout=io.StringIO(), stderr=io.StringIO())
        # Nothing was registered for the wrong key.
        assert MasterKey.objects.count() == 1

    def test_a_lost_key_file_regenerated_is_caught(self, settings, tmp_path, photos):
        # The embedded default: a key file under var/. Lose it, and the next start makes
        # a new one, which must not pass for the old.
        settings.DOCUMENTS_MASTER_KEY_FILE = tmp_path / "var" / "documents-master.key"
        use_key(settings, "")
        with pytest.raises(MasterKeyError) as caught:
            master_key_check()
        assert "DOCUMENTS_MASTER_KEY_FILE" in str(caught.value)

    def test_documents_from_before_registration_prove_the_key(self, settings, photos):
        # An install that stored documents before keys were registered.
        MasterKey.objects.all().delete()
        Document.objects.update(master_key_version=None)
        use_key(settings, new_key_text())
        with pytest.raises(MasterKeyError):
            master_key_check()
        assert not MasterKey.objects.exists()

    def test_documents_from_before_registration_open_with_the_right_key(self, photos):
        MasterKey.objects.all().delete()
        Document.objects.update(master_key_version=None)
        master_key_check()
        assert MasterKey.objects.get().version == 1
        assert all(document_read(document=photo) for photo in photos)

    def test_a_bad_key_text_is_a_check_error_too(self, settings):
        use_key(settings, "not base64!")
        (error,) = document_master_key_check()
        assert "DOCUMENTS_MASTER_KEY" in error.msg


class TestRotation:
    def test_rotation_rewraps_every_key_and_leaves_the_files_alone(
        self, settings, tmp_path, photos
    ):
        storage = get_storage()
        before = {photo.pk: storage.read(photo.storage_key) for photo in photos}
        plain = {photo.pk: document_read(document=photo) for photo in photos}
        old_wrapped = {photo.pk: bytes(photo.wrapped_key) for photo in photos}
        new_text = new_key_text()
        key_file = tmp_path / "new.key"
        key_file.write_text(new_text)
        out = io.StringIO()

        call_command(
            "documents_rotate_master_key",
            "--new-key-file",
            str(key_file),
            "--batch-size",
            "2",
            stdout=out,
        )

        output = out.getvalue()
        assert "Re-wrapped 2 of 5 documents (40%)" in output
        assert "Re-wrapped 5 of 5 documents (100%)" in output
        assert new_text not in output and settings.DOCUMENTS_MASTER_KEY not in output
        for photo in photos:
            photo.refresh_from_db()
            assert photo.master_key_version == 2
            assert bytes(photo.wrapped_key) != old_wrapped[photo.pk]
            assert storage.read(photo.storage_key) == before[photo.pk]
        # The old key is no longer needed: only the new one is configured.
        use_key(settings, new_text)
        master_key_check_at_startup()
        assert document_master_key_check() == []
        for photo in photos:
            assert document_read(document=photo) == plain[photo.pk]

    def test_the_old_key_alone_cannot_read_rotated_documents(self, settings, photos):
        old_text = settings.DOCUMENTS_MASTER_KEY
        master_key_rotate(new_key=base64.b64decode(new_key_text()))
        use_key(settings, old_text)
        with pytest.raises(MasterKeyError):
            master_key_check()
        photos[0].refresh_from_db()
        with pytest.raises(DocumentIntegrityError):
            document_read(document=photos[0])

    def test_rotation_is_resumable_and_idempotent(self, settings, photos):
        new_text = new_key_text()
        new = base64.b64decode(new_text)
        # An interrupted run: the first batch committed, then the process died.
        calls = []

        def die_after_first_batch(done, pending):
            calls.append(done)
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            master_key_rotate(new_key=new, batch_size=2, progress=die_after_first_batch)
        assert Document.objects.filter(master_key_version=2).count() == 2
        # Both keys are needed meanwhile, and both are enough.
        use_key(settings, new_text, previous=settings.DOCUMENTS_MASTER_KEY)
        master_key_check()
        assert all(document_read(document=photo) for photo in Document.objects.all())

        result = master_key_rotate(batch_size=2)
        assert (result.pending, result.rewrapped, result.version) == (3, 3, 2)
        again = master_key_rotate()
        assert (again.pending, again.rewrapped) == (0, 0)
        assert MasterKey.objects.count() == 2
        use_key(settings, new_text)
        master_key_check()
        assert all(document_read(document=photo) for photo in Document.objects.all())

    def test_a_new_key_configured_with_the_previous_one_is_registered_and_used(
        self, settings, citizen, photos
    ):
        # The live procedure: configure the new key, keep the old as previous, restart.
        old_text = settings.DOCUMENTS_MASTER_KEY
        use_key(settings, new_key_text(), previous=old_text)
        master_key_check_at_startup()
        assert MasterKey.objects.count() == 2
        fresh = store(citizen, images.jpeg_bytes(images.textured(90, 70, scene=9)))
        assert fresh.master_key_version == 2
        assert all(document_read(document=photo) for photo in [*photos, fresh])
        # Until the rotation ran, the old key cannot be dropped.
        use_key(settings, settings.DOCUMENTS_MASTER_KEY)
        with pytest.raises(MasterKeyError) as caught:
            master_key_check()
        assert "version 1" in str(caught.value)

    def test_a_dry_run_writes_nothing(self, settings, monkeypatch, photos):
        monkeypatch.setenv("GOVSTORE_TEST_NEW_KEY", new_key_text())
        before = list(Document.objects.order_by("pk").values_list("pk", "wrapped_key"))
        out = io.StringIO()
        call_command(
            "documents_rotate_master_key",
            "--dry-run",
            "--new-key-env",
            "GOVSTORE_TEST_NEW_KEY",
            stdout=out,
        )
        assert "Checked 5 of 5 documents (100%)" in out.getvalue()
        assert list(Document.objects.order_by("pk").values_list("pk", "wrapped_key")) == before
        assert MasterKey.objects.count() == 1

    def test_purged_documents_are_skipped(self, photos):
        document_purge(document=photos[0])
        result = master_key_rotate(new_key=secrets.token_bytes(32))
        assert result.rewrapped == 4
        photos[0].refresh_from_db()
        assert photos[0].master_key_version == 1

    def test_the_new_key_from_the_environment_and_a_tampered_row(self, monkeypatch, photos):
        new_text = new_key_text()
        monkeypatch.setenv("GOVSTORE_TEST_NEW_KEY", new_text)
        Document.objects.filter(pk=photos[0].pk).update(wrapped_key=secrets.token_bytes(40))
        out = io.StringIO()
        with pytest.raises(CommandError) as caught:
            call_command(
                "documents_rotate_master_key",
                "--new-key-env",
                "GOVSTORE_TEST_NEW_KEY",
                stdout=out,
            )
        assert str(photos[0].pk) in str(caught.value)
        assert new_text not in out.getvalue() + str(caught.value)
        assert Document.objects.filter(master_key_version=2).count() == 4

    def test_a_missing_environment_variable_is_a_clear_error(self, monkeypatch, photos):
        monkeypatch.delenv("GOVSTORE_TEST_NEW_KEY", raising=False)
        with pytest.raises(CommandError, match="GOVSTORE_TEST_NEW_KEY is not set"):
            call_command("documents_rotate_master_key", "--new-key-env", "GOVSTORE_TEST_NEW_KEY")
        assert not Document.objects.filter(master_key_version=2).exists()

    def test_rotation_with_a_wrong_configured_key_refuses(self, settings, monkeypatch, photos):
        monkeypatch.setenv("GOVSTORE_TEST_NEW_KEY", new_key_text())
        use_key(settings, new_key_text())
        with pytest.raises(CommandError, match="DOCUMENTS_MASTER_KEY"):
            call_command("documents_rotate_master_key", "--new-key-env", "GOVSTORE_TEST_NEW_KEY")
        assert set(Document.objects.values_list("master_key_version", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
class TestServersStart:
    def test_the_asgi_start_inside_an_event_loop_fails_with_a_wrong_key(self, settings, citizen):
        store(citizen, images.jpeg_bytes())
        use_key(settings, new_key_text())

        async def start() -> None:
            master_key_check_at_startup()

        with pytest.raises(MasterKeyError, match="DOCUMENTS_MASTER_KEY"):
            asyncio.run(start())

    def test_the_asgi_start_inside_an_event_loop_registers_a_fresh_key(self):
        async def start() -> None:
            master_key_check_at_startup()

        asyncio.run(start())
        assert MasterKey.objects.get().version == 1

    # Celery's Django fixup warns that this signal has no worker as its sender.
    @pytest.mark.filterwarnings("ignore::celery.fixups.django.FixupWarning")
    def test_a_worker_with_a_wrong_key_does_not_start(self, settings, citizen):
        from celery.signals import worker_init

        store(citizen, images.jpeg_bytes())
        use_key(settings, new_key_text())
        worker_init.connect(master_key_check_for_worker, dispatch_uid="test-master-key")
        try:
            # Celery swallows exceptions from receivers, but not SystemExit.
            with pytest.raises(SystemExit) as caught:
                worker_init.send(sender=None)
        finally:
            worker_init.disconnect(dispatch_uid="test-master-key")
        assert "DOCUMENTS_MASTER_KEY" in str(caught.value)

    def test_a_worker_with_the_right_key_starts(self, citizen):
        store(citizen, images.jpeg_bytes())
        master_key_check_for_worker()
