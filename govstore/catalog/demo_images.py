"""Example pictures for required documents, drawn rather than photographed so the demo
carries no real person's card. Each shows what a good photo looks like: the whole
document, straight on, every field visible."""

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 660, 420
INK = (40, 48, 60)
SOFT = (150, 160, 172)
CARD = (226, 238, 250)
SKIN = (236, 200, 170)
HAIR = (60, 50, 45)
SHIRT = (70, 110, 160)
RED = (190, 40, 35)
BACKDROP = (238, 241, 245)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _canvas(background: tuple[int, int, int] = BACKDROP) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    return image, ImageDraw.Draw(image)


def _field(draw: ImageDraw.ImageDraw, x: int, y: int, label: str, bar: int) -> None:
    draw.text((x, y), label, fill=SOFT, font=_font(15))
    draw.rounded_rectangle((x + 120, y + 2, x + 120 + bar, y + 16), radius=4, fill=SOFT)


def _card(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int]) -> None:
    draw.rounded_rectangle(box, radius=18, fill=CARD, outline=INK, width=3)


def _head_and_shoulders(draw: ImageDraw.ImageDraw, cx: int, top: int, scale: float) -> None:
    def s(value: float) -> int:
        return int(value * scale)

    draw.pieslice((cx - s(70), top + s(120), cx + s(70), top + s(260)), 180, 360, fill=SHIRT)
    draw.rectangle((cx - s(14), top + s(95), cx + s(14), top + s(130)), fill=SKIN)
    draw.ellipse((cx - s(42), top + s(10), cx + s(42), top + s(110)), fill=SKIN)
    draw.chord((cx - s(44), top + s(4), cx + s(44), top + s(70)), 180, 360, fill=HAIR)


def id_card_front() -> Image.Image:
    image, draw = _canvas()
    _card(draw, (40, 40, WIDTH - 40, HEIGHT - 40))
    rows = (("NAME", 120), ("SEX / ETHNIC", 90), ("BORN", 150), ("ADDRESS", 200), ("", 170))
    for index, (label, bar) in enumerate(rows):
        _field(draw, 70, 80 + index * 42, label, bar)
    draw.text((70, 310), "ID NUMBER", fill=SOFT, font=_font(15))
    draw.rounded_rectangle((190, 308, 560, 328), radius=4, fill=INK)
    draw.rectangle((450, 70, 590, 250), fill=(245, 248, 252), outline=SOFT, width=2)
    _head_and_shoulders(draw, 520, 80, 0.65)
    return image


def id_card_back() -> Image.Image:
    image, draw = _canvas()
    _card(draw, (40, 40, WIDTH - 40, HEIGHT - 40))
    draw.ellipse((75, 70, 175, 170), outline=RED, width=6)
    draw.regular_polygon((125, 120, 28), 5, rotation=180, fill=RED)
    draw.rounded_rectangle((220, 90, 580, 112), radius=5, fill=INK)
    draw.rounded_rectangle((260, 130, 540, 148), radius=5, fill=SOFT)
    _field(draw, 110, 270, "ISSUED BY", 260)
    _field(draw, 110, 310, "VALID", 260)
    return image


def holding_id() -> Image.Image:
    image, draw = _canvas()
    _head_and_shoulders(draw, 260, 60, 1.4)
    # The raised hand holds the card beside the face, photo side to the camera.
    draw.line((340, 340, 415, 250), fill=SHIRT, width=38)
    draw.rounded_rectangle((395, 120, 585, 240), radius=10, fill=CARD, outline=INK, width=3)
    draw.rectangle((520, 135, 570, 195), fill=(245, 248, 252), outline=SOFT, width=2)
    for index in range(3):
        draw.rounded_rectangle((410, 140 + index * 22, 500, 150 + index * 22), radius=3, fill=SOFT)
    draw.rounded_rectangle((410, 212, 570, 224), radius=3, fill=INK)
    draw.ellipse((392, 222, 442, 262), fill=SKIN)
    return image


def id_photo() -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((225, 40, 435, 380), fill=(255, 255, 255), outline=SOFT, width=2)
    _head_and_shoulders(draw, 330, 90, 1.1)
    return image


def vehicle_missing_plate() -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((0, 330, WIDTH, HEIGHT), fill=(200, 205, 212))
    draw.rounded_rectangle((150, 90, 510, 190), radius=40, fill=(90, 110, 135))
    draw.polygon([(200, 100), (460, 100), (430, 160), (230, 160)], fill=(200, 225, 245))
    draw.rounded_rectangle(
        (110, 170, 550, 320), radius=30, fill=(110, 135, 165), outline=INK, width=3
    )
    for x in (170, 490):
        draw.ellipse((x - 35, 200, x + 35, 240), fill=(255, 240, 180), outline=INK, width=2)
    draw.rectangle((120, 300, 200, 350), fill=INK)
    draw.rectangle((460, 300, 540, 350), fill=INK)
    # Where the plate should be: empty, outlined in red.
    for x in range(250, 410, 16):
        draw.line((x, 255, x + 8, 255), fill=RED, width=4)
        draw.line((x, 300, x + 8, 300), fill=RED, width=4)
    draw.line((250, 255, 250, 300), fill=RED, width=4)
    draw.line((410, 255, 410, 300), fill=RED, width=4)
    draw.text((318, 258), "?", fill=RED, font=_font(36))
    return image


def _document(title: str, stamp: str) -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((150, 20, 510, 400), fill=(255, 255, 255), outline=INK, width=3)
    draw.rectangle((150, 20, 510, 70), fill=SHIRT)
    draw.text((170, 32), title, fill=(255, 255, 255), font=_font(22))
    for index in range(7):
        width = 200 + (index * 53) % 120
        draw.rounded_rectangle(
            (175, 92 + index * 36, 175 + width, 106 + index * 36), radius=4, fill=SOFT
        )
    draw.ellipse((370, 280, 490, 380), outline=RED, width=5)
    draw.text((392, 318), stamp, fill=RED, font=_font(18))
    return image


def insurance_policy() -> Image.Image:
    return _document("INSURANCE POLICY", "PAID")


def vehicle_tax_proof() -> Image.Image:
    return _document("VEHICLE TAX", "PAID")


DRAWINGS: dict[str, Callable[[], Image.Image]] = {
    "id_card_front": id_card_front,
    "id_card_back": id_card_back,
    "holding_id": holding_id,
    "id_photo": id_photo,
    "vehicle_missing_plate": vehicle_missing_plate,
    "insurance_policy": insurance_policy,
    "vehicle_tax_proof": vehicle_tax_proof,
}


def example_png(drawing: str) -> bytes:
    buffer = io.BytesIO()
    DRAWINGS[drawing]().save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
