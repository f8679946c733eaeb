import datetime

import pytest
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.catalog.models import CatalogEvent, FeeStandard, ServiceFeeLine
from govstore.catalog.tests.factories import FeeItemFactory, FeeStandardFactory, ServiceFactory
from govstore.stores.tests.factories import national_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory.create(operator=True))
    client.cookies["django_language"] = "en"
    return client


def _fee_form(item, **overrides):
    data = {
        "item": item.pk,
        "region": national_region().pk,
        "amount_fen": "1000",
        "legal_basis": "发改价格〔2004〕2831号",
        "effective_from": "2026-07-01",
        "note_zh": "",
        "note_en": "",
    }
    data.update(overrides)
    return data


class TestFeeStandardAdmin:
    url = reverse("admin:catalog_feestandard_add")

    @pytest.mark.parametrize("legal_basis", ["", "   "])
    def test_the_add_form_refuses_a_missing_legal_basis(self, operator_client, legal_basis):
        item = FeeItemFactory.create()
        response = operator_client.post(self.url, _fee_form(item, legal_basis=legal_basis))
        assert response.status_code == 200
        assert "A fee line must cite the document that approved it" in response.content.decode()
        assert not FeeStandard.objects.exists()
        assert not CatalogEvent.objects.exists()

    def test_the_add_form_refuses_a_duplicate_version(self, operator_client):
        existing = FeeStandardFactory.create(effective_from=datetime.date(2026, 7, 1))
        response = operator_client.post(self.url, _fee_form(existing.item, amount_fen="9999"))
        assert response.status_code == 200
        assert "Fees are never edited" in response.content.decode()
        assert FeeStandard.objects.get().amount_fen == existing.amount_fen

    def test_adding_publishes_a_new_version_through_the_service(self, operator_client):
        item = FeeItemFactory.create()
        response = operator_client.post(self.url, _fee_form(item))
        assert response.status_code == 302
        standard = FeeStandard.objects.get()
        assert (standard.amount_fen, standard.effective_from) == (1000, datetime.date(2026, 7, 1))
        assert CatalogEvent.objects.get().fee_standard == standard

    def test_existing_versions_are_read_only(self, operator_client):
        standard = FeeStandardFactory.create(amount_fen=1000)
        url = reverse("admin:catalog_feestandard_change", args=[standard.pk])
        page = operator_client.get(url)
        assert page.status_code == 200
        assert 'name="amount_fen"' not in page.content.decode()
        operator_client.post(url, _fee_form(standard.item, amount_fen="1"))
        standard.refresh_from_db()
        assert standard.amount_fen == 1000
        delete = reverse("admin:catalog_feestandard_delete", args=[standard.pk])
        assert operator_client.post(delete, {"post": "yes"}).status_code == 403
        assert FeeStandard.objects.filter(pk=standard.pk).exists()


class TestServiceAdmin:
    def _management(self, prefix, total=0, initial=0):
        return {
            f"{prefix}-TOTAL_FORMS": str(total),
            f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }

    def _service_form(self, service, **extra):
        data = {
            "store": service.store.pk,
            "slug": service.slug,
            "name_zh": service.name_zh,
            "name_en": service.name_en,
            "summary_zh": service.summary_zh,
            "summary_en": service.summary_en,
            "subject": service.subject,
            "processing_working_days": "15",
            "delivery_courier": "on",
            "is_published": "on",
            "position": "0",
        }
        data.update(self._management("form_fields"))
        data.update(self._management("required_documents"))
        data.update(self._management("eligibility_rules"))
        data.update(self._management("fee_lines"))
        data.update(extra)
        return data

    def _choice_field(self):
        return {
            **self._management("form_fields", total=1),
            "form_fields-0-key": "vehicle_kind",
            "form_fields-0-field_type": "choice",
            "form_fields-0-label_zh": "车辆类型",
            "form_fields-0-label_en": "Type of vehicle",
            "form_fields-0-max_length": "20",
            "form_fields-0-position": "0",
            "form_fields-0-required": "on",
            "form_fields-0-choices": (
                '[{"value": "car", "label_zh": "汽车", "label_en": "Car"},'
                ' {"value": "motorcycle", "label_zh": "摩托车", "label_en": "Motorcycle"}]'
            ),
        }

    def _fee_line(self, item, value):
        return {
            **self._management("fee_lines", total=1),
            "fee_lines-0-item": str(item.pk),
            "fee_lines-0-quantity": "1",
            "fee_lines-0-applies_when_field": "vehicle_kind",
            "fee_lines-0-applies_when_value": value,
            "fee_lines-0-position": "0",
        }

    def test_a_fee_condition_is_checked_against_the_questions_saved_with_it(self, operator_client):
        service = ServiceFactory.create()
        item = FeeStandardFactory.create().item
        url = reverse("admin:catalog_service_change", args=[service.pk])

        refused = operator_client.post(
            url,
            self._service_form(service, **self._choice_field(), **self._fee_line(item, "lorry")),
        )
        assert refused.status_code == 200
        assert "not one of the answers" in refused.content.decode()
        assert not ServiceFeeLine.objects.exists()
        service.refresh_from_db()
        assert service.processing_working_days == 1

        accepted = operator_client.post(
            url,
            self._service_form(service, **self._choice_field(), **self._fee_line(item, "car")),
        )
        assert accepted.status_code == 302
        assert ServiceFeeLine.objects.get().applies_when_value == "car"

    def test_eligibility_checks_are_chosen_from_the_registry(self, operator_client):
        service = ServiceFactory.create()
        url = reverse("admin:catalog_service_change", args=[service.pk])
        page = operator_client.get(url).content.decode()
        assert 'value="licence_not_seized_or_revoked"' in page
        refused = operator_client.post(
            url,
            self._service_form(
                service,
                **self._management("eligibility_rules", total=1),
                **{
                    "eligibility_rules-0-check_name": "has_a_nice_smile",
                    "eligibility_rules-0-position": "0",
                },
            ),
        )
        assert refused.status_code == 200
        assert not service.eligibility_rules.exists()
