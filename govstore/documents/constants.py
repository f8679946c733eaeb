from django.db import models
from django.utils.translation import gettext_lazy as _

# The re-encoded photo's long side never exceeds this; reviewers read ID cards at it.
MAX_LONG_SIDE = 2400
# JPEG draft decoding may shrink a photo by 1/2, 1/4 or 1/8 while decoding, which is
# four times cheaper than a full decode and resize, but never below this long side.
MIN_DRAFT_LONG_SIDE = 1600
JPEG_QUALITY = 85
# Two photos whose 64-bit difference hashes differ in at most this many bits are the
# same picture (re-saved, resized or recompressed).
NEAR_DUPLICATE_MAX_DISTANCE = 4
# The hash is cut into this many bands, each stored in its own indexed column: two hashes
# within NEAR_DUPLICATE_MAX_DISTANCE bits agree on at least one whole band (pigeonhole),
# so candidates are found by index and only they are compared bit by bit.
PERCEPTUAL_HASH_BANDS = ((0, 13), (13, 26), (26, 39), (39, 52), (52, 64))
ORIGINAL_NAME_MAX_LENGTH = 120
# A PDF is inflated in memory only to look for active content; beyond this it is refused.
PDF_MAX_INFLATED_BYTES = 64 * 1024 * 1024


class DocumentContentType(models.TextChoices):
    JPEG = "image/jpeg", _("Photo (JPEG)")
    PDF = "application/pdf", _("PDF document")


class DocumentEventKind(models.TextChoices):
    STORED = "stored", _("Stored")
    PURGE_SCHEDULED = "purge_scheduled", _("Purge scheduled")
    PURGED = "purged", _("Purged")
