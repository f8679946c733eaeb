"""The sandbox courier's printable label: A6, like the thermal labels couriers print,
with the tracking number as a Code128 barcode for the pickup scanner, a QR code to the
parcel's tracking page, the recipient (mobile masked, as couriers now print it) and
the sender."""

import io
from collections.abc import Mapping
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from govstore.core.masking import mask_mobile

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MARGIN = 6 * mm


def _register_fonts() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text to the width character by character: Chinese has no spaces to break
    at, and addresses mix both scripts."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, font, size) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def _address_line(person: Mapping[str, Any]) -> str:
    parts = [person.get(name, "") for name in ("province_zh", "city", "district", "street")]
    return "".join(str(part) for part in parts if part)


def label_pdf(
    *,
    tracking_number: str,
    recipient: Mapping[str, Any],
    sender: Mapping[str, Any],
    tracking_url: str,
    compress: bool = True,
) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    width, height = A6
    pdf = canvas.Canvas(buffer, pagesize=A6, pageCompression=1 if compress else 0)
    pdf.setTitle(f"Waybill {tracking_number}")
    pdf.setAuthor("Sandbox courier")
    inner = width - 2 * MARGIN
    y = height - MARGIN

    # Banner: nobody should hand this label to a real courier.
    pdf.setFillGray(0.15)
    pdf.rect(MARGIN, y - 9 * mm, inner, 9 * mm, stroke=0, fill=1)
    pdf.setFillGray(1)
    pdf.setFont(CJK_FONT, 9)
    pdf.drawString(MARGIN + 2 * mm, y - 4.2 * mm, "沙箱快递 · 非真实包裹")
    pdf.setFont(LATIN_FONT, 7)
    pdf.drawString(MARGIN + 2 * mm, y - 7.6 * mm, "Sandbox courier - no real parcel")
    pdf.setFillGray(0)
    y -= 12 * mm

    barcode = code128.Code128(tracking_number, barHeight=16 * mm, barWidth=0.36 * mm, quiet=False)
    barcode.drawOn(pdf, MARGIN + (inner - barcode.width) / 2, y - 16 * mm)
    y -= 20 * mm
    pdf.setFont(LATIN_BOLD, 12)
    pdf.drawCentredString(width / 2, y, tracking_number)
    y -= 5 * mm
    pdf.line(MARGIN, y, width - MARGIN, y)
    y -= 6 * mm

    qr_size = 24 * mm
    text_width = inner - qr_size - 3 * mm
    pdf.setFont(CJK_FONT, 8)
    pdf.drawString(MARGIN, y, "收件人 Recipient")
    y -= 6 * mm
    pdf.setFont(CJK_FONT, 13)
    name_line = f"{recipient.get('recipient', '')}  {mask_mobile(str(recipient.get('mobile', '')))}"
    pdf.drawString(MARGIN, y, name_line)
    top_of_qr = y + 2 * mm
    y -= 6 * mm
    pdf.setFont(CJK_FONT, 10)
    for line in _wrap(_address_line(recipient), CJK_FONT, 10, text_width)[:4]:
        pdf.drawString(MARGIN, y, line)
        y -= 5 * mm
    postcode = str(recipient.get("postcode", ""))
    if postcode:
        pdf.setFont(LATIN_FONT, 9)
        pdf.drawString(MARGIN, y, postcode)
        y -= 5 * mm

    qr = QrCodeWidget(tracking_url)
    x1, y1, x2, y2 = qr.getBounds()
    drawing = Drawing(
        qr_size, qr_size, transform=[qr_size / (x2 - x1), 0, 0, qr_size / (y2 - y1), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - MARGIN - qr_size, top_of_qr - qr_size)
    y = min(y, top_of_qr - qr_size) - 3 * mm

    pdf.line(MARGIN, y, width - MARGIN, y)
    y -= 6 * mm
    pdf.setFont(CJK_FONT, 8)
    pdf.drawString(MARGIN, y, "寄件人 Sender")
    y -= 5 * mm
    pdf.setFont(CJK_FONT, 10)
    for line in _wrap(str(sender.get("name_zh", "")), CJK_FONT, 10, inner)[:2]:
        pdf.drawString(MARGIN, y, line)
        y -= 5 * mm
    pdf.setFont(LATIN_FONT, 8)
    for line in _wrap(str(sender.get("name_en", "")), LATIN_FONT, 8, inner)[:2]:
        pdf.drawString(MARGIN, y, line)
        y -= 4 * mm

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
