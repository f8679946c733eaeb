"""Complaint pages: filing from the application page, the one complaint page with the
actions of whoever looks at it, the store's and the supervisors' lists; strangers get
404, user text is shown as text, both languages."""

import pytest
from django.test import Client
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.tests.factories import (
    ApplicationFactory,
    make_staff,
    make_supervisor,
)
from govstore.applications.tests.helpers import photo
from govstore.feedback import services
from govstore.feedback.constants import ComplaintCategory, ComplaintStatus
from govstore.feedback.models import Complaint, ComplaintEvent
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def _as(user, language="en"):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def _filed(text="Nine working days, not five."):
    application = ApplicationFactory.create(lost_licence=True, completed=True)
    complaint = services.complaint_file(
        actor=application.citizen,
        application=application,
        category=ComplaintCategory.DELAY,
        text=text,
    )
    return application, complaint


def _detail(complaint):
    return reverse("feedback:complaint_detail", args=[complaint.reference])


def test_the_application_page_offers_a_complaint_to_its_citizen():
    application = ApplicationFactory.create(lost_licence=True, delivered=True)
    page = _as(application.citizen).get(
        reverse("applications:detail", args=[application.reference])
    )
    assert "Complain about this application" in page.text
    unpaid = ApplicationFactory.create(lost_licence=True, awaiting_payment=True)
    page = _as(unpaid.citizen).get(reverse("applications:detail", args=[unpaid.reference]))
    assert "Complain about this application" not in page.text


@pytest.mark.parametrize(
    ("language", "heading", "category"),
    [("en", "Make a complaint", "Delay past the promise"), ("zh-hans", "投诉", "超过承诺时限")],
)
def test_filing_page_in_both_languages(language, heading, category):
    application = ApplicationFactory.create(lost_licence=True, completed=True)
    url = reverse("feedback:complaint_new") + f"?application={application.reference}"
    page = _as(application.citizen, language).get(url)
    assert page.status_code == 200
    assert heading in page.text and category in page.text


def test_citizen_files_with_a_photo_and_sees_it_as_text():
    application = ApplicationFactory.create(lost_licence=True, completed=True)
    client = _as(application.citizen)
    url = reverse("feedback:complaint_new") + f"?application={application.reference}"
    empty = client.post(url, {"category": ""})
    assert empty.status_code == 400
    assert "There is a problem" in empty.text and not Complaint.objects.exists()
    response = client.post(
        url, {"category": "delay", "text": HOSTILE, "images": [photo("one.jpg")]}
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(complaint)
    page = client.get(_detail(complaint))
    assert HOSTILE not in page.text
    assert "&lt;script&gt;" in page.text
    assert "Photo 1" in page.text
    assert complaint.evidence.count() == 1


def test_someone_elses_application_is_404_on_the_filing_page():
    application = ApplicationFactory.create(lost_licence=True, completed=True)
    url = reverse("feedback:complaint_new") + f"?application={application.reference}"
    stranger = _as(UserFactory.create(verified=True))
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"category": "delay", "text": "x"}).status_code == 404
    assert not Complaint.objects.exists()


def test_a_store_complaint_from_the_store_link():
    application = ApplicationFactory.create(completed=True)
    citizen = UserFactory.create(verified=True)
    url = reverse("feedback:complaint_new") + f"?store={application.store.slug}"
    response = _as(citizen).post(url, {"category": "conduct", "text": "Rude."})
    assert response.status_code == 302
    assert Complaint.objects.get().application is None


def test_the_complaint_page_is_404_to_strangers_and_other_stores():
    application, complaint = _filed()
    other_store = make_staff(ApplicationFactory.create().store, StaffRole.CUSTOMER_SERVICE)
    reviewer = make_staff(application.store, StaffRole.REVIEWER)
    for person in (UserFactory.create(verified=True), other_store, reviewer):
        assert _as(person).get(_detail(complaint)).status_code == 404
    assert _as(None).get(_detail(complaint)).status_code == 302  # to sign in
    for person in (application.citizen, make_supervisor()):
        assert _as(person).get(_detail(complaint)).status_code == 200


def test_the_whole_journey_through_the_pages():
    application, complaint = _filed()
    staff = make_staff(application.store, StaffRole.CUSTOMER_SERVICE)
    supervisor = make_supervisor()
    store_client, citizen_client = _as(staff), _as(application.citizen)
    reference = complaint.reference

    page = store_client.get(_detail(complaint))
    assert "We are looking into it" in page.text
    store_client.post(reverse("feedback:complaint_acknowledge", args=[reference]))
    blank = store_client.post(reverse("feedback:complaint_answer", args=[reference]), {})
    assert blank.status_code == 400 and "There is a problem" in blank.text
    store_client.post(
        reverse("feedback:complaint_answer", args=[reference]), {"answer": "Our printer broke."}
    )
    page = citizen_client.get(_detail(complaint))
    assert "Our printer broke." in page.text and "Accept the answer" in page.text
    # The store cannot escalate for the citizen; the page says why and nothing changes.
    refused = store_client.post(
        reverse("feedback:complaint_escalate", args=[reference]), {"escalate-reason": "x"}
    )
    assert refused.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    citizen_client.post(
        reverse("feedback:complaint_escalate", args=[reference]),
        {"escalate-reason": "Not good enough."},
    )
    page = _as(supervisor).get(_detail(complaint))
    assert "Record the decision" in page.text
    response = _as(supervisor).post(
        reverse("feedback:complaint_decide", args=[reference]),
        {"decision": "Upheld.", "upheld": "yes", "apology": "on", "remedy_note": "Delay"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.upheld is True
    apology = complaint.remedies.get()
    store_client.post(
        reverse("feedback:remedy_apology", args=[reference, apology.pk]),
        {"text": "We apologise for the delay."},
    )
    page = citizen_client.get(_detail(complaint))
    assert "We apologise for the delay." in page.text
    assert "Reopen" in page.text


def test_lists_for_each_role_are_paged_and_closed_to_others():
    application, complaint = _filed()
    staff = make_staff(application.store, StaffRole.STORE_ADMIN)
    mine = _as(application.citizen).get(reverse("feedback:complaints_mine"))
    assert complaint.reference in mine.text
    store_list = _as(staff).get(reverse("feedback:complaints_store") + "?status=filed&late=on")
    assert store_list.status_code == 200
    assert complaint.reference not in store_list.text  # not late yet
    store_list = _as(staff).get(reverse("feedback:complaints_store") + "?status=filed")
    assert complaint.reference in store_list.text
    supervision = _as(make_supervisor()).get(reverse("feedback:complaints_supervision"))
    assert complaint.reference in supervision.text
    assert _as(application.citizen).get(reverse("feedback:complaints_store")).status_code == 404
    assert _as(staff).get(reverse("feedback:complaints_supervision")).status_code == 404


def test_a_refused_post_from_a_stranger_is_404_and_changes_nothing():
    _application, complaint = _filed()
    stranger = _as(UserFactory.create(verified=True))
    before = ComplaintEvent.objects.count()
    response = stranger.post(reverse("feedback:complaint_withdraw", args=[complaint.reference]))
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FILED
    assert ComplaintEvent.objects.count() == before
