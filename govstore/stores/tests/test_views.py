import pytest
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.catalog.tests.factories import (
    FeeStandardFactory,
    ServiceFactory,
    ServiceFeeLineFactory,
    plates_service,
)
from govstore.stores.models import StoreFollow
from govstore.stores.services import store_follow
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _page(client, store, language="en"):
    client.cookies["django_language"] = language
    return client.get(reverse("stores:store_detail", kwargs={"slug": store.slug}))


class TestStorePage:
    def test_shows_the_store_and_its_services_with_prices(self, client):
        store = StoreFactory.create(
            name_en="Qingdao Vehicle Administration Online",
            completed_deal_count=50,
            rating_average_centi=487,
            rating_count=5,
        )
        licence = ServiceFactory.create(store=store, name_en="Replace a lost driving licence")
        ServiceFeeLineFactory.create(
            service=licence, item=FeeStandardFactory.create(amount_fen=1000).item
        )
        plates_service(
            store=store, name_en="Replace lost licence plates", processing_working_days=15
        )
        ServiceFactory.create(store=store, name_en="Withdrawn service", is_published=False)

        response = _page(client, store)

        assert response.status_code == 200
        html = response.content.decode()
        assert "Qingdao Vehicle Administration Online" in html
        assert "Vehicle administration" in html  # kind tag
        assert store.agency.region.name_en in html
        assert "Monday to Friday, 9:00–17:00" in html
        assert "0532-12345678" in html
        assert "Replace a lost driving licence" in html
        assert "¥10.00" in html
        assert "from ¥40.00" in html  # the cheapest plates variant
        assert "Ready in 15 working days" in html
        assert "Courier delivery" in html
        assert "Withdrawn service" not in html
        assert "4.87 out of 5 (5 ratings)" in html
        assert ">50<" in html  # completed deals

    def test_a_court_store_without_services(self, client):
        store = StoreFactory.create(
            court=True, description_en="We will hold judicial auctions here."
        )
        html = _page(client, store).content.decode()
        assert "Court" in html
        assert "tag--court" in html
        assert "We will hold judicial auctions here." in html
        assert "This store has no services on sale yet." in html
        assert "No ratings yet" in html

    def test_in_chinese(self, client):
        store = StoreFactory.create(name_zh="青岛车管所网上服务店")
        html = _page(client, store, language="zh-hans").content.decode()
        assert "青岛车管所网上服务店" in html
        assert "车辆管理所" in html
        assert "暂无评价" in html
        assert "登录后关注" in html

    def test_closed_store_is_not_found(self, client):
        assert _page(client, StoreFactory.create(closed=True)).status_code == 404

    def test_anonymous_sees_sign_in_to_follow(self, client):
        html = _page(client, StoreFactory.create()).content.decode()
        assert "Sign in to follow this store" in html
        assert reverse("accounts:login") in html

    def test_citizen_sees_follow_then_unfollow(self, client):
        store, citizen = StoreFactory.create(), UserFactory.create()
        client.force_login(citizen)
        html = _page(client, store).content.decode()
        assert reverse("stores:store_follow", kwargs={"slug": store.slug}) in html
        store_follow(actor=citizen, store=store)
        html = _page(client, store).content.decode()
        assert reverse("stores:store_unfollow", kwargs={"slug": store.slug}) in html
        assert "You follow this store." in html

    def test_staff_see_no_follow_button(self, client):
        store = StoreFactory.create()
        client.force_login(UserFactory.create(staff=True))
        html = _page(client, store).content.decode()
        assert reverse("stores:store_follow", kwargs={"slug": store.slug}) not in html
        assert "Sign in to follow" not in html


class TestFollowViews:
    def _post(self, client, name, store):
        return client.post(reverse(f"stores:{name}", kwargs={"slug": store.slug}))

    def test_citizen_follows_and_unfollows(self, client):
        store, citizen = StoreFactory.create(), UserFactory.create()
        client.force_login(citizen)

        response = self._post(client, "store_follow", store)
        assert response.status_code == 302
        assert response.url == reverse("stores:store_detail", kwargs={"slug": store.slug})
        self._post(client, "store_follow", store)
        store.refresh_from_db()
        assert store.follower_count == 1

        self._post(client, "store_unfollow", store)
        store.refresh_from_db()
        assert store.follower_count == 0
        assert not StoreFollow.objects.exists()

    def test_anonymous_is_sent_to_sign_in_and_nothing_changes(self, client):
        store = StoreFactory.create()
        response = self._post(client, "store_follow", store)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        store.refresh_from_db()
        assert store.follower_count == 0
        assert not StoreFollow.objects.exists()

    @pytest.mark.parametrize("trait", ["staff", "supervisor"])
    def test_staff_are_refused_and_nothing_changes(self, client, trait):
        store = StoreFactory.create()
        client.force_login(UserFactory.create(**{trait: True}))
        assert self._post(client, "store_follow", store).status_code == 403
        store.refresh_from_db()
        assert store.follower_count == 0
        assert not StoreFollow.objects.exists()

    def test_following_needs_a_post(self, client):
        store = StoreFactory.create()
        client.force_login(UserFactory.create())
        response = client.get(reverse("stores:store_follow", kwargs={"slug": store.slug}))
        assert response.status_code == 405
        assert not StoreFollow.objects.exists()

    def test_a_closed_store_cannot_be_followed(self, client):
        store = StoreFactory.create(closed=True)
        client.force_login(UserFactory.create())
        assert self._post(client, "store_follow", store).status_code == 404
        assert not StoreFollow.objects.exists()
