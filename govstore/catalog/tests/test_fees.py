import datetime

import pytest
from django.utils import translation

from govstore.catalog.fees import FeeNotPublished, fee_standard_current, service_price
from govstore.catalog.tests.factories import (
    FeeItemFactory,
    FeeStandardFactory,
    ServiceFactory,
    ServiceFeeLineFactory,
    plates_service,
)
from govstore.stores.tests.factories import RegionFactory, StoreFactory, national_region

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def city():
    province = RegionFactory.create(code="370000", name_en="Shandong")
    return RegionFactory.create(
        code="370200", name_en="Qingdao", parent=province, plate_prefix="鲁B"
    )


class TestFeeStandardCurrent:
    def test_falls_back_through_the_lineage_to_the_national_standard(self, city):
        national = FeeStandardFactory.create(amount_fen=1000)
        assert fee_standard_current(item=national.item, region=city, on=D(2026, 5, 1)) == national

    def test_the_nearest_region_with_a_standard_wins(self, city):
        national = FeeStandardFactory.create(amount_fen=1000)
        provincial = FeeStandardFactory.create(
            item=national.item, region=city.parent, amount_fen=1500, legal_basis="鲁价费〔2010〕1号"
        )
        assert fee_standard_current(item=national.item, region=city, on=D(2026, 5, 1)) == provincial
        # A sibling city outside the province still gets the national standard.
        elsewhere = RegionFactory.create(code="330100")
        assert (
            fee_standard_current(item=national.item, region=elsewhere, on=D(2026, 5, 1)) == national
        )

    def test_a_region_whose_parents_stop_short_still_reaches_the_national_standard(self):
        orphan = RegionFactory.create(code="990000", parent=None)
        national = FeeStandardFactory.create()
        assert fee_standard_current(item=national.item, region=orphan, on=D(2026, 1, 1)) == national

    def test_a_new_version_wins_from_its_date_and_the_old_one_explains_the_past(self, city):
        old = FeeStandardFactory.create(amount_fen=1000, effective_from=D(2005, 1, 1))
        new = FeeStandardFactory.create(
            item=old.item, amount_fen=1200, effective_from=D(2026, 7, 1)
        )
        item = old.item
        assert fee_standard_current(item=item, region=city, on=D(2026, 6, 30)) == old
        assert fee_standard_current(item=item, region=city, on=D(2026, 7, 1)) == new
        assert fee_standard_current(item=item, region=city, on=D(2030, 1, 1)) == new
        assert fee_standard_current(item=item, region=city, on=D(2010, 3, 3)) == old

    def test_a_future_local_version_is_not_applied_early(self, city):
        national = FeeStandardFactory.create(amount_fen=1000)
        local = FeeStandardFactory.create(
            item=national.item, region=city, amount_fen=1500, effective_from=D(2027, 1, 1)
        )
        assert fee_standard_current(item=national.item, region=city, on=D(2026, 12, 31)) == national
        assert fee_standard_current(item=national.item, region=city, on=D(2027, 1, 1)) == local

    def test_nothing_in_force_raises_fee_not_published(self, city):
        item = FeeItemFactory.create(name_en="Driving licence")
        FeeStandardFactory.create(item=item, effective_from=D(2027, 1, 1))
        with pytest.raises(FeeNotPublished) as caught:
            fee_standard_current(item=item, region=city, on=D(2026, 1, 1))
        assert caught.value.item == item
        with translation.override("en"):
            assert "Driving licence" in caught.value.message


class TestServicePrice:
    def test_a_simple_price_with_its_legal_basis(self):
        standard = FeeStandardFactory.create(amount_fen=1000)
        service = ServiceFactory.create()
        ServiceFeeLineFactory.create(service=service, item=standard.item, quantity=2)

        price = service_price(service=service, on=D(2026, 5, 1))

        (line,) = price.lines
        assert (line.unit_amount_fen, line.quantity, line.line_total_fen) == (1000, 2, 2000)
        assert line.legal_basis == "发改价格〔2004〕2831号"
        assert line.effective_from == D(2005, 1, 1)
        assert line.fee_standard_pk == standard.pk
        assert line.region_code == national_region().code
        assert not line.is_conditional
        assert (price.total_fen, price.max_total_fen, price.depends_on_answers) == (
            2000,
            2000,
            False,
        )

    def test_without_answers_every_variant_is_listed_and_the_total_is_from_the_cheapest(self):
        service = plates_service()

        price = service_price(service=service, on=D(2026, 5, 1))

        assert [line.line_total_fen for line in price.lines] == [10000, 3500, 500]
        assert price.depends_on_answers
        assert price.total_fen == 4000
        assert price.max_total_fen == 10500
        assert [(v.label_en, v.total_fen) for v in price.variants] == [
            ("Car", 10500),
            ("Motorcycle", 4000),
        ]
        assert price.variant_question_en == "Type of vehicle"
        car_line = price.lines[0]
        assert car_line.condition_label_en == "Type of vehicle: Car"
        assert car_line.condition_label_zh == "车辆类型：汽车"

    @pytest.mark.parametrize(
        ("answer", "items", "total"),
        [
            ("car", ["car-plates", "temporary-plate"], 10500),
            ("motorcycle", ["motorcycle-plates", "temporary-plate"], 4000),
            ("", ["temporary-plate"], 500),
        ],
    )
    def test_with_answers_only_matching_lines_count(self, answer, items, total):
        service = plates_service()
        price = service_price(service=service, on=D(2026, 5, 1), answers={"vehicle_kind": answer})
        assert [line.item_code for line in price.lines] == items
        assert price.total_fen == price.max_total_fen == total
        assert not price.depends_on_answers

    def test_a_line_with_no_standard_in_force_raises(self):
        service = ServiceFactory.create()
        ServiceFeeLineFactory.create(service=service, item=FeeItemFactory.create())
        with pytest.raises(FeeNotPublished):
            service_price(service=service, on=D(2026, 5, 1))

    def test_an_unpublished_fee_on_a_line_that_does_not_apply_does_not_matter(self):
        service = plates_service()
        # A motorcycle-only line whose fee nobody has published yet.
        ServiceFeeLineFactory.create(
            service=service,
            item=FeeItemFactory.create(),
            applies_when_field="vehicle_kind",
            applies_when_value="motorcycle",
        )
        price = service_price(service=service, on=D(2026, 5, 1), answers={"vehicle_kind": "car"})
        assert price.total_fen == 10500
        with pytest.raises(FeeNotPublished):
            service_price(service=service, on=D(2026, 5, 1))

    def test_priced_in_the_stores_region(self, city):
        national = FeeStandardFactory.create(amount_fen=1000)
        FeeStandardFactory.create(
            item=national.item, region=city, amount_fen=1500, legal_basis="青价〔2020〕1号"
        )
        service = ServiceFactory.create(store=StoreFactory.create(agency__region=city))
        ServiceFeeLineFactory.create(service=service, item=national.item)
        price = service_price(service=service, on=D(2026, 5, 1))
        assert price.total_fen == 1500
        assert price.lines[0].legal_basis == "青价〔2020〕1号"

    def test_a_free_service(self):
        service = ServiceFactory.create()
        ServiceFeeLineFactory.create(
            service=service, item=FeeStandardFactory.create(amount_fen=0).item
        )
        price = service_price(service=service, on=D(2026, 5, 1))
        assert price.is_free
        assert len(price.lines) == 1
