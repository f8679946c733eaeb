"""What approving and producing does to the registry."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from govstore.applications.constants import ApplicationEventKind, ApplicationStatus
from govstore.applications.issuance import issuance_kind
from govstore.applications.services import (
    application_approve,
    application_production_done,
    application_production_start,
)
from govstore.applications.tests.factories import (
    ApplicationFactory,
    inspection_mark_service,
    lost_plates_service,
    make_staff,
)
from govstore.applications.tests.helpers import claimer, licence_of, vehicle_of
from govstore.registry.constants import (
    DocumentKind,
    IssueCheckOutcome,
    LicenceStatus,
    PlateStatus,
)
from govstore.registry.models import (
    DrivingLicence,
    ElectronicInspectionMark,
    Plate,
    TemporaryPlate,
)
from govstore.registry.provider import get_registry
from govstore.registry.selectors import issue_check_for_public
from govstore.stores.constants import StaffRole

S = ApplicationStatus
pytestmark = pytest.mark.django_db


def _produce(application):
    producer = make_staff(application.store, StaffRole.PRODUCER)
    application = application_production_start(actor=producer, application=application)
    return application_production_done(actor=producer, application=application)


def test_the_demo_services_lead_to_the_right_registry_write():
    assert issuance_kind(subject="driving_licence", checks=["licence_exists"]) == (
        "licence_replacement"
    )
    assert issuance_kind(subject="driving_licence", checks=["licence_renewal_window"]) == "none"
    assert issuance_kind(subject="vehicle", checks=["vehicle_owned_by_applicant"]) == (
        "plates_replacement"
    )
    assert issuance_kind(subject="vehicle", checks=["vehicle_inspection_window"]) == (
        "inspection_mark"
    )
    assert issuance_kind(subject="none", checks=[]) == "none"


def test_a_lost_licence_is_reissued_and_the_public_check_voids_the_old_serial():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    old = licence_of(application.citizen)
    application = application_approve(actor=claimer(application), application=application)
    application = _produce(application)

    assert application.status == S.READY_FOR_DISPATCH
    old.refresh_from_db()
    assert old.status == LicenceStatus.VOID
    new = DrivingLicence.objects.get(number=old.number, issue_serial=2)
    assert new.status == LicenceStatus.VALID
    assert application.issuance["void_serial"] == 1
    assert application.issuance["new_serial"] == 2

    def public(serial):
        return issue_check_for_public(
            requester="198.51.100.7",
            document=DocumentKind.DRIVING_LICENCE,
            number=old.number,
            serial=serial,
        ).outcome

    assert public(1) == IssueCheckOutcome.SUPERSEDED
    assert public(2) == IssueCheckOutcome.CURRENT_VALID
    event = application.events.get(kind=ApplicationEventKind.PRODUCTION_DONE)
    assert event.payload["new_serial"] == 2


def test_a_registry_refusal_at_production_changes_nothing():
    application = ApplicationFactory.create(lost_licence=True, in_production=True)
    licence_of(application.citizen, seized=True)
    producer = make_staff(application.store, StaffRole.PRODUCER)
    with pytest.raises(ValidationError) as refused:
        application_production_done(actor=producer, application=application)
    assert refused.value.code == "licence_seized"
    application.refresh_from_db()
    assert application.status == S.IN_PRODUCTION and application.issuance == {}
    assert DrivingLicence.objects.count() == 1
    assert not application.events.filter(kind=ApplicationEventKind.PRODUCTION_DONE).exists()


def test_plates_get_a_temporary_plate_on_approval_and_new_plates_when_made():
    application = ApplicationFactory.create(service=lost_plates_service(), in_review=True)
    vehicle = vehicle_of(application.citizen)
    application.subject_reference = vehicle.plate_number
    application.answers = {"vehicle_kind": "car", "plate_number": vehicle.plate_number}
    application.save()

    application = application_approve(actor=claimer(application), application=application)
    temporary = TemporaryPlate.objects.get(vehicle=vehicle)
    today = timezone.localdate()
    assert temporary.issued_on == today
    assert temporary.valid_until - temporary.issued_on <= datetime.timedelta(days=14)
    assert application.issuance["temporary_plate"] == temporary.number
    assert application.issuance["temporary_plate_valid_until"] == temporary.valid_until.isoformat()
    assert application.events.filter(kind=ApplicationEventKind.TEMPORARY_PLATE_ISSUED).exists()
    # Nothing is reissued until the plates are made.
    assert Plate.objects.filter(number=vehicle.plate_number).count() == 1

    application = _produce(application)
    plates = dict(
        Plate.objects.filter(number=vehicle.plate_number).values_list("issue_serial", "status")
    )
    assert plates == {1: PlateStatus.VOID, 2: PlateStatus.CURRENT}
    assert get_registry().plate_issue_check(vehicle.plate_number, 1).outcome == (
        IssueCheckOutcome.SUPERSEDED
    )
    assert application.issuance["new_serial"] == 2


def test_the_inspection_mark_extends_validity_and_has_an_electronic_mark():
    application = ApplicationFactory.create(
        service=inspection_mark_service(), approved=True, delivery_method="electronic"
    )
    vehicle = vehicle_of(application.citizen)
    application.subject_reference = vehicle.plate_number
    application.save()
    previous = vehicle.inspection_valid_until

    application = _produce(application)

    assert application.status == S.DELIVERED  # electronic delivery
    vehicle.refresh_from_db()
    assert vehicle.inspection_valid_until == previous.replace(year=previous.year + 1)
    mark = ElectronicInspectionMark.objects.get(vehicle=vehicle)
    assert application.issuance["mark_code"] == mark.verification_code
    assert len(mark.verification_code) == 16
    assert mark.valid_until == vehicle.inspection_valid_until
