import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govstore.accounts.tests.factories import UserFactory
from govstore.catalog.constants import CatalogEventKind
from govstore.catalog.models import CatalogEvent, FeeStandard
from govstore.catalog.services import fee_standard_publish, service_publish, service_unpublish
from govstore.catalog.tests.factories import (
    EligibilityRuleFactory,
    FeeItemFactory,
    FeeStandardFactory,
    FormFieldFactory,
    ServiceFactory,
    ServiceFeeLineFactory,
    plates_service,
)
from govstore.stores.services import staff_member_create
from govstore.stores.tests.factories import national_region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]

D = datetime.date


@pytest.fixture
def operator():
    return UserFactory.create(operator=True)


def _publish(actor, item, **overrides):
    values = {
        "actor": actor,
        "item": item,
        "region": national_region(),
        "amount_fen": 1000,
        "legal_basis": "发改价格〔2004〕2831号",
        "effective_from": D(2026, 7, 1),
    }
    values.update(overrides)
    return fee_standard_publish(**values)


def _fee_snapshot():
    return (
        list(FeeStandard.objects.values_list("pk", "amount_fen", "legal_basis", "effective_from")),
        CatalogEvent.objects.count(),
    )


class TestFeeStandardPublish:
    def test_adds_a_version_and_records_it(self, operator):
        old = FeeStandardFactory.create(amount_fen=1000, effective_from=D(2005, 1, 1))

        new = _publish(operator, old.item, amount_fen=1200, legal_basis=" 鲁价费〔2026〕3号 ")

        old.refresh_from_db()
        assert old.amount_fen == 1000  # the old version is untouched
        assert (new.amount_fen, new.legal_basis) == (1200, "鲁价费〔2026〕3号")
        event = CatalogEvent.objects.get()
        assert (event.kind, event.actor, event.fee_standard) == (
            CatalogEventKind.FEE_STANDARD_PUBLISHED,
            operator,
            new,
        )
        assert event.payload["amount_fen"] == 1200

    @pytest.mark.parametrize(
        ("overrides", "field", "words"),
        [
            ({"legal_basis": ""}, "legal_basis", "must cite the document that approved it"),
            ({"legal_basis": "   "}, "legal_basis", "must cite the document that approved it"),
            ({"legal_basis": "文" * 121}, "legal_basis", "at most 120 characters"),
            ({"amount_fen": -1}, "amount_fen", "cannot be negative"),
            ({"amount_fen": 1_000_001}, "amount_fen", "more than any regulated fee"),
            ({"amount_fen": "10"}, "amount_fen", "whole number"),
            ({"amount_fen": True}, "amount_fen", "whole number"),
            ({"effective_from": D(2005, 1, 1)}, "effective_from", "never edited"),
        ],
    )
    def test_refusals_say_why_and_change_nothing(self, operator, overrides, field, words):
        existing = FeeStandardFactory.create(effective_from=D(2005, 1, 1))
        before = _fee_snapshot()
        with pytest.raises(ValidationError) as caught:
            _publish(operator, existing.item, **overrides)
        assert field in caught.value.message_dict
        assert words in " ".join(caught.value.message_dict[field])
        assert _fee_snapshot() == before

    def test_only_the_operator_publishes_fees(self):
        item = FeeItemFactory.create()
        for actor in (
            UserFactory.create(),
            UserFactory.create(staff=True),
            UserFactory.create(supervisor=True),
        ):
            with pytest.raises(PermissionDenied):
                _publish(actor, item)
        assert _fee_snapshot() == ([], 0)


class TestServicePublish:
    def test_a_sound_definition_is_published_once(self, operator):
        service = plates_service(is_published=False)
        EligibilityRuleFactory.create(service=service, check_name="vehicle_owned_by_applicant")

        service_publish(actor=operator, service=service)
        service_publish(actor=operator, service=service)

        service.refresh_from_db()
        assert service.is_published
        assert CatalogEvent.objects.filter(kind=CatalogEventKind.SERVICE_PUBLISHED).count() == 1

    @pytest.mark.parametrize(
        ("field", "value", "words"),
        [
            ("vehicle_colour", "car", "not a choice question"),
            ("vehicle_kind", "lorry", "not one of the answers"),
        ],
    )
    def test_a_fee_condition_must_name_a_choice_and_one_of_its_answers(
        self, operator, field, value, words
    ):
        service = plates_service(is_published=False)
        ServiceFeeLineFactory.create(
            service=service,
            item=FeeStandardFactory.create().item,
            applies_when_field=field,
            applies_when_value=value,
        )
        with pytest.raises(ValidationError) as caught:
            service_publish(actor=operator, service=service)
        assert words in " ".join(caught.value.messages)
        service.refresh_from_db()
        assert not service.is_published
        assert not CatalogEvent.objects.exists()

    def test_a_condition_on_a_text_question_is_refused(self, operator):
        service = ServiceFactory.create(is_published=False)
        FormFieldFactory.create(service=service, key="reason")
        ServiceFeeLineFactory.create(
            service=service,
            item=FeeStandardFactory.create().item,
            applies_when_field="reason",
            applies_when_value="lost",
        )
        with pytest.raises(ValidationError, match="not a choice question"):
            service_publish(actor=operator, service=service)

    def test_eligibility_checks_must_exist_in_the_registry(self, operator):
        service = ServiceFactory.create(is_published=False)
        EligibilityRuleFactory.create(service=service, check_name="licence_exists")
        EligibilityRuleFactory.create(service=service, check_name="has_a_nice_smile")
        with pytest.raises(ValidationError) as caught:
            service_publish(actor=operator, service=service)
        assert "has_a_nice_smile" in " ".join(caught.value.messages)
        service.refresh_from_db()
        assert not service.is_published

    def test_a_choice_question_needs_labelled_answers(self, operator):
        service = ServiceFactory.create(is_published=False)
        FormFieldFactory.create(service=service, field_type="choice", choices=[{"value": "car"}])
        with pytest.raises(ValidationError, match="needs a value, a Chinese label"):
            service_publish(actor=operator, service=service)

    def test_the_store_admin_may_publish_but_other_staff_may_not(self, operator):
        service = ServiceFactory.create(is_published=False)
        admin, reviewer = UserFactory.create(), UserFactory.create()
        for user, number, role in ((admin, "A1", "store_admin"), (reviewer, "A2", "reviewer")):
            staff_member_create(
                actor=operator,
                agency=service.store.agency,
                user=user,
                staff_number=number,
                roles=[role],
            )
        with pytest.raises(PermissionDenied):
            service_publish(actor=reviewer, service=service)
        with pytest.raises(PermissionDenied):
            service_publish(actor=UserFactory.create(), service=service)
        service.refresh_from_db()
        assert not service.is_published
        service_publish(actor=admin, service=service)
        service.refresh_from_db()
        assert service.is_published

    def test_unpublish(self, operator):
        service = ServiceFactory.create()
        service_unpublish(actor=operator, service=service)
        service_unpublish(actor=operator, service=service)
        service.refresh_from_db()
        assert not service.is_published
        assert CatalogEvent.objects.filter(kind=CatalogEventKind.SERVICE_UNPUBLISHED).count() == 1
