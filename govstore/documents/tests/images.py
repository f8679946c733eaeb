"""Test files made on the fly: photos with EXIF, HEIC, hostile files."""

import io
import random
import struct
import zlib

import pillow_heif
from PIL import Image, ImageChops, ImageDraw
from PIL.ExifTags import GPS, IFD, Base

pillow_heif.register_heif_opener()


def gps_exif(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[Base.Make] = "ExamplePhone"
    exif[Base.Orientation] = orientation
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (36.0, 4.0, 12.5)
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (120.0, 22.0, 5.0)
    return exif


def textured(width: int = 320, height: int = 240, *, scene: int = 1) -> Image.Image:
    """A picture with gradients, shapes and noise, so its difference hash means something;
    each `scene` is a different picture."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.linear_gradient("L").rotate(90).resize((width, height))
    noise = Image.effect_noise((width, height), 12)
    picture = Image.merge(
        "RGB", [ImageChops.add(channel, noise, scale=2.0) for channel in (red, green, blue)]
    )
    draw = ImageDraw.Draw(picture)
    shapes = random.Random(scene)
    for _shape in range(12):
        left, top = shapes.randrange(width), shapes.randrange(height)
        box = (
            left,
            top,
            left + shapes.randrange(width // 8, width // 2),
            top + shapes.randrange(height // 8, height // 2),
        )
        colour = tuple(shapes.randrange(256) for _channel in range(3))
        (draw.ellipse if shapes.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return picture


def jpeg_bytes(image: Image.Image | None = None, *, quality: int = 90, **save: object) -> bytes:
    output = io.BytesIO()
    (image or textured()).save(output, format="JPEG", quality=quality, **save)
    return output.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def heic_bytes(image: Image.Image | None = None) -> bytes:
    output = io.BytesIO()
    (image or textured()).save(output, format="HEIF", quality=80)
    return output.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's header segments, up to the start of the scan."""
    markers = []
    position = 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


def pdf_bytes(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R "
        + body
        + b" >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def pdf_with_compressed_object(dictionary: bytes) -> bytes:
    stream = zlib.compress(dictionary)
    return (
        b"%PDF-1.7\n3 0 obj\n<< /Type /ObjStm /Length "
        + str(len(stream)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
