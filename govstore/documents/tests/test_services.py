import base64
import datetime
import io
import os
import secrets
import stat

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from moto import mock_aws
from PIL import Image

from govstore.accounts.tests.factories import UserFactory
from govstore.documents import crypto, storage
from govstore.documents.constants import MAX_LONG_SIDE, DocumentEventKind
from govstore.documents.crypto import DocumentIntegrityError
from govstore.documents.models import Document, DocumentEvent
from govstore.documents.pipeline import difference_hash, hamming_distance
from govstore.documents.services import (
    DocumentPurgedError,
    document_purge,
    document_read,
    document_schedule_purge,
    document_store,
)
from govstore.documents.storage import LocalDiskStorage, S3Storage, get_storage
from govstore.documents.tasks import documents_purge_due
from govstore.documents.tests import images
from govstore.documents.tests.helpers import stored_files

pytestmark = pytest.mark.django_db


def store(owner, content, name="IMG_0001.jpg", **kwargs):
    return document_store(
        actor=owner,
        upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        purpose=kwargs.pop("purpose", "application"),
        reference=kwargs.pop("reference", "application:1"),
        **kwargs,
    )


@pytest.fixture
def citizen():
    return UserFactory.create(verified=True)


class TestPhotos:
    def test_exif_with_gps_is_gone_from_the_stored_photo(self, citizen):
        original = images.jpeg_bytes(exif=images.gps_exif(), comment=b"taken at home")
        assert b"ExamplePhone" in original
        document = store(citizen, original)
        stored = document_read(document=document)
        with Image.open(io.BytesIO(stored)) as photo:
            assert photo.format == "JPEG"
            assert dict(photo.getexif()) == {}
            assert "exif" not in photo.info and "comment" not in photo.info
        # No APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC) or COM segment at all.
        assert set(images.jpeg_markers(stored)) & {0xE1, 0xE2, 0xED, 0xFE} == set()
        assert b"ExamplePhone" not in stored and b"taken at home" not in stored
        assert document.content_type == "image/jpeg"
        assert document.size == len(stored)

    def test_anything_hidden_after_or_inside_the_photo_is_not_stored(self, citizen):
        polyglot = (
            images.jpeg_bytes(comment=b"<script>alert(1)</script>")
            + b"<html><script>alert(2)</script></html>PK\x03\x04"
        )
        stored = document_read(document=store(citizen, polyglot))
        assert b"<script>" not in stored and b"PK\x03\x04" not in stored
        assert stored.endswith(b"\xff\xd9")

    def test_the_photo_is_turned_upright_from_its_orientation_tag(self, citizen):
        sideways = Image.new("RGB", (200, 100), (220, 20, 20))
        sideways.paste((20, 20, 220), (100, 0, 200, 100))  # left red, right blue
        # Orientation 6: the camera was turned; viewers rotate 90° clockwise.
        document = store(citizen, images.jpeg_bytes(sideways, exif=images.gps_exif(orientation=6)))
        assert (document.width, document.height) == (100, 200)
        with Image.open(io.BytesIO(document_read(document=document))) as photo:
            top, bottom = (
                photo.convert("RGB").getpixel((50, 40)),
                photo.convert("RGB").getpixel((50, 160)),
            )
        assert isinstance(top, tuple) and isinstance(bottom, tuple)
        assert top[0] > 180 and top[2] < 80  # red on top
        assert bottom[2] > 180 and bottom[0] < 80

    def test_a_heic_photo_from_a_phone_is_accepted_as_jpeg(self, citizen):
        document = store(
            citizen, images.heic_bytes(images.textured(320, 240)), name="IMG_0001.HEIC"
        )
        assert document.content_type == "image/jpeg"
        assert (document.width, document.height) == (320, 240)
        assert document.original_name == "IMG_0001.HEIC"
        with Image.open(io.BytesIO(document_read(document=document))) as photo:
            assert photo.format == "JPEG"

    def test_a_png_with_transparency_is_stored_as_jpeg_on_white(self, citizen):
        clear = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
        document = store(citizen, images.png_bytes(clear), name="scan.png")
        with Image.open(io.BytesIO(document_read(document=document))) as photo:
            assert photo.format == "JPEG"
            assert min(int(value) for value in photo.convert("L").get_flattened_data()) > 240  # type: ignore[arg-type]

    def test_a_big_photo_is_shrunk_to_the_long_side_limit(self, citizen):
        wide = images.textured(5000, 400)
        document = store(citizen, images.jpeg_bytes(wide))
        assert max(document.width, document.height) <= MAX_LONG_SIDE
        assert max(document.width, document.height) >= 1600
        with Image.open(io.BytesIO(document_read(document=document))) as photo:
            assert photo.size == (document.width, document.height)

    def test_a_big_palette_png_turned_by_its_orientation_is_reduced_and_upright(self, citizen):
        wide = images.textured(4000, 300).convert("P")
        output = io.BytesIO()
        wide.save(output, format="PNG", exif=images.gps_exif(orientation=6))
        document = store(citizen, output.getvalue(), name="scan.png")
        assert (document.width, document.height) == (150, 2000)

    def test_hashes_are_recorded(self, citizen):
        document = store(citizen, images.jpeg_bytes())
        import hashlib

        assert document.sha256 == hashlib.sha256(document_read(document=document)).hexdigest()
        assert len(document.perceptual_hash) == 16
        int(document.perceptual_hash, 16)

    def test_the_original_name_is_cleaned_but_kept(self, citizen):
        name = "身份证\u202egpj.exe\x00\x07" + "x" * 300 + ".jpg"
        document = store(citizen, images.jpeg_bytes(), name=name)
        assert "\u202e" not in document.original_name and "\x00" not in document.original_name
        assert document.original_name.startswith("身份证gpj.exe")
        assert document.original_name.endswith(".jpg")
        assert len(document.original_name) <= 120

    def test_a_stored_event_is_written(self, citizen):
        document = store(citizen, images.jpeg_bytes(), reference="application:17")
        (event,) = DocumentEvent.objects.filter(document=document)
        assert event.kind == DocumentEventKind.STORED
        assert event.actor == citizen
        assert event.payload["reference"] == "application:17"


class TestDifferenceHash:
    def test_recompressed_and_resized_copies_stay_within_four_bits(self):
        picture = images.textured(640, 480)
        again = Image.open(io.BytesIO(images.jpeg_bytes(picture.resize((500, 375)), quality=60)))
        assert hamming_distance(difference_hash(picture), difference_hash(again)) <= 4

    def test_different_pictures_are_far_apart(self):
        first = difference_hash(images.textured(640, 480))
        second = difference_hash(images.textured(640, 480, scene=2))
        assert hamming_distance(first, second) > 16

    def test_it_is_64_bits(self):
        assert 0 <= difference_hash(images.textured()) < 2**64


class TestEncryptionAtRest:
    def test_the_bytes_on_disk_do_not_contain_the_plaintext(self, settings, citizen):
        document = store(citizen, images.jpeg_bytes())
        plaintext = document_read(document=document)
        (path,) = stored_files(settings.DOCUMENTS_ROOT)
        on_disk = path.read_bytes()
        assert path.name == f"{document.id.hex}.bin"
        assert not on_disk.startswith(b"\xff\xd8")
        for offset in range(0, len(plaintext) - 32, len(plaintext) // 8):
            assert plaintext[offset : offset + 32] not in on_disk
        assert len(on_disk) == len(plaintext) + 16  # GCM tag
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_another_master_key_cannot_read_it(self, settings, citizen):
        document = store(citizen, images.jpeg_bytes())
        settings.DOCUMENTS_MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
        with pytest.raises(DocumentIntegrityError):
            document_read(document=document)

    def test_the_disk_and_the_row_without_the_master_key_are_not_enough(self, settings, citizen):
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        document = store(citizen, images.jpeg_bytes())
        (path,) = stored_files(settings.DOCUMENTS_ROOT)
        # The wrapped key is not a data key: using it directly fails authentication.
        wrapped = bytes(document.wrapped_key)
        assert len(wrapped) == 40
        with pytest.raises(InvalidTag):
            AESGCM(wrapped[:32]).decrypt(bytes(document.nonce), path.read_bytes(), None)

    def test_tampering_with_the_ciphertext_is_detected(self, settings, citizen):
        document = store(citizen, images.jpeg_bytes())
        (path,) = stored_files(settings.DOCUMENTS_ROOT)
        tampered = bytearray(path.read_bytes())
        tampered[len(tampered) // 2] ^= 0x01
        path.write_bytes(bytes(tampered))
        with pytest.raises(DocumentIntegrityError):
            document_read(document=document)

    def test_ciphertext_moved_to_another_document_is_detected(self, settings, citizen):
        first = store(citizen, images.jpeg_bytes(images.textured(100, 80)))
        second = store(citizen, images.jpeg_bytes(images.textured(120, 90, scene=2)))
        disk = get_storage()
        disk.save(second.storage_key, disk.read(first.storage_key))
        second.wrapped_key, second.nonce = first.wrapped_key, first.nonce
        with pytest.raises(DocumentIntegrityError):
            document_read(document=second)

    def test_a_missing_file_reads_as_an_integrity_failure(self, settings, citizen):
        document = store(citizen, images.jpeg_bytes())
        get_storage().delete(document.storage_key)
        with pytest.raises(DocumentIntegrityError):
            document_read(document=document)

    def test_without_a_configured_key_one_is_generated_once_owner_only(self, settings, tmp_path):
        settings.DOCUMENTS_MASTER_KEY = ""
        settings.DOCUMENTS_MASTER_KEY_FILE = tmp_path / "var" / "documents-master.key"
        crypto._master_key_for.cache_clear()
        key = crypto.master_key()
        assert len(key) == 32
        path = settings.DOCUMENTS_MASTER_KEY_FILE
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        crypto._master_key_for.cache_clear()
        assert crypto.master_key() == key

    @pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
    def test_a_bad_master_key_is_a_configuration_error(self, settings, value):
        settings.DOCUMENTS_MASTER_KEY = value
        with pytest.raises(ImproperlyConfigured) as caught:
            crypto.master_key()
        assert value not in str(caught.value)


class TestDuplicates:
    def test_the_same_photo_from_another_person_is_flagged(self, citizen):
        photo = images.jpeg_bytes()
        first = store(citizen, photo)
        other = store(UserFactory.create(verified=True), photo)
        assert other.duplicate_of == first
        assert first.duplicate_of is None

    def test_the_same_person_using_a_photo_twice_is_not_flagged(self, citizen):
        photo = images.jpeg_bytes()
        store(citizen, photo)
        again = store(citizen, photo, reference="application:2")
        assert again.duplicate_of is None

    def test_a_resaved_copy_from_another_person_is_flagged_by_its_picture(self, citizen):
        picture = images.textured(640, 480)
        first = store(citizen, images.jpeg_bytes(picture))
        copy = images.jpeg_bytes(picture.resize((600, 450)), quality=55)
        other = store(UserFactory.create(verified=True), copy)
        assert other.sha256 != first.sha256
        assert other.duplicate_of == first

    def test_a_different_photo_is_not_flagged(self, citizen):
        store(citizen, images.jpeg_bytes(images.textured(640, 480)))
        other = store(
            UserFactory.create(verified=True),
            images.jpeg_bytes(images.textured(640, 480, scene=2)),
        )
        assert other.duplicate_of is None


class TestS3:
    @pytest.fixture
    def bucket(self, settings, monkeypatch):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            boto3.client("s3").create_bucket(Bucket="govstore-documents")
            settings.DOCUMENTS_S3_BUCKET = "govstore-documents"
            storage._storage_for.cache_clear()
            yield boto3.client("s3")
        storage._storage_for.cache_clear()

    def test_documents_round_trip_through_the_bucket_encrypted(self, settings, citizen, bucket):
        assert isinstance(get_storage(), S3Storage)
        photo = images.jpeg_bytes()
        document = store(citizen, photo)
        stored = bucket.get_object(Bucket="govstore-documents", Key=document.storage_key)
        ciphertext = stored["Body"].read()
        plaintext = document_read(document=document)
        assert plaintext.startswith(b"\xff\xd8") and not ciphertext.startswith(b"\xff\xd8")
        assert plaintext[100:140] not in ciphertext
        assert stored_files(settings.DOCUMENTS_ROOT) == []

        assert document_purge(document=document) is True
        listing = bucket.list_objects_v2(Bucket="govstore-documents")
        assert listing.get("KeyCount", 0) == 0

    def test_a_refused_upload_leaves_the_bucket_empty(self, citizen, bucket):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            store(citizen, b"<svg></svg>")
        assert bucket.list_objects_v2(Bucket="govstore-documents").get("KeyCount", 0) == 0

    def test_local_disk_is_the_default(self):
        assert isinstance(get_storage(), LocalDiskStorage)


class TestPurge:
    def test_scheduling_records_the_date_and_an_event(self, citizen):
        document = store(citizen, images.jpeg_bytes())
        at = timezone.now() + datetime.timedelta(days=90)
        document_schedule_purge(document=document, at=at)
        document.refresh_from_db()
        assert document.purge_after == at
        assert (
            DocumentEvent.objects.filter(
                document=document, kind=DocumentEventKind.PURGE_SCHEDULED
            ).count()
            == 1
        )

    def test_the_sweep_deletes_the_bytes_keeps_the_row_and_is_idempotent(self, settings, citizen):
        due = store(citizen, images.jpeg_bytes(images.textured(100, 80)))
        later = store(citizen, images.jpeg_bytes(images.textured(120, 90, scene=2)))
        document_schedule_purge(document=due, at=timezone.now() - datetime.timedelta(minutes=1))
        document_schedule_purge(document=later, at=timezone.now() + datetime.timedelta(days=1))

        assert documents_purge_due() == 1
        due.refresh_from_db()
        later.refresh_from_db()
        assert due.purged_at is not None and later.purged_at is None
        assert bytes(due.wrapped_key) == b""
        assert not get_storage().exists(due.storage_key)
        assert get_storage().exists(later.storage_key)
        assert [path.name for path in stored_files(settings.DOCUMENTS_ROOT)] == [
            f"{later.id.hex}.bin"
        ]
        with pytest.raises(DocumentPurgedError):
            document_read(document=due)

        purged_at = due.purged_at
        assert documents_purge_due() == 0
        due.refresh_from_db()
        assert due.purged_at == purged_at
        assert (
            DocumentEvent.objects.filter(document=due, kind=DocumentEventKind.PURGED).count() == 1
        )

    def test_a_purged_document_cannot_be_rescheduled(self, citizen):
        document = store(citizen, images.jpeg_bytes())
        document_purge(document=document)
        document_schedule_purge(document=document, at=timezone.now() + datetime.timedelta(days=5))
        document.refresh_from_db()
        assert document.purge_after is None

    def test_a_purge_whose_file_is_already_gone_still_completes(self, citizen):
        document = store(citizen, images.jpeg_bytes())
        get_storage().delete(document.storage_key)
        assert document_purge(document=document) is True
        assert document_purge(document=document) is False


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_purge_each_document_once(document_storage):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads need a database file or server to share")
    owner = UserFactory.create(verified=True)
    documents = [
        store(owner, images.jpeg_bytes(images.textured(80, 60, scene=scene)))
        for scene in range(1, 5)
    ]
    for document in documents:
        document_schedule_purge(document=document, at=timezone.now())
    barrier = threading.Barrier(2)
    purged: list[int] = []

    def sweep() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            purged.append(documents_purge_due())
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sweep) for _sweep in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(purged) == len(documents)
    assert DocumentEvent.objects.filter(kind=DocumentEventKind.PURGED).count() == len(documents)
    assert Document.objects.filter(purged_at__isnull=True).count() == 0
