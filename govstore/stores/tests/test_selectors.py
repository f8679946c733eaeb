import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from govstore.accounts.tests.factories import UserFactory
from govstore.stores.constants import StaffRole
from govstore.stores.selectors import (
    staff_member_for,
    store_get_public,
    store_is_followed_by,
    store_list_public,
    user_has_store_role,
)
from govstore.stores.services import staff_member_create, store_follow
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_public_list_leaves_out_closed_stores():
    open_store = StoreFactory.create()
    StoreFactory.create(closed=True)
    assert list(store_list_public()) == [open_store]


def test_public_list_searches_names_in_both_languages():
    qingdao = StoreFactory.create(
        name_zh="青岛车管所网上服务店", name_en="Qingdao Vehicle Administration"
    )
    StoreFactory.create(name_zh="杭州法院", name_en="Hangzhou Court")
    assert list(store_list_public("青岛")) == [qingdao]
    assert list(store_list_public("qingdao")) == [qingdao]
    assert store_list_public("nowhere").count() == 0


def test_get_public_is_404_for_closed_or_unknown_stores():
    store = StoreFactory.create()
    closed = StoreFactory.create(closed=True)
    assert store_get_public(store.slug) == store
    with pytest.raises(Http404):
        store_get_public(closed.slug)
    with pytest.raises(Http404):
        store_get_public("no-such-store")


def test_followed_by():
    store, citizen = StoreFactory.create(), UserFactory.create()
    assert not store_is_followed_by(store=store, user=citizen)
    store_follow(actor=citizen, store=store)
    assert store_is_followed_by(store=store, user=citizen)
    assert not store_is_followed_by(store=store, user=AnonymousUser())


class TestStaffRoles:
    @pytest.fixture
    def store(self):
        return StoreFactory.create()

    @pytest.fixture
    def reviewer(self, store):
        user = UserFactory.create()
        staff_member_create(
            actor=UserFactory.create(operator=True),
            agency=store.agency,
            user=user,
            staff_number="R1",
            roles=[StaffRole.REVIEWER],
        )
        return user

    def test_staff_member_for(self, store, reviewer):
        member = staff_member_for(reviewer)
        assert member is not None
        assert member.agency == store.agency
        assert staff_member_for(UserFactory.create()) is None
        assert staff_member_for(AnonymousUser()) is None

    def test_an_inactive_membership_counts_for_nothing(self, store, reviewer):
        reviewer.staff_member.is_active = False
        reviewer.staff_member.save()
        assert staff_member_for(reviewer) is None
        assert not user_has_store_role(reviewer, store, StaffRole.REVIEWER)

    def test_role_matrix(self, store, reviewer):
        other_store = StoreFactory.create()
        other_reviewer = UserFactory.create()
        staff_member_create(
            actor=UserFactory.create(operator=True),
            agency=other_store.agency,
            user=other_reviewer,
            staff_number="R1",
            roles=[StaffRole.REVIEWER],
        )
        assert user_has_store_role(reviewer, store, StaffRole.REVIEWER)
        assert user_has_store_role(reviewer, store, StaffRole.PRODUCER, StaffRole.REVIEWER)
        assert not user_has_store_role(reviewer, store, StaffRole.PRODUCER)
        assert not user_has_store_role(other_reviewer, store, StaffRole.REVIEWER)
        assert not user_has_store_role(UserFactory.create(), store, StaffRole.REVIEWER)
        assert not user_has_store_role(
            UserFactory.create(supervisor=True), store, StaffRole.REVIEWER
        )
        assert not user_has_store_role(AnonymousUser(), store, StaffRole.REVIEWER)
