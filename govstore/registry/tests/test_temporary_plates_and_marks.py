import datetime

import pytest
from django.urls import reverse

from govstore.registry.checks import CHECKS, not_frequent_replacements
from govstore.registry.constants import MARK_CODE_ALPHABET, MarkCheckOutcome, RegistryEventKind
from govstore.registry.models import ElectronicInspectionMark, RegistryEvent
from govstore.registry.provider import get_registry
from govstore.registry.selectors import inspection_mark_check
from govstore.registry.services import (
    RegistryRefusal,
    inspection_mark_issue_electronic,
    temporary_plate_issue,
)
from govstore.registry.tests.factories import (
    TODAY,
    PersonFactory,
    ReplacementRecordFactory,
    VehicleFactory,
    ViolationFactory,
)

pytestmark = pytest.mark.django_db


def test_a_temporary_plate_is_valid_for_at_most_15_days_counting_the_first():
    vehicle = VehicleFactory.create()
    first = temporary_plate_issue(actor=None, plate=vehicle.plate_number, today=TODAY)
    assert first.issued_on == TODAY
    assert first.valid_until == TODAY + datetime.timedelta(days=14)
    second = temporary_plate_issue(
        actor=None, plate=f"{vehicle.plate_number[:2]}·{vehicle.plate_number[2:]}", today=TODAY
    )
    assert second.number != first.number and second.vehicle == vehicle
    event = RegistryEvent.objects.filter(kind=RegistryEventKind.TEMPORARY_PLATE_ISSUED).first()
    assert event is not None and event.reference == vehicle.plate_number
    with pytest.raises(ValueError):
        temporary_plate_issue(actor=None, plate=vehicle.plate_number, today=TODAY, valid_days=16)


def test_no_temporary_plate_for_a_seized_or_unknown_vehicle():
    seized = VehicleFactory.create(seized=True)
    with pytest.raises(RegistryRefusal):
        temporary_plate_issue(actor=None, plate=seized.plate_number, today=TODAY)
    with pytest.raises(RegistryRefusal):
        temporary_plate_issue(actor=None, plate="鲁B99999", today=TODAY)
    assert not seized.temporary_plates.exists()


def test_the_electronic_mark_comes_with_the_inspection_mark():
    vehicle = VehicleFactory.create()
    mark = inspection_mark_issue_electronic(actor=None, plate=vehicle.plate_number, today=TODAY)
    vehicle.refresh_from_db()
    assert mark.valid_until == vehicle.inspection_valid_until
    assert len(mark.verification_code) == 16
    assert set(mark.verification_code) <= set(MARK_CODE_ALPHABET)


def test_no_electronic_mark_when_the_inspection_mark_is_refused():
    vehicle = VehicleFactory.create()
    ViolationFactory.create(vehicle=vehicle)
    with pytest.raises(RegistryRefusal):
        inspection_mark_issue_electronic(actor=None, plate=vehicle.plate_number, today=TODAY)
    assert not ElectronicInspectionMark.objects.exists()


def test_the_public_mark_check():
    vehicle = VehicleFactory.create(insurance_valid_until=TODAY + datetime.timedelta(days=800))
    mark = inspection_mark_issue_electronic(actor=None, plate=vehicle.plate_number, today=TODAY)
    valid = inspection_mark_check(mark.verification_code.lower(), today=TODAY)
    assert valid.outcome == MarkCheckOutcome.VALID
    assert valid.plate_number == vehicle.plate_number
    after = mark.valid_until + datetime.timedelta(days=1)
    assert inspection_mark_check(mark.verification_code, today=after).outcome == "expired"
    for code in ("", "X" * 16, "../../etc", "0" * 16):
        assert inspection_mark_check(code, today=TODAY) == inspection_mark_check("")
        assert inspection_mark_check(code).outcome == MarkCheckOutcome.UNKNOWN
    # A later mark for the same vehicle replaces the earlier one.
    vehicle.refresh_from_db()
    next_year = vehicle.inspection_valid_until - datetime.timedelta(days=30)
    newer = inspection_mark_issue_electronic(
        actor=None, plate=vehicle.plate_number, today=next_year
    )
    assert inspection_mark_check(mark.verification_code, today=next_year).outcome == "superseded"
    assert inspection_mark_check(newer.verification_code, today=next_year).outcome == "valid"


@pytest.mark.parametrize(
    ("language", "words"), [("en", "genuine and valid"), ("zh-hans", "真实有效")]
)
def test_the_mark_page_answers_in_both_languages(client, language, words):
    vehicle = VehicleFactory.create(
        inspection_valid_until=datetime.date.today() + datetime.timedelta(days=30),
        insurance_valid_until=datetime.date.today() + datetime.timedelta(days=300),
    )
    mark = inspection_mark_issue_electronic(
        actor=None, plate=vehicle.plate_number, today=datetime.date.today()
    )
    client.cookies["django_language"] = language
    response = client.get(reverse("registry:mark", kwargs={"code": mark.verification_code}))
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html and vehicle.plate_number in html
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    unknown = client.get(reverse("registry:mark", kwargs={"code": "ABCDEFGHJKLMNPQR"}))
    assert unknown.status_code == 404


def test_the_replacement_limit_follows_the_setting(settings):
    person = PersonFactory.create()
    ReplacementRecordFactory.create(person=person)
    ReplacementRecordFactory.create(person=person)
    registry = get_registry()

    def result():
        return not_frequent_replacements(
            registry, id_number=person.id_number, plate=None, today=TODAY
        )

    assert result().route_in_person
    settings.REGISTRY_SUSPICIOUS_REPLACEMENTS_PER_YEAR = 3
    assert result().passed
    from django.utils import translation

    with translation.override("en"):
        assert "fewer than 3 replacements" in str(CHECKS["not_frequent_replacements"].description)
