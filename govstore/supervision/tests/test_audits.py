"""The fee audit catches an application charged otherwise than the standard in force;
the access audit lists every look at a citizen's documents and logs each lookup; the
flags single out a reviewer browsing other people's cases, not one doing their work."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import COURIER_FEE_ITEM_CODE, ApplicationEventKind
from govstore.applications.models import Application, ApplicationEvent
from govstore.applications.tests.factories import (
    ApplicationFactory,
    lost_licence_service,
    make_document,
    make_staff,
    make_supervisor,
)
from govstore.documents.models import DocumentAccess
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store
from govstore.stores.tests.factories import StoreFactory
from govstore.supervision.audits import fee_findings, staff_access_figures
from govstore.supervision.constants import (
    AccessFlagReason,
    FeeFindingKind,
    SupervisionEventKind,
)
from govstore.supervision.models import SupervisionEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SINCE = TODAY - datetime.timedelta(days=29)


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


# --- Fees -------------------------------------------------------------------------------


@pytest.fixture
def store() -> Store:
    return StoreFactory.create()


def _paid(store: Store, **changes: object) -> Application:
    service = lost_licence_service(store=store)
    application = ApplicationFactory.create(service=service, store=store, completed=True)
    if changes:
        Application.objects.filter(pk=application.pk).update(**changes)
        application.refresh_from_db()
    return application


def test_correctly_priced_applications_raise_nothing(store):
    application = _paid(store)
    # The courier's rate is not a regulated fee: never compared with a standard.
    application.fee_snapshot.append(
        {"fee_standard_id": None, "item_code": COURIER_FEE_ITEM_CODE, "amount_fen": 1800}
    )
    application.total_fen += 1800
    application.save(update_fields=["fee_snapshot", "total_fen"])
    assert fee_findings(store=None, since=SINCE, until=TODAY) == []


def test_a_tampered_amount_is_caught(store):
    clean = _paid(store)
    snapshot = [dict(line) for line in clean.fee_snapshot]
    snapshot[0]["unit_amount_fen"] = snapshot[0]["amount_fen"] = 1500
    mispriced = _paid(store, fee_snapshot=snapshot, total_fen=1500)

    findings = fee_findings(store=store, since=SINCE, until=TODAY)

    assert [(f.reference, f.kind, f.charged_fen, f.standard_fen) for f in findings] == [
        (mispriced.reference, FeeFindingKind.AMOUNT, 1500, 1000)
    ]
    assert findings[0].item_code == "driving-licence"


def test_another_legal_basis_a_missing_line_and_a_wrong_total_are_caught(store):
    template = _paid(store)
    wrong_basis = [dict(line, legal_basis="鲁价费〔1999〕1号") for line in template.fee_snapshot]
    basis = _paid(store, fee_snapshot=wrong_basis)
    missing = _paid(store, fee_snapshot=[], total_fen=0)
    total = _paid(store, total_fen=5000)

    kinds = {(f.reference, f.kind) for f in fee_findings(store=None, since=SINCE, until=TODAY)}

    assert kinds == {
        (basis.reference, FeeFindingKind.LEGAL_BASIS),
        (missing.reference, FeeFindingKind.LINE_MISSING),
        (total.reference, FeeFindingKind.TOTAL),
    }


def test_a_fee_with_no_standard_in_force_is_caught(store):
    template = _paid(store)
    unknown = [dict(line, item_code="unpublished-item") for line in template.fee_snapshot]
    application = _paid(store, fee_snapshot=unknown)
    kinds = [(f.reference, f.kind) for f in fee_findings(store=store, since=SINCE, until=TODAY)]
    assert (application.reference, FeeFindingKind.NO_STANDARD) in kinds


def test_fee_audit_page_and_csv(store):
    clean = _paid(store)
    snapshot = [dict(line, unit_amount_fen=1500, amount_fen=1500) for line in clean.fee_snapshot]
    mispriced = _paid(store, fee_snapshot=snapshot, total_fen=1500)
    client = _client(make_supervisor())

    page = client.get(reverse("supervision:fee_audit"))
    assert page.status_code == 200
    assert mispriced.reference in page.content.decode()
    assert clean.reference not in page.content.decode()

    export = client.get(reverse("supervision:fee_audit") + "?format=csv")
    assert mispriced.reference in export.content.decode("utf-8-sig")
    assert SupervisionEvent.objects.get().kind == SupervisionEventKind.FEE_AUDIT_EXPORT


# --- Document access ----------------------------------------------------------------------


def _view(actor, application: Application, times: int = 1, granted: bool = True) -> None:
    document = make_document(application.citizen, application)
    DocumentAccess.objects.bulk_create(
        DocumentAccess(
            document=document,
            requested_id=document.id,
            actor=actor,
            reason=f"reviewer of store {application.store_id}" if granted else "refused",
            granted=granted,
        )
        for _ in range(times)
    )


def _claim(reviewer, application: Application) -> None:
    ApplicationEvent.objects.create(
        application=application, actor=reviewer, kind=ApplicationEventKind.CLAIMED
    )


def test_access_lookup_lists_every_view_and_logs_the_lookup(store):
    application = ApplicationFactory.create(in_review=True, service__store=store, store=store)
    reviewer = application.claimed_by
    citizen_id_number = application.citizen.id_number
    assert reviewer is not None and citizen_id_number is not None
    _view(reviewer, application, times=2)
    _view(UserFactory.create(), application, granted=False)
    other = ApplicationFactory.create(paid=True, service__store=store, store=store)
    _view(reviewer, other)  # another citizen's: not listed
    supervisor = make_supervisor()
    client = _client(supervisor)

    response = client.post(
        reverse("supervision:access_audit"), {"query": citizen_id_number.lower()}
    )

    event = SupervisionEvent.objects.get()
    assert event.kind == SupervisionEventKind.ACCESS_LOOKUP
    assert event.actor == supervisor
    assert event.citizen == application.citizen
    assert citizen_id_number not in str(event.payload)  # kept masked
    assert response["Location"] == reverse("supervision:access_lookup", kwargs={"pk": event.pk})
    page = client.get(response["Location"])
    accesses = list(page.context["page_obj"].object_list)
    assert len(accesses) == 3
    html = page.content.decode()
    assert reviewer.staff_member.staff_number in html
    assert "Refused" in html
    # Only the supervisor who made the lookup reaches its results.
    assert _client(make_supervisor()).get(response["Location"]).status_code == 404


def test_an_unknown_citizen_is_said_so_and_still_logged():
    client = _client(make_supervisor())
    response = client.post(reverse("supervision:access_audit"), {"query": "13900000000"})
    assert response.status_code == 200
    assert "No account has this mobile number" in response.content.decode()
    event = SupervisionEvent.objects.get()
    assert event.citizen is None
    assert event.payload == {"query": "139****0000", "found": False}


def test_a_snooping_reviewer_is_flagged_and_a_working_one_is_not(store):
    worker = make_staff(store, StaffRole.REVIEWER)
    colleague = make_staff(store, StaffRole.REVIEWER)
    snooper = make_staff(store, StaffRole.REVIEWER)
    for reviewer, count in ((worker, 3), (colleague, 2)):
        for _ in range(count):
            application = ApplicationFactory.create(paid=True, service__store=store, store=store)
            _claim(reviewer, application)
            _view(reviewer, application, times=4)
    own = ApplicationFactory.create(paid=True, service__store=store, store=store)
    _claim(snooper, own)
    _view(snooper, own, times=2)
    for _ in range(6):
        _view(snooper, ApplicationFactory.create(paid=True, service__store=store, store=store))

    rows = {row.user: row for row in staff_access_figures(since=SINCE, until=TODAY)}

    assert rows[snooper].unrelated_views == 6
    assert rows[snooper].reviewed == 1
    assert rows[snooper].views_per_review == 8
    assert rows[snooper].colleagues_median == 4
    assert rows[snooper].reasons == [AccessFlagReason.UNRELATED]
    assert rows[worker].unrelated_views == 0
    assert not rows[worker].flagged
    assert not rows[colleague].flagged
    # Flagged first.
    assert staff_access_figures(since=SINCE, until=TODAY)[0].user == snooper


def test_far_more_views_per_review_than_colleagues_is_flagged(store):
    reviewers = [make_staff(store, StaffRole.REVIEWER) for _ in range(3)]
    for index, reviewer in enumerate(reviewers):
        application = ApplicationFactory.create(paid=True, service__store=store, store=store)
        _claim(reviewer, application)
        _view(reviewer, application, times=30 if index == 0 else 3)
    rows = {row.user: row for row in staff_access_figures(since=SINCE, until=TODAY)}
    assert rows[reviewers[0]].reasons == [AccessFlagReason.RATIO]
    assert not rows[reviewers[1]].flagged


def test_access_flags_page(store):
    reviewer = make_staff(store, StaffRole.REVIEWER)
    for _ in range(5):
        _view(reviewer, ApplicationFactory.create(paid=True, service__store=store, store=store))
    response = _client(make_supervisor()).get(reverse("supervision:access_flags"))
    assert response.status_code == 200
    assert response.context["flagged_count"] == 1
    assert reviewer.staff_member.staff_number in response.content.decode()


def test_lookup_of_a_random_event_is_404():
    client = _client(make_supervisor())
    assert client.get(reverse("supervision:access_lookup", kwargs={"pk": 999})).status_code == 404


def test_reviewing_a_redo_is_not_viewing_someone_elses_case(store):
    """A redo ordered after a complaint carries the original's photos over; the reviewer
    of the redo opens them as part of their own work, not as snooping."""
    from govstore.applications.models import ApplicationDocument
    from govstore.applications.services import application_redo

    original = ApplicationFactory.create(completed=True, service__store=store, store=store)
    document = make_document(original.citizen, original)
    ApplicationDocument.objects.create(application=original, key="photo", document=document)
    redo = application_redo(
        actor=make_supervisor(), application=original, reason="Redone after a complaint"
    )
    reviewer = make_staff(store, StaffRole.REVIEWER)
    _claim(reviewer, redo)
    DocumentAccess.objects.bulk_create(
        DocumentAccess(
            document=document,
            requested_id=document.id,
            actor=reviewer,
            reason=f"reviewer of store {store.pk}",
            granted=True,
        )
        for _ in range(6)
    )

    (row,) = staff_access_figures(since=SINCE, until=TODAY)

    assert row.applications_viewed == 1
    assert row.unrelated_views == 0
    assert not row.flagged


def test_in_a_store_of_two_the_one_viewing_far_more_per_review_is_flagged(store):
    """The yardstick is the colleagues' habit, not including the person measured: with
    their own ratio in the median, one of two could never stand out."""
    careful, browsing = (make_staff(store, StaffRole.REVIEWER) for _ in range(2))
    for reviewer, times in ((careful, 3), (browsing, 30)):
        application = ApplicationFactory.create(paid=True, service__store=store, store=store)
        _claim(reviewer, application)
        _view(reviewer, application, times=times)

    rows = {row.user: row for row in staff_access_figures(since=SINCE, until=TODAY)}

    assert rows[browsing].colleagues_median == 3
    assert rows[browsing].reasons == [AccessFlagReason.RATIO]
    assert rows[careful].colleagues_median == 30
    assert not rows[careful].flagged
