import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govstore.accounts.constants import AccountKind
from govstore.accounts.tests.factories import UserFactory
from govstore.stores.constants import StaffEventKind, StaffRole, StoreEventKind
from govstore.stores.models import StaffEvent, StaffMember, StaffRoleGrant, StoreEvent, StoreFollow
from govstore.stores.services import (
    staff_member_create,
    staff_roles_set,
    store_follow,
    store_unfollow,
)
from govstore.stores.tests.factories import AgencyFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _snapshot(store):
    store.refresh_from_db()
    return (
        store.follower_count,
        StoreFollow.objects.filter(store=store).count(),
        StoreEvent.objects.filter(store=store).count(),
    )


class TestFollow:
    def test_following_counts_the_follower_once_and_records_it(self):
        store, citizen = StoreFactory.create(), UserFactory.create()

        assert store_follow(actor=citizen, store=store) is True
        assert store_follow(actor=citizen, store=store) is False

        assert _snapshot(store) == (1, 1, 1)
        event = StoreEvent.objects.get(store=store)
        assert (event.kind, event.actor) == (StoreEventKind.FOLLOWED, citizen)

    def test_the_callers_store_shows_the_new_count(self):
        store = StoreFactory.create()
        store_follow(actor=UserFactory.create(), store=store)
        assert store.follower_count == 1

    def test_two_citizens_make_two_followers(self):
        store = StoreFactory.create()
        store_follow(actor=UserFactory.create(), store=store)
        store_follow(actor=UserFactory.create(), store=store)
        assert _snapshot(store)[:2] == (2, 2)

    def test_unfollowing_is_idempotent(self):
        store, citizen = StoreFactory.create(), UserFactory.create()
        store_follow(actor=citizen, store=store)

        assert store_unfollow(actor=citizen, store=store) is True
        assert store_unfollow(actor=citizen, store=store) is False

        assert _snapshot(store) == (0, 0, 2)
        assert StoreEvent.objects.filter(kind=StoreEventKind.UNFOLLOWED).count() == 1

    def test_unfollowing_a_store_never_followed_changes_nothing(self):
        store = StoreFactory.create()
        store_follow(actor=UserFactory.create(), store=store)
        before = _snapshot(store)
        assert store_unfollow(actor=UserFactory.create(), store=store) is False
        assert _snapshot(store) == before

    @pytest.mark.parametrize("trait", ["staff", "supervisor", "operator"])
    def test_only_citizens_may_follow(self, trait):
        store, other = StoreFactory.create(), UserFactory.create(**{trait: True})
        before = _snapshot(store)
        with pytest.raises(PermissionDenied):
            store_follow(actor=other, store=store)
        with pytest.raises(PermissionDenied):
            store_unfollow(actor=other, store=store)
        assert _snapshot(store) == before

    def test_an_inactive_citizen_may_not_follow(self):
        store = StoreFactory.create()
        with pytest.raises(PermissionDenied):
            store_follow(actor=UserFactory.create(is_active=False), store=store)
        assert _snapshot(store) == (0, 0, 0)

    def test_a_closed_store_cannot_be_followed(self):
        store = StoreFactory.create(closed=True)
        with pytest.raises(ValidationError):
            store_follow(actor=UserFactory.create(), store=store)
        assert _snapshot(store) == (0, 0, 0)

    def test_a_closed_store_can_still_be_unfollowed(self):
        store, citizen = StoreFactory.create(), UserFactory.create()
        store_follow(actor=citizen, store=store)
        store.is_open = False
        store.save()
        assert store_unfollow(actor=citizen, store=store) is True
        assert _snapshot(store)[:2] == (0, 0)


def _staff_snapshot():
    return (
        StaffMember.objects.count(),
        StaffRoleGrant.objects.count(),
        StaffEvent.objects.count(),
    )


class TestStaffMemberCreate:
    def test_creates_the_member_with_roles_and_makes_the_account_staff(self):
        agency, user, operator = (
            AgencyFactory.create(),
            UserFactory.create(),
            UserFactory.create(operator=True),
        )

        member = staff_member_create(
            actor=operator,
            agency=agency,
            user=user,
            staff_number=" QD0002 ",
            roles=[StaffRole.REVIEWER, StaffRole.PRODUCER],
        )

        assert member.staff_number == "QD0002"
        assert member.role_set() == {StaffRole.REVIEWER, StaffRole.PRODUCER}
        user.refresh_from_db()
        assert user.kind == AccountKind.STAFF
        event = StaffEvent.objects.get(member=member)
        assert event.kind == StaffEventKind.STAFF_ADDED
        assert event.actor == operator
        assert event.payload == {"staff_number": "QD0002", "roles": ["producer", "reviewer"]}

    def test_a_supervisory_authority_makes_supervisors(self):
        agency, user = AgencyFactory.create(supervisory=True), UserFactory.create()
        staff_member_create(
            actor=UserFactory.create(operator=True),
            agency=agency,
            user=user,
            staff_number="JD1",
            roles=[StaffRole.SUPERVISOR],
        )
        user.refresh_from_db()
        assert user.kind == AccountKind.SUPERVISOR

    @pytest.mark.parametrize(
        ("agency_traits", "role"),
        [
            ({}, StaffRole.COURT_CLERK),
            ({}, StaffRole.SUPERVISOR),
            ({"court": True}, StaffRole.PRODUCER),
            ({"court": True}, StaffRole.SUPERVISOR),
            ({"supervisory": True}, StaffRole.REVIEWER),
            ({}, "astronaut"),
        ],
    )
    def test_roles_the_agency_kind_does_not_give_are_refused(self, agency_traits, role):
        agency, user = AgencyFactory.create(**agency_traits), UserFactory.create()
        with pytest.raises(ValidationError) as caught:
            staff_member_create(
                actor=UserFactory.create(operator=True),
                agency=agency,
                user=user,
                staff_number="X1",
                roles=[role],
            )
        assert "cannot give these roles" in caught.value.messages[0]
        assert _staff_snapshot() == (0, 0, 0)
        user.refresh_from_db()
        assert user.kind == AccountKind.CITIZEN

    def test_a_court_gives_court_clerks(self):
        member = staff_member_create(
            actor=UserFactory.create(operator=True),
            agency=AgencyFactory.create(court=True),
            user=UserFactory.create(),
            staff_number="HZ1",
            roles=[StaffRole.COURT_CLERK],
        )
        assert member.has_role(StaffRole.COURT_CLERK)

    def test_at_least_one_role(self):
        with pytest.raises(ValidationError, match="at least one role"):
            staff_member_create(
                actor=UserFactory.create(operator=True),
                agency=AgencyFactory.create(),
                user=UserFactory.create(),
                staff_number="X1",
                roles=[],
            )
        assert _staff_snapshot() == (0, 0, 0)

    def test_staff_numbers_are_unique_within_an_agency_and_accounts_join_once(self):
        operator, agency, user = (
            UserFactory.create(operator=True),
            AgencyFactory.create(),
            UserFactory.create(),
        )
        staff_member_create(
            actor=operator, agency=agency, user=user, staff_number="A1", roles=["reviewer"]
        )
        before = _staff_snapshot()
        with pytest.raises(ValidationError) as caught:
            staff_member_create(
                actor=operator,
                agency=agency,
                user=UserFactory.create(),
                staff_number="A1",
                roles=["reviewer"],
            )
        assert "staff_number" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            staff_member_create(
                actor=operator,
                agency=AgencyFactory.create(),
                user=user,
                staff_number="B1",
                roles=["reviewer"],
            )
        assert "user" in caught.value.message_dict
        assert _staff_snapshot() == before

    def test_a_blank_staff_number_is_refused(self):
        with pytest.raises(ValidationError) as caught:
            staff_member_create(
                actor=UserFactory.create(operator=True),
                agency=AgencyFactory.create(),
                user=UserFactory.create(),
                staff_number="   ",
                roles=["reviewer"],
            )
        assert "staff_number" in caught.value.message_dict
        assert _staff_snapshot() == (0, 0, 0)

    def test_the_operator_account_cannot_become_staff(self):
        operator = UserFactory.create(operator=True)
        with pytest.raises(ValidationError):
            staff_member_create(
                actor=operator,
                agency=AgencyFactory.create(),
                user=operator,
                staff_number="A1",
                roles=["reviewer"],
            )
        assert _staff_snapshot() == (0, 0, 0)

    def test_the_agencys_store_admin_may_add_staff_but_not_others(self):
        operator, agency = UserFactory.create(operator=True), AgencyFactory.create()
        admin_user = UserFactory.create()
        staff_member_create(
            actor=operator, agency=agency, user=admin_user, staff_number="A1", roles=["store_admin"]
        )
        reviewer_user = UserFactory.create()
        staff_member_create(
            actor=operator, agency=agency, user=reviewer_user, staff_number="A2", roles=["reviewer"]
        )

        staff_member_create(
            actor=admin_user,
            agency=agency,
            user=UserFactory.create(),
            staff_number="A3",
            roles=["producer"],
        )
        before = _staff_snapshot()
        for actor, target_agency in (
            (reviewer_user, agency),  # staff without the admin role
            (admin_user, AgencyFactory.create()),  # an admin of another agency
            (UserFactory.create(), agency),  # a citizen
        ):
            with pytest.raises(PermissionDenied):
                staff_member_create(
                    actor=actor,
                    agency=target_agency,
                    user=UserFactory.create(),
                    staff_number="Z9",
                    roles=["reviewer"],
                )
        assert _staff_snapshot() == before


class TestStaffRolesSet:
    @pytest.fixture
    def member(self):
        return staff_member_create(
            actor=UserFactory.create(operator=True),
            agency=AgencyFactory.create(),
            user=UserFactory.create(),
            staff_number="A1",
            roles=["reviewer"],
        )

    def test_replaces_the_roles_and_records_what_changed(self, member):
        operator = UserFactory.create(operator=True)
        staff_roles_set(actor=operator, member=member, roles=["producer", "dispatcher"])
        assert member.role_set() == {"producer", "dispatcher"}
        event = StaffEvent.objects.get(kind=StaffEventKind.STAFF_ROLES_CHANGED)
        assert event.payload == {"added": ["dispatcher", "producer"], "removed": ["reviewer"]}

    def test_setting_the_same_roles_writes_nothing(self, member):
        before = _staff_snapshot()
        staff_roles_set(actor=UserFactory.create(operator=True), member=member, roles=["reviewer"])
        assert _staff_snapshot() == before

    def test_refused_roles_change_nothing(self, member):
        before = _staff_snapshot()
        with pytest.raises(ValidationError):
            staff_roles_set(
                actor=UserFactory.create(operator=True), member=member, roles=["court_clerk"]
            )
        with pytest.raises(PermissionDenied):
            staff_roles_set(actor=UserFactory.create(), member=member, roles=["producer"])
        assert _staff_snapshot() == before
        assert member.role_set() == {"reviewer"}
