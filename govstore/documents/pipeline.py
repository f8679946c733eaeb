"""What happens to an upload before it is stored, with no database and no storage: read it
within the size limit, decide what it is from its bytes (never its name or the browser's
content type), decode photos under a pixel limit, turn them upright, drop every piece of
metadata by re-encoding the pixels alone, and hash the result. PDFs are kept as handed
over, once they prove to be PDFs without active content.

Every refusal is a ValidationError whose message tells the person what to do.
"""

import contextlib
import contextvars
import hashlib
import io
import math
import re
import struct
import time
import unicodedata
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from govstore.documents.constants import (
    JPEG_QUALITY,
    MAX_LONG_SIDE,
    MIN_DRAFT_LONG_SIDE,
    ORIGINAL_NAME_MAX_LENGTH,
    PDF_MAX_INFLATED_BYTES,
    DocumentContentType,
)

pillow_heif.register_heif_opener()

EMPTY_MESSAGE = _("The file is empty. Choose the photo again.")
TOO_BIG_MESSAGE = _(
    "The file is larger than %(limit)s MB. Upload the photo as your phone took it, or take "
    "it again at a lower resolution."
)
NOT_A_PHOTO_MESSAGE = _(
    "This file is not a JPEG, PNG or HEIC photo. Upload a photo taken with your phone or "
    "camera; a renamed file or a web page is not accepted."
)
NOT_A_PHOTO_OR_PDF_MESSAGE = _(
    "This file is not a JPEG, PNG or HEIC photo or a PDF document. Upload a photo taken "
    "with your phone or camera, or a PDF; a renamed file or a web page is not accepted."
)
TOO_MANY_PIXELS_MESSAGE = _(
    "This image is too large to process: it declares %(pixels)s million pixels and the "
    "limit is %(limit)s million. Upload the photo as your phone took it."
)
UNREADABLE_MESSAGE = _(
    "This photo could not be read: the file is damaged or incomplete. Take or choose the "
    "photo again."
)
PDF_INCOMPLETE_MESSAGE = _(
    "This PDF is damaged or incomplete. Save the document again and upload the new file."
)
PDF_ACTIVE_CONTENT_MESSAGE = _(
    "This PDF contains scripts, actions or attached files, which are not accepted. Save it "
    "again as a plain PDF (for example with “Print to PDF”) and upload that."
)
PDF_ENCRYPTED_MESSAGE = _(
    "This PDF is password-protected. Save it again without a password and upload that."
)
NAME_WITH_FOLDERS_MESSAGE = _(
    "The file name must not contain folder names (“/” or “\\”). Rename the file and try again."
)

# Magic bytes, checked against the start of the file.
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PDF_MAGIC = b"%PDF-"
# ISO base media "ftyp" major brands of HEIF still images and sequences (AVIF is not one).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})

# The Pillow plugin that must decode each sniffed kind; any other plugin is not tried.
_PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "heif": "HEIF"}

# PDF names that run code, launch programs or carry files inside the PDF. Every script is
# reached through a /JavaScript action or name tree, so the short key /JS is not needed
# here, and it would turn up by chance in about one scanned PDF in fifteen: three bytes
# and a delimiter are common enough in megabytes of compressed image data.
_PDF_FORBIDDEN_NAMES = frozenset(
    {b"JavaScript", b"EmbeddedFile", b"EmbeddedFiles", b"Launch", b"RichMedia"}
)
# A name runs to the next PDF whitespace (NUL included) or delimiter.
_PDF_NAME_RE = re.compile(rb"/([^\x00\t\n\f\r /<>\[\]()%{}]+)")
_PDF_NAME_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_RE = re.compile(rb"stream\r?\n")

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# Set by a caller that wants the time of each step (the benchmark); None costs nothing.
step_timings: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
    "document_step_timings", default=None
)


@contextlib.contextmanager
def timed_step(name: str) -> Iterator[None]:
    timings = step_timings.get()
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class PreparedDocument:
    content: bytes
    content_type: str
    original_name: str
    sha256: str
    width: int | None = None
    height: int | None = None
    perceptual_hash: int | None = None


def sanitise_original_name(name: str, *, content_type: str) -> str:
    """The name as the person's device gave it, safe to store and to show.

    A name with folder parts is refused outright: browsers send bare names, so folders
    mean a hand-made request. Control and formatting characters (including the bidi
    overrides that make "gpj.exe" read as "exe.jpg") are dropped and the name is cut to
    length, keeping its extension.
    """
    if "/" in name or "\\" in name or name.strip() in {".", ".."}:
        raise ValidationError(NAME_WITH_FOLDERS_MESSAGE, code="name_with_folders")
    cleaned = "".join(
        char
        for char in unicodedata.normalize("NFC", name)
        if unicodedata.category(char) not in _CONTROL_CATEGORIES
    )
    cleaned = " ".join(cleaned.split()).strip(". ")
    if not cleaned:
        cleaned = "document.pdf" if content_type == DocumentContentType.PDF else "photo.jpg"
    if len(cleaned) > ORIGINAL_NAME_MAX_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            keep = ORIGINAL_NAME_MAX_LENGTH - len(extension) - 1
            cleaned = f"{stem[:keep].rstrip()}.{extension}"
        else:
            cleaned = cleaned[:ORIGINAL_NAME_MAX_LENGTH]
    return cleaned


def read_upload(upload: IO[bytes] | Any) -> bytes:
    """All the upload's bytes, refusing before reading when its size is already too big
    and never reading more than one byte past the limit whatever size it claims."""
    limit = int(settings.DOCUMENTS_MAX_UPLOAD_BYTES)
    too_big = ValidationError(
        TOO_BIG_MESSAGE, code="too_big", params={"limit": f"{limit / (1024 * 1024):g}"}
    )
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise too_big
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ValidationError(EMPTY_MESSAGE, code="empty")
    return data


def sniff(data: bytes) -> str | None:
    """ "jpeg", "png", "heif", "pdf" or None, from the leading bytes alone."""
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heif"
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    return None


def difference_hash(image: Image.Image) -> int:
    """64-bit difference hash: shrink to 9×8 grey, one bit per horizontally adjacent pair
    (is the left pixel brighter?). Recompression, resizing and small edits flip few bits;
    a different picture flips about half."""
    small = image.resize((9, 8), Image.Resampling.BOX).convert("L")
    pixels = small.tobytes()
    value = 0
    for row in range(8):
        offset = row * 9
        for column in range(8):
            value = (value << 1) | (pixels[offset + column] > pixels[offset + column + 1])
    return value


def hamming_distance(first: int, second: int) -> int:
    return (first ^ second).bit_count()


def _draft_scale(long_side: int) -> int:
    """The largest JPEG draft reduction (1, 2, 4, 8) that keeps the long side at or above
    MIN_DRAFT_LONG_SIDE; 1 when the photo is already small enough."""
    if long_side <= MAX_LONG_SIDE:
        return 1
    scale = 1
    while scale < 8 and math.ceil(long_side / (scale * 2)) >= MIN_DRAFT_LONG_SIDE:
        scale *= 2
    return scale


def _pixel_limit_error(pixels: int, limit: int) -> ValidationError:
    return ValidationError(
        TOO_MANY_PIXELS_MESSAGE,
        code="too_many_pixels",
        params={"pixels": f"{pixels / 1e6:,.0f}", "limit": f"{limit / 1e6:,.0f}"},
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB or L pixels for JPEG; transparent areas become white, not black."""
    if image.mode in {"RGB", "L"}:
        return image
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def prepare_photo(data: bytes, *, kind: str) -> tuple[bytes, int, int, int]:
    """Decode, turn upright, shrink, strip and re-encode one photo.

    Returns the JPEG bytes, their width and height, and the difference hash.
    """
    limit = Image.MAX_IMAGE_PIXELS or 89_478_485
    unreadable = ValidationError(UNREADABLE_MESSAGE, code="unreadable")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning is a
            # refusal here, and the size is checked again below without relying on the
            # process-wide warning filters.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with timed_step("decode"):
                image: Image.Image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[kind]])
                width, height = image.size
                if width * height > limit:
                    raise _pixel_limit_error(width * height, limit)
                scale = _draft_scale(max(width, height))
                if kind == "jpeg" and scale > 1:
                    # Pillow picks the scale from the integer ratio, so ask for the floor.
                    image.draft("RGB", (width // scale, height // scale))
                image.load()
            with timed_step("transform"):
                image = _flatten(image)
                if scale > 1 and image.size == (width, height):
                    # What draft mode does for JPEG, for the others: an integer box
                    # reduction is a tenth of the cost of a resampling resize.
                    image = image.reduce(scale)
                ImageOps.exif_transpose(image, in_place=True)
                if max(image.size) > MAX_LONG_SIDE:
                    image.thumbnail(
                        (MAX_LONG_SIDE, MAX_LONG_SIDE),
                        Image.Resampling.BICUBIC,
                        reducing_gap=2.0,
                    )
                # Nothing of the original file but its pixels goes into the new one: no
                # EXIF (GPS, device, time), XMP, ICC profile or comments.
                image.info = {}
            with timed_step("encode"):
                output = io.BytesIO()
                image.save(output, format="JPEG", quality=JPEG_QUALITY)
            with timed_step("hash"):
                perceptual_hash = difference_hash(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        raise _pixel_limit_error(int(declared.group(1)) if declared else 0, limit) from None
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        KeyError,
        IndexError,
        TypeError,
        struct.error,
        MemoryError,
        RuntimeError,
    ):
        raise unreadable from None
    return output.getvalue(), image.width, image.height, perceptual_hash


def _pdf_names(chunk: bytes) -> set[bytes]:
    """The PDF name objects in a chunk, with "#xx" escapes decoded ("/J#61vaScript")."""
    return {
        _PDF_NAME_ESCAPE_RE.sub(lambda match: bytes([int(match.group(1), 16)]), raw)
        for raw in _PDF_NAME_RE.findall(chunk)
    }


def _pdf_inflated_streams(data: bytes) -> Iterator[bytes]:
    """Every stream that inflates with zlib (object streams can hide dictionaries), within
    a total budget so a compression bomb cannot exhaust memory."""
    budget = PDF_MAX_INFLATED_BYTES
    for match in _PDF_STREAM_RE.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[match.end() : end], budget + 1)
        except zlib.error:
            continue
        budget -= len(inflated)
        if budget < 0:
            raise ValidationError(PDF_ACTIVE_CONTENT_MESSAGE, code="pdf_too_complex")
        yield inflated


def check_pdf(data: bytes) -> None:
    if not data.startswith(_PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
        raise ValidationError(PDF_INCOMPLETE_MESSAGE, code="pdf_incomplete")
    names = _pdf_names(data)
    if b"Encrypt" in names:
        # Encrypted objects cannot be inspected, and reviewers could not open them either.
        raise ValidationError(PDF_ENCRYPTED_MESSAGE, code="pdf_encrypted")
    if names & _PDF_FORBIDDEN_NAMES:
        raise ValidationError(PDF_ACTIVE_CONTENT_MESSAGE, code="pdf_active_content")
    for inflated in _pdf_inflated_streams(data):
        if _pdf_names(inflated) & _PDF_FORBIDDEN_NAMES:
            raise ValidationError(PDF_ACTIVE_CONTENT_MESSAGE, code="pdf_active_content")


def prepare_document(upload: IO[bytes] | Any, *, allow_pdf: bool) -> PreparedDocument:
    """Everything document_store needs to know about an upload, or a ValidationError."""
    with timed_step("read"):
        raw_name = str(getattr(upload, "name", "") or "")
        # Checked first so a hand-made name is refused before any bytes are read.
        sanitise_original_name(raw_name, content_type=DocumentContentType.JPEG)
        data = read_upload(upload)
        kind = sniff(data)
    if kind is None or (kind == "pdf" and not allow_pdf):
        message = NOT_A_PHOTO_OR_PDF_MESSAGE if allow_pdf else NOT_A_PHOTO_MESSAGE
        raise ValidationError(message, code="not_accepted_type")
    if kind == "pdf":
        with timed_step("check"):
            check_pdf(data)
        with timed_step("hash"):
            digest = hashlib.sha256(data).hexdigest()
        return PreparedDocument(
            content=data,
            content_type=DocumentContentType.PDF,
            original_name=sanitise_original_name(raw_name, content_type=DocumentContentType.PDF),
            sha256=digest,
        )
    content, width, height, perceptual_hash = prepare_photo(data, kind=kind)
    with timed_step("hash"):
        digest = hashlib.sha256(content).hexdigest()
    return PreparedDocument(
        content=content,
        content_type=DocumentContentType.JPEG,
        original_name=sanitise_original_name(raw_name, content_type=DocumentContentType.JPEG),
        sha256=digest,
        width=width,
        height=height,
        perceptual_hash=perceptual_hash,
    )
