"""Writes for agencies and their stores: following a store, and staffing an agency."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.stores.constants import (
    ROLES_BY_AGENCY_KIND,
    STAFF_NUMBER_MAX_LENGTH,
    AgencyKind,
    StaffEventKind,
    StaffRole,
    StoreEventKind,
)
from govstore.stores.models import (
    Agency,
    StaffEvent,
    StaffMember,
    StaffRoleGrant,
    Store,
    StoreEvent,
    StoreFollow,
)


def _require_citizen(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.kind == AccountKind.CITIZEN):
        raise PermissionDenied(_("Only citizens' accounts can follow a store."))


def store_follow(*, actor: User, store: Store) -> bool:
    """Make the citizen a follower of the store. Following twice is harmless; returns
    whether this call changed anything."""
    _require_citizen(actor)
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        if not locked.is_open:
            raise ValidationError(_("This store is closed and cannot be followed."))
        _follow, created = StoreFollow.objects.get_or_create(store=locked, citizen=actor)
        if created:
            Store.objects.filter(pk=locked.pk).update(follower_count=F("follower_count") + 1)
            StoreEvent.objects.create(store=locked, actor=actor, kind=StoreEventKind.FOLLOWED)
    store.refresh_from_db(fields=["follower_count"])
    return created


def store_unfollow(*, actor: User, store: Store) -> bool:
    """Stop following; unfollowing a store one does not follow is harmless. Returns
    whether this call changed anything."""
    _require_citizen(actor)
    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        deleted, _by_model = StoreFollow.objects.filter(store=locked, citizen=actor).delete()
        if deleted:
            # The guard keeps the counter from wrapping if it ever drifted below the rows.
            Store.objects.filter(pk=locked.pk, follower_count__gt=0).update(
                follower_count=F("follower_count") - 1
            )
            StoreEvent.objects.create(store=locked, actor=actor, kind=StoreEventKind.UNFOLLOWED)
    store.refresh_from_db(fields=["follower_count"])
    return bool(deleted)


def _is_platform_operator(actor: User) -> bool:
    return (
        actor.is_authenticated
        and actor.is_active
        and (actor.is_superuser or actor.kind == AccountKind.OPERATOR)
    )


def _require_may_staff(actor: User, agency: Agency) -> None:
    """The platform operator onboards agencies; after that an agency's own store
    administrator may staff it."""
    if _is_platform_operator(actor):
        return
    member = getattr(actor, "staff_member", None) if actor.is_authenticated else None
    if (
        member is not None
        and member.agency_id == agency.pk
        and member.has_role(StaffRole.STORE_ADMIN)
    ):
        return
    raise PermissionDenied(
        _("Only the platform operator or this agency's store administrator may change its staff.")
    )


def staff_roles_validate(*, agency: Agency, roles: Iterable[str]) -> frozenset[str]:
    """The roles as a set, or ValidationError when one does not belong to this kind of
    agency (a court has no producers; only a supervisory authority has supervisors)."""
    wanted = frozenset(roles)
    if not wanted:
        raise ValidationError(_("Give the staff member at least one role."), code="no_roles")
    allowed = ROLES_BY_AGENCY_KIND.get(agency.kind, frozenset())
    refused = sorted(wanted - allowed)
    if refused:
        labels = ", ".join(
            str(StaffRole(role).label) if role in StaffRole.values else role for role in refused
        )
        raise ValidationError(
            _("A %(kind)s cannot give these roles: %(roles)s.")
            % {"kind": AgencyKind(agency.kind).label.lower(), "roles": labels},
            code="role_not_allowed",
        )
    return wanted


def staff_member_create(
    *, actor: User, agency: Agency, user: User, staff_number: str, roles: Iterable[str]
) -> StaffMember:
    """Attach an account to an agency as staff with the given roles. The account
    becomes a staff account (a supervisor's, at a supervisory authority)."""
    _require_may_staff(actor, agency)
    staff_number = (staff_number or "").strip()
    with transaction.atomic():
        locked_agency = Agency.objects.select_for_update().get(pk=agency.pk)
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        wanted = staff_roles_validate(agency=locked_agency, roles=roles)
        errors: dict[str, list[str]] = {}
        if not staff_number:
            errors["staff_number"] = [_("Enter the staff number printed on the badge.")]
        elif len(staff_number) > STAFF_NUMBER_MAX_LENGTH:
            errors["staff_number"] = [
                _("A staff number has at most %(max)d characters.")
                % {"max": STAFF_NUMBER_MAX_LENGTH}
            ]
        elif StaffMember.objects.filter(agency=locked_agency, staff_number=staff_number).exists():
            errors["staff_number"] = [_("Another staff member of this agency has this number.")]
        if StaffMember.objects.filter(user=locked_user).exists():
            errors["user"] = [_("This account is already a staff member of an agency.")]
        elif locked_user.is_superuser or locked_user.kind == AccountKind.OPERATOR:
            errors["user"] = [_("The platform operator's account cannot be agency staff.")]
        if errors:
            raise ValidationError(errors)

        member = StaffMember.objects.create(
            user=locked_user, agency=locked_agency, staff_number=staff_number
        )
        StaffRoleGrant.objects.bulk_create(
            StaffRoleGrant(member=member, role=role) for role in sorted(wanted)
        )
        locked_user.kind = (
            AccountKind.SUPERVISOR
            if locked_agency.kind == AgencyKind.SUPERVISORY_AUTHORITY
            else AccountKind.STAFF
        )
        locked_user.save(update_fields=["kind"])
        StaffEvent.objects.create(
            agency=locked_agency,
            member=member,
            actor=actor,
            kind=StaffEventKind.STAFF_ADDED,
            payload={"staff_number": staff_number, "roles": sorted(wanted)},
        )
    user.kind = locked_user.kind
    return member


def staff_roles_set(*, actor: User, member: StaffMember, roles: Iterable[str]) -> StaffMember:
    """Replace a staff member's roles. Setting the roles it already has changes nothing
    and writes no event."""
    _require_may_staff(actor, member.agency)
    with transaction.atomic():
        locked = StaffMember.objects.select_for_update().select_related("agency").get(pk=member.pk)
        wanted = staff_roles_validate(agency=locked.agency, roles=roles)
        current = set(locked.roles.values_list("role", flat=True))
        added, removed = sorted(wanted - current), sorted(current - wanted)
        if added or removed:
            locked.roles.filter(role__in=removed).delete()
            StaffRoleGrant.objects.bulk_create(
                StaffRoleGrant(member=locked, role=role) for role in added
            )
            StaffEvent.objects.create(
                agency=locked.agency,
                member=locked,
                actor=actor,
                kind=StaffEventKind.STAFF_ROLES_CHANGED,
                payload={"added": added, "removed": removed},
            )
    return locked
