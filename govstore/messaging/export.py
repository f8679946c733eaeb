"""A conversation as a PDF for a dispute: every message in order with who sent it and
when, "recalled" where a message was taken back, and for each photo the SHA-256 of the
stored file, so the copy can be checked against the documents it names."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from govstore.core.i18n import localized
from govstore.messaging.models import Conversation, Message
from govstore.messaging.selectors import sender_label_text

# One of the CJK fonts every PDF reader carries: nothing embedded, both languages read.
FONT = "STSong-Light"
BATCH = 500


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width`, breaking anywhere (Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for character in paragraph:
            if pdfmetrics.stringWidth(current + character, font, size) > width:
                lines.append(current)
                current = character
            else:
                current += character
        lines.append(current)
    return lines


def conversation_pdf(*, conversation: Conversation, compress: bool = True) -> bytes:
    """The whole conversation, in the active language, on as many A4 pages as it needs."""
    font = _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0)
    width, height = A4
    left, right, top, bottom = 18 * mm, 18 * mm, 20 * mm, 18 * mm
    usable = width - left - right
    y = height - top
    store = conversation.store
    if conversation.application is not None:
        title = _("Messages about %(reference)s") % {
            "reference": conversation.application.reference
        }
    else:
        title = _("Question before applying")
    canvas.setTitle(title)

    def line(
        text: str,
        *,
        size: float = 9.5,
        gap: float = 5 * mm,
        indent: float = 0,
        face: str = "",
    ) -> None:
        nonlocal y
        if y < bottom:
            canvas.showPage()
            y = height - top
        canvas.setFont(face or font, size)
        canvas.drawString(left + indent, y, text)
        y -= gap

    line(title, size=15, gap=8 * mm)
    line(localized(store, "name"), size=11)
    line(
        _("Exported %(when)s; %(count)d messages.")
        % {
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "count": conversation.last_seq,
        }
    )
    y -= 3 * mm
    cursor = 0
    while True:
        batch = list(
            Message.objects.filter(conversation=conversation, seq__gt=cursor)
            .select_related("document")
            .order_by("seq")[:BATCH]
        )
        for message in batch:
            when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M:%S")
            line(
                f"#{message.seq}  {when}  {sender_label_text(message, store)}",
                size=9,
                gap=4.5 * mm,
            )
            if message.recalled_at is not None:
                line(
                    _("Recalled at %(when)s")
                    % {"when": timezone.localtime(message.recalled_at).strftime("%H:%M:%S")},
                    indent=6 * mm,
                )
            else:
                for text in _wrap(message.body, font, 9.5, usable - 6 * mm):
                    if text or message.body:
                        line(text, indent=6 * mm)
            if message.document is not None and message.recalled_at is None:
                line(
                    _("Photo %(name)s, SHA-256:") % {"name": message.document.original_name},
                    size=8,
                    indent=6 * mm,
                    gap=4 * mm,
                )
                # A plain Latin font, so the hash can be copied out of the PDF as text.
                line(message.document.sha256, size=8, indent=6 * mm, face="Courier")
            if message.filed_as:
                line(
                    _("Filed onto the application as %(key)s") % {"key": message.filed_as},
                    size=8,
                    indent=6 * mm,
                )
            y -= 2 * mm
        if len(batch) < BATCH:
            break
        cursor = batch[-1].seq
    canvas.save()
    return buffer.getvalue()
