import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from govstore.catalog.demo_images import example_png
from govstore.catalog.tests.factories import (
    EligibilityRuleFactory,
    FeeItemFactory,
    FeeStandardFactory,
    FormFieldFactory,
    RequiredDocumentFactory,
    ServiceFactory,
    ServiceFeeLineFactory,
    plates_service,
)
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _get(client, url, language="en", **params):
    client.cookies["django_language"] = language
    return client.get(url, params)


HOME = reverse("catalog:home")


class TestHome:
    def test_says_what_govstore_is_and_lists_store_cards(self, client):
        store = StoreFactory.create(name_en="Qingdao Vehicle Administration Online")
        ServiceFactory.create(store=store)
        ServiceFactory.create(store=store)
        ServiceFactory.create(store=store, is_published=False)
        StoreFactory.create(court=True, name_en="Hangzhou Court Auctions")
        StoreFactory.create(closed=True, name_en="Closed Store")

        html = _get(client, HOME).content.decode()

        assert "without a visit" in html
        assert "judicial auctions" in html
        assert "Qingdao Vehicle Administration Online" in html
        assert "2 services" in html
        assert "Hangzhou Court Auctions" in html
        assert "No services on sale yet" in html
        assert "tag--court" in html
        assert "Closed Store" not in html
        assert 'role="search"' in html
        assert 'aria-describedby="id_q_helptext"' in html

    def test_in_chinese(self, client):
        StoreFactory.create(name_zh="青岛车管所网上服务店")
        html = _get(client, HOME, language="zh-hans").content.decode()
        assert "青岛车管所网上服务店" in html
        assert "搜索服务" in html
        assert "不用跑腿" in html

    def test_offers_services_to_start_from_with_their_prices(self, client):
        store = StoreFactory.create()
        services = [
            ServiceFactory.create(store=store, name_en=f"Service number {n}") for n in range(7)
        ]
        ServiceFactory.create(store=store, name_en="Withdrawn service", is_published=False)

        html = _get(client, HOME).content.decode()

        assert "What do you need to do?" in html
        shown = [service for service in services if service.name_en in html]
        assert len(shown) == 6
        assert "Withdrawn service" not in html
        assert "More services are on offer" in html

    def test_store_cards_paginate(self, client, settings):
        settings.PAGE_SIZE = 2
        for index in range(5):
            StoreFactory.create(name_zh=f"网店{index}", name_en=f"Paged store {index}")
        first = _get(client, HOME).content.decode()
        third = _get(client, HOME, page=3).content.decode()
        assert first.count("Paged store") == 2
        assert "Page 1 of 3" in first
        assert third.count("Paged store") == 1
        assert "Paged store 4" in third


class TestSearch:
    @pytest.fixture
    def services(self):
        licence = ServiceFactory.create(
            name_zh="补领机动车驾驶证",
            name_en="Replace a lost driving licence",
            summary_zh="驾驶证丢了？在线补领。",
            summary_en="Apply online for a replacement.",
        )
        ServiceFeeLineFactory.create(
            service=licence, item=FeeStandardFactory.create(amount_fen=1000).item
        )
        plates = plates_service(
            name_zh="补领机动车号牌",
            name_en="Replace lost licence plates",
            summary_zh="号牌丢失或被盗？",
            summary_en="Lost or stolen plates?",
        )
        ServiceFactory.create(name_en="Hidden licence service", is_published=False)
        return licence, plates

    @pytest.mark.parametrize(
        ("query", "found", "not_found"),
        [
            ("licence", "Replace a lost driving licence", "Replace lost licence plates x"),
            ("驾驶证", "Replace a lost driving licence", "Replace lost licence plates"),
            ("stolen", "Replace lost licence plates", "Replace a lost driving licence"),
            ("号牌", "Replace lost licence plates", "Replace a lost driving licence"),
        ],
    )
    def test_searches_names_and_summaries_in_both_languages(
        self, client, services, query, found, not_found
    ):
        html = _get(client, HOME, q=query).content.decode()
        assert found in html
        assert not_found not in html
        assert "Hidden licence service" not in html

    def test_results_show_prices(self, client, services):
        html = _get(client, HOME, q="Replace").content.decode()
        assert "2 services found" in html
        assert "¥10.00" in html
        assert "from ¥40.00" in html

    def test_no_results(self, client, services):
        html = _get(client, HOME, q="passport").content.decode()
        assert "0 services found" in html
        assert "Show all stores" in html

    def test_results_paginate_and_keep_the_query(self, client, settings):
        settings.PAGE_SIZE = 2
        for index in range(3):
            ServiceFactory.create(name_en=f"Plate service {index}")
        html = _get(client, HOME, q="Plate service").content.decode()
        assert html.count("<article") == 2
        assert "q=Plate+service" in html
        assert "page=2" in html
        second = _get(client, HOME, q="Plate service", page=2).content.decode()
        assert second.count("<article") == 1

    def test_an_over_long_query_is_refused_with_a_message(self, client, services):
        html = _get(client, HOME, q="x" * 101).content.decode()
        assert "error-summary" in html
        assert 'aria-invalid="true"' in html
        assert "services found" not in html


def _service_url(service):
    return reverse(
        "catalog:service_detail", kwargs={"store_slug": service.store.slug, "slug": service.slug}
    )


class TestServicePage:
    @pytest.fixture
    def plates(self):
        service = plates_service(name_en="Replace lost licence plates", processing_working_days=15)
        FormFieldFactory.create(service=service, key="plate_number", label_en="Plate number")
        document = RequiredDocumentFactory.create(
            service=service,
            title_en="A photo of the vehicle",
            instructions_en="Stand in front of the vehicle.",
            example_alt_en="Example: a car with its plate missing",
        )
        document.example_image.save(
            "vehicle.png", ContentFile(example_png("vehicle_missing_plate")), save=True
        )
        EligibilityRuleFactory.create(service=service, check_name="vehicle_owned_by_applicant")
        return service

    def test_shows_every_fee_with_its_legal_basis_and_the_total(self, client, plates):
        html = _get(client, _service_url(plates)).content.decode()
        for amount in ("¥100.00", "¥35.00", "¥5.00"):
            assert amount in html
        assert html.count("发改价格〔2004〕2831号") == 3
        assert "Type of vehicle: Car" in html
        assert "Type of vehicle: Motorcycle" in html
        assert "Always" in html
        assert "from ¥40.00" in html
        assert "¥105.00" in html  # the total for a car
        assert "Jan. 1, 2005" in html
        assert "Delivery is charged separately at the courier's rate." in html

    def test_shows_who_can_use_it_what_you_need_and_what_you_will_be_asked(self, client, plates):
        html = _get(client, _service_url(plates)).content.decode()
        assert "The vehicle is registered in your name." in html
        assert "A photo of the vehicle" in html
        assert "Stand in front of the vehicle." in html
        assert 'alt="Example: a car with its plate missing"' in html
        assert "/media/examples/vehicle" in html
        assert "Type of vehicle" in html
        assert "Plate number" in html

    def test_shows_the_promise_and_the_ready_date(self, client, plates, monkeypatch):
        monkeypatch.setattr(
            "govstore.catalog.views.timezone.localdate", lambda: datetime.date(2026, 3, 2)
        )
        html = _get(client, _service_url(plates)).content.decode()
        assert "within 15 working days" in html
        # Monday 2 March 2026 + 15 working days (no calendar entries) = Monday 23 March.
        assert "Monday, March 23, 2026" in html
        assert "Courier delivery" in html
        assert "Counter pickup" in html

    def test_anonymous_visitors_are_asked_to_sign_in_to_apply(self, client, plates):
        # The Start control itself is tested with the application pages.
        html = _get(client, _service_url(plates)).content.decode()
        assert "Sign in to apply" in html
        assert "Start now" not in html

    def test_in_chinese(self, client, plates):
        html = _get(client, _service_url(plates), language="zh-hans").content.decode()
        assert "收费明细" in html
        assert "车辆类型：汽车" in html
        assert "快递费按快递公司的标准另行收取" in html

    def test_a_fee_not_yet_published_is_said_plainly(self, client):
        service = ServiceFactory.create()
        ServiceFeeLineFactory.create(
            service=service, item=FeeItemFactory.create(name_en="Driving licence")
        )
        response = _get(client, _service_url(service))
        assert response.status_code == 200
        html = response.content.decode()
        assert "is not yet published" in html
        assert "Driving licence" in html

    def test_unpublished_services_and_closed_stores_are_not_found(self, client):
        hidden = ServiceFactory.create(is_published=False)
        closed = ServiceFactory.create(store=StoreFactory.create(closed=True))
        assert _get(client, _service_url(hidden)).status_code == 404
        assert _get(client, _service_url(closed)).status_code == 404
