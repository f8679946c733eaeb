from django.conf import settings
from django.db import models


class EventBase(models.Model):
    """An append-only record of something that happened to an aggregate.

    Each context keeps its own event table (accounts, applications, ...). The same rows
    are the audit trail and the timeline a person is shown, so they are never updated.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
