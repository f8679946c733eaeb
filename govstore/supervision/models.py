from django.conf import settings
from django.db import models

from govstore.core.models import EventBase
from govstore.stores.models import Store
from govstore.supervision.constants import SupervisionEventKind


class SupervisionEvent(EventBase):
    """What supervisors read that touches personal data or leaves the site: each lookup
    of who viewed a citizen's documents and each export. The watchers are watched too."""

    kind = models.CharField(max_length=32, choices=SupervisionEventKind.choices)
    # The citizen whose documents' access log was read.
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The store an export was about; empty for all stores.
    store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["actor", "created_at"], name="supervision_event_actor")]
