"""The sale confirmation (成交确认书): issued to the winner in their real name once the
auction closes (Art. 22), with the price, the deposit counted towards it, the balance
and its deadline, and the bid log's final hash so the copy can be matched to the
published log."""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from govstore.auctions.models import Lot, Registration
from govstore.core.i18n import localized
from govstore.core.money import format_fen

# A CJK font every PDF reader carries, so nothing is embedded.
FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def confirmation_pdf(
    *, lot: Lot, winner: Registration, balance_fen: int, compress: bool = True
) -> bytes:
    """One A4 page in the active language; the winner's name as verified."""
    font = _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0)
    canvas.setTitle(_("Sale confirmation %(reference)s") % {"reference": lot.reference})
    height = A4[1]
    left = 20 * mm
    y = height - 25 * mm

    def line(text: str, *, size: float = 10, gap: float = 7 * mm) -> None:
        nonlocal y
        canvas.setFont(font, size)
        canvas.drawString(left, y, text[:90])
        y -= gap

    bidder = winner.bidder
    line(_("Sale confirmation"), size=18, gap=10 * mm)
    line(localized(lot.court, "name"), size=12)
    y -= 3 * mm
    line(_("Lot number: %(reference)s") % {"reference": lot.reference})
    line(_("Lot: %(title)s") % {"title": lot.title})
    if lot.vehicle is not None:
        line(_("Vehicle plate: %(plate)s") % {"plate": lot.vehicle.plate_number})
    y -= 3 * mm
    line(_("Buyer: %(name)s") % {"name": bidder.real_name}, size=12)
    line(_("ID number: %(number)s") % {"number": bidder.id_number or ""})
    line(_("Bidding code: %(code)s") % {"code": winner.code})
    y -= 3 * mm
    line(_("Price: %(amount)s") % {"amount": format_fen(lot.final_price_fen or 0)}, size=12)
    line(
        _("Deposit counted towards the price: %(amount)s")
        % {"amount": format_fen(winner.deposit_fen)}
    )
    line(_("Balance to pay: %(amount)s") % {"amount": format_fen(balance_fen)})
    line(_("Pay the balance by: %(when)s") % {"when": _when(lot.balance_due_at)})
    if lot.balance_paid_at is not None:
        line(_("Balance paid: %(when)s") % {"when": _when(lot.balance_paid_at)})
    y -= 3 * mm
    line(_("Auction closed: %(when)s") % {"when": _when(lot.closed_at)})
    line(_("Bids: %(count)d") % {"count": lot.bid_count})
    canvas.setFont(font, 8)
    canvas.drawString(left, y, _("Final hash of the published bid log:"))
    y -= 5 * mm
    canvas.drawString(left, y, lot.log_head)
    y -= 10 * mm
    line(
        _(
            "The buyer who does not pay the balance by the deadline loses the deposit and "
            "may not bid when the lot is offered again."
        ),
        size=8,
    )
    canvas.setFont(font, 8)
    canvas.drawString(left, 20 * mm, _("Issued %(when)s") % {"when": _when(timezone.now())})
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
