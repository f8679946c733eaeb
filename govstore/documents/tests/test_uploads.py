"""Hostile and awkward uploads: each refused with a message saying what to do, and
nothing stored — no row, no event, no file."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from govstore.accounts.tests.factories import UserFactory
from govstore.documents.models import Document, DocumentEvent
from govstore.documents.services import document_read, document_store
from govstore.documents.tests import images
from govstore.documents.tests.helpers import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def citizen():
    return UserFactory.create(verified=True)


def _refused(settings, citizen, upload, *, allow_pdf=False) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        document_store(
            actor=citizen,
            upload=upload,
            purpose="application",
            reference="application:1",
            allow_pdf=allow_pdf,
        )
    assert Document.objects.count() == 0
    assert DocumentEvent.objects.count() == 0
    assert stored_files(settings.DOCUMENTS_ROOT) == []
    return caught.value


def _message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


HOSTILE = {
    "exe renamed .jpg": ("IMG_0001.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    "text renamed .jpg": ("photo.jpg", b"just some words, not a picture\n" * 10),
    "svg": (
        "card.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script></svg>",
    ),
    "svg renamed .png": ("card.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    "html": ("id.jpg", b"<!DOCTYPE html><html><script>fetch('/x')</script></html>"),
    "gif": ("anim.jpg", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"),
    "pdf when not allowed": ("scan.pdf", images.pdf_bytes()),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_file_that_is_not_a_photo_is_refused_whatever_its_name(settings, citizen, case):
    name, content = HOSTILE[case]
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    error = _refused(settings, citizen, upload)
    assert error.code == "not_accepted_type"
    assert "not a JPEG, PNG or HEIC photo" in _message(error)


def test_a_zero_byte_file_is_refused(settings, citizen):
    error = _refused(settings, citizen, SimpleUploadedFile("empty.jpg", b""))
    assert error.code == "empty"
    assert "The file is empty" in _message(error)


def test_a_file_over_15_mb_is_refused_by_its_declared_size(settings, citizen):
    upload = SimpleUploadedFile("huge.jpg", images.jpeg_bytes())
    upload.size = 100 * 1024 * 1024
    error = _refused(settings, citizen, upload)
    assert error.code == "too_big"
    assert "larger than 15 MB" in _message(error)


def test_a_file_over_15_mb_is_refused_without_reading_it(settings, citizen, tmp_path):
    sparse = tmp_path / "sparse.jpg"
    with sparse.open("wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0")
        handle.truncate(100 * 1024 * 1024)  # a hole: no 100 MB is written or allocated
    with sparse.open("rb") as handle:
        error = _refused(settings, citizen, File(handle, name="sparse.jpg"))
    assert error.code == "too_big"


def test_a_file_under_reporting_its_size_is_still_cut_off_at_the_limit(settings, citizen):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("liar.jpg", images.jpeg_bytes())
    upload.size = 10
    error = _refused(settings, citizen, upload)
    assert error.code == "too_big"


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (10_000, 10_000)],  # past twice the limit; just past the limit
)
def test_a_decompression_bomb_is_refused(settings, citizen, width, height):
    bomb = images.png_declaring(width, height)
    assert len(bomb) < 200
    error = _refused(settings, citizen, SimpleUploadedFile("bomb.png", bomb))
    assert error.code == "too_many_pixels"
    assert "too large to process" in _message(error)
    assert f"{width * height / 1e6:,.0f} million" in _message(error)


def test_a_small_jpeg_declaring_huge_dimensions_is_refused(settings, citizen):
    small = bytearray(images.jpeg_bytes(images.textured(64, 48)))
    frame = small.index(b"\xff\xc0")  # baseline frame header: length, precision, h, w
    small[frame + 5 : frame + 9] = (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")
    error = _refused(settings, citizen, SimpleUploadedFile("huge.jpg", bytes(small)))
    assert error.code == "too_many_pixels"


def test_a_photo_within_the_pixel_limit_but_declaring_more_than_pillow_allows_is_refused(
    settings, citizen, monkeypatch
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)
    error = _refused(
        settings, citizen, SimpleUploadedFile("p.jpg", images.jpeg_bytes(images.textured(300, 200)))
    )
    assert error.code == "too_many_pixels"


def test_a_truncated_jpeg_is_refused(settings, citizen):
    whole = images.jpeg_bytes(images.textured(640, 480))
    error = _refused(settings, citizen, SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2]))
    assert error.code == "unreadable"
    assert "damaged or incomplete" in _message(error)


def test_jpeg_magic_followed_by_html_is_refused(settings, citizen):
    error = _refused(
        settings, citizen, SimpleUploadedFile("x.jpg", b"\xff\xd8\xff<html><script></script>")
    )
    assert error.code == "unreadable"


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "C:\\x\\y.jpg", "photos/id.jpg", ".."])
def test_a_file_name_with_folders_is_refused(settings, citizen, name):
    # Django's own upload objects drop folders from names; a hand-made request or another
    # caller can still hand one over, so the service checks for itself.
    upload = File(io.BytesIO(images.jpeg_bytes()), name=name)
    error = _refused(settings, citizen, upload)
    assert error.code == "name_with_folders"
    assert "must not contain folder names" in _message(error)


class TestPdf:
    def _store(self, citizen, content, name="scan.pdf"):
        return document_store(
            actor=citizen,
            upload=SimpleUploadedFile(name, content, content_type="image/jpeg"),
            purpose="application",
            reference="application:1",
            allow_pdf=True,
        )

    def test_a_plain_pdf_is_kept_as_handed_over_but_encrypted(self, settings, citizen):
        content = images.pdf_bytes()
        document = self._store(citizen, content)
        assert document.content_type == "application/pdf"
        assert document_read(document=document) == content
        assert document.width is None and document.perceptual_hash == ""
        (stored,) = stored_files(settings.DOCUMENTS_ROOT)
        assert b"%PDF" not in stored.read_bytes()

    @pytest.mark.parametrize(
        "body",
        [
            b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
            b"/Names << /EmbeddedFiles 5 0 R >>",
            b"/AA << /O << /S /Launch /F (calc.exe) >> >>",
            b"/AA << /O << /S /Launch\x00/F (calc.exe) >> >>",
        ],
    )
    def test_a_pdf_with_scripts_actions_or_attachments_is_refused(self, settings, citizen, body):
        error = _refused(
            settings, citizen, SimpleUploadedFile("s.pdf", images.pdf_bytes(body)), allow_pdf=True
        )
        assert error.code == "pdf_active_content"
        assert "scripts, actions or attached files" in _message(error)

    def test_a_scan_whose_image_data_happens_to_hold_name_like_bytes_is_accepted(
        self, settings, citizen
    ):
        image_data = b"\x8f\x01/JS \x00/JS\x00/F1 " * 1000
        content = (
            b"%PDF-1.7\n4 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>\n"
            b"stream\n" + image_data + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        )
        document = self._store(citizen, content)
        assert document_read(document=document) == content

    def test_a_script_hidden_in_a_compressed_object_stream_is_found(self, settings, citizen):
        content = images.pdf_with_compressed_object(b"<< /S /JavaScript /JS (x) >>")
        assert b"JavaScript" not in content
        error = _refused(settings, citizen, SimpleUploadedFile("s.pdf", content), allow_pdf=True)
        assert error.code == "pdf_active_content"

    def test_a_password_protected_pdf_is_refused(self, settings, citizen):
        content = images.pdf_bytes(b"/Encrypt 9 0 R")
        error = _refused(settings, citizen, SimpleUploadedFile("s.pdf", content), allow_pdf=True)
        assert error.code == "pdf_encrypted"

    def test_a_pdf_without_its_end_is_refused(self, settings, citizen):
        content = images.pdf_bytes()[:-20]
        error = _refused(settings, citizen, SimpleUploadedFile("s.pdf", content), allow_pdf=True)
        assert error.code == "pdf_incomplete"

    def test_html_is_refused_with_the_message_naming_pdf_too(self, settings, citizen):
        error = _refused(
            settings, citizen, SimpleUploadedFile("s.pdf", b"<html></html>"), allow_pdf=True
        )
        assert "or a PDF document" in _message(error)


def test_refusal_messages_are_in_chinese_for_chinese_readers(settings, citizen):
    with translation.override("zh-hans"):
        error = _refused(settings, citizen, SimpleUploadedFile("e.jpg", b""))
        assert "文件是空的" in _message(error)
