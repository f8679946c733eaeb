"""The PDF receipt of a paid application: each fee line with the legal basis it was
charged under, the payment, any refund, and a QR code to the receipt's public
verification page, so a copy can be checked against our records by anyone holding it."""

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from govstore.applications.events import snapshot_text
from govstore.applications.models import Application
from govstore.core.i18n import localized
from govstore.core.masking import mask_name
from govstore.core.money import format_fen

# One of the CJK fonts every PDF reader carries, so nothing is embedded and the receipt
# reads the same in Chinese and English.
FONT = "STSong-Light"


@dataclass(frozen=True)
class ReceiptPayment:
    out_trade_no: str
    gateway_trade_no: str
    paid_at: datetime.datetime | None
    amount_fen: int
    refunded_fen: int


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def receipt_pdf(
    *,
    application: Application,
    payment: ReceiptPayment | None,
    verify_url: str,
    compress: bool = True,
) -> bytes:
    """The receipt in the active language, one A4 page (fee lists are short)."""
    font = _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0)
    canvas.setTitle(_("Receipt %(reference)s") % {"reference": application.reference})
    width, height = A4
    left = 20 * mm
    y = height - 25 * mm

    def line(text: str, *, size: float = 10, x: float = left, gap: float = 6 * mm) -> None:
        nonlocal y
        canvas.setFont(font, size)
        canvas.drawString(x, y, text)
        y -= gap

    store = application.store
    service = application.service_snapshot
    line(_("Receipt"), size=18, gap=9 * mm)
    line(localized(store, "name"), size=12)
    line(localized(store.agency, "name"))
    y -= 2 * mm
    line(_("Application number: %(reference)s") % {"reference": application.reference})
    line(_("Service: %(name)s") % {"name": snapshot_text(service, "name")})
    payer = application.citizen.real_name or application.citizen.mobile
    line(_("Paid by: %(name)s") % {"name": mask_name(payer)})
    y -= 4 * mm

    # The fee lines, each with its legal basis.
    columns = (left, left + 70 * mm, left + 88 * mm, left + 118 * mm)
    canvas.setFont(font, 9)
    for x, title in zip(
        columns, (_("Item"), _("Quantity"), _("Unit price"), _("Amount")), strict=True
    ):
        canvas.drawString(x, y, title)
    y -= 2 * mm
    canvas.line(left, y, width - left, y)
    y -= 5 * mm
    for fee in application.fee_snapshot:
        canvas.setFont(font, 10)
        canvas.drawString(columns[0], y, snapshot_text(fee, "name")[:30])
        canvas.drawString(columns[1], y, str(fee.get("quantity", 1)))
        canvas.drawString(columns[2], y, format_fen(int(fee.get("unit_amount_fen", 0))))
        canvas.drawString(columns[3], y, format_fen(int(fee.get("amount_fen", 0))))
        y -= 5 * mm
        basis = fee.get("legal_basis") or ""
        if basis:
            canvas.setFont(font, 8)
            canvas.drawString(
                columns[0] + 4 * mm,
                y,
                _("Charged under %(basis)s, in force from %(date)s")
                % {"basis": basis, "date": fee.get("effective_from", "")},
            )
            y -= 5 * mm
    canvas.line(left, y + 3 * mm, width - left, y + 3 * mm)
    y -= 2 * mm
    line(_("Total: %(amount)s") % {"amount": format_fen(application.total_fen)}, size=12)
    y -= 2 * mm

    if payment is not None:
        line(_("Payment"), size=12)
        line(_("Paid at: %(when)s") % {"when": _when(payment.paid_at)})
        line(_("Our payment number: %(number)s") % {"number": payment.out_trade_no})
        line(_("Gateway trade number: %(number)s") % {"number": payment.gateway_trade_no})
        if payment.refunded_fen:
            line(_("Refunded: %(amount)s") % {"amount": format_fen(payment.refunded_fen)})
            line(
                _("Kept: %(amount)s")
                % {"amount": format_fen(payment.amount_fen - payment.refunded_fen)}
            )

    # The QR code and the address it holds, bottom right, with a line saying why.
    size = 38 * mm
    widget = QrCodeWidget(verify_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, width - left - size, 25 * mm)
    canvas.setFont(font, 8)
    canvas.drawString(left, 40 * mm, _("Scan the code or open this address to check this receipt:"))
    canvas.drawString(left, 35 * mm, verify_url)
    canvas.drawString(
        left, 28 * mm, _("Issued %(when)s by govstore") % {"when": _when(timezone.now())}
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def receipt_facts(application: Application, payment: ReceiptPayment | None) -> dict[str, Any]:
    """What the public verification page shows: enough to match a paper copy, nothing
    that identifies the citizen beyond a masked name."""
    payer = application.citizen.real_name or application.citizen.mobile
    return {
        "reference": application.reference,
        "store": application.store,
        "service_name": snapshot_text(application.service_snapshot, "name"),
        "payer": mask_name(payer),
        "total_fen": application.total_fen,
        "paid_at": payment.paid_at if payment else None,
        "refunded_fen": payment.refunded_fen if payment else 0,
        "status": application.citizen_status_text,
    }
