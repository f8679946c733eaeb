"""The citizen hears of what others do to their application, in their own language."""

import pytest

from govstore.applications.services import (
    application_approve,
    application_claim,
    application_save_answers,
)
from govstore.applications.tests.factories import ApplicationFactory, make_staff
from govstore.applications.tests.helpers import claimer
from govstore.notifications.kinds import render
from govstore.notifications.models import Notification, NotificationDelivery
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db


def test_what_the_store_does_reaches_the_citizen_and_what_they_do_themselves_does_not(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory.create(lost_licence=True)
    application_save_answers(
        actor=application.citizen, application=application, answers={"mobile": "13812345678"}
    )
    assert not Notification.objects.filter(recipient=application.citizen).exists()

    paid = ApplicationFactory.create(lost_licence=True, paid=True, with_documents=True)
    reviewer = make_staff(paid.store, StaffRole.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        paid = application_claim(actor=reviewer, application=paid)
        paid = application_approve(actor=claimer(paid), application=paid)
    notices = Notification.objects.filter(recipient=paid.citizen).order_by("pk")
    assert [n.params["event"] for n in notices] == ["claimed", "approved"]
    # A reviewer starting is shown in the centre only; the approval also goes by SMS.
    channels = {
        n.params["event"]: sorted(
            NotificationDelivery.objects.filter(notification=n).values_list("channel", flat=True)
        )
        for n in notices
    }
    assert channels == {"claimed": [], "approved": ["sms"]}


def test_the_notice_reads_in_the_recipients_language():
    params = {"reference": "GS-1", "event": "approved", "reason": ""}
    assert render("application_update", params, language="en").body == (
        "Your application was approved."
    )
    assert render("application_update", params, language="zh-hans").title == "申请 GS-1"
