from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "govstore.feedback"
    label = "feedback"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        # Photos handed over with a complaint are shown only to whom this policy names;
        # the documents context calls it without knowing what a complaint is.
        from govstore.documents.access import register_access_policy
        from govstore.feedback.constants import EVIDENCE_DOCUMENT_PURPOSE
        from govstore.feedback.selectors import (
            complaint_reference_for_conversation,
            evidence_access_policy,
        )

        register_access_policy(EVIDENCE_DOCUMENT_PURPOSE, evidence_access_policy)

        # A supervisor deciding a complaint may read the chat it is about.
        from govstore.messaging.disputes import register_dispute_lookup

        register_dispute_lookup(complaint_reference_for_conversation)

        # Complaint and follow-up notifications, in feedback's own words.
        from govstore.feedback import notices
        from govstore.notifications.kinds import register_kind

        register_kind(notices.CITIZEN_KIND, notices.render_citizen)
        register_kind(notices.STAFF_KIND, notices.render_staff)
        register_kind(notices.FOLLOW_UP_KIND, notices.render_follow_up)
