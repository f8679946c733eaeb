from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    VEHICLE_ADMINISTRATION = "vehicle_administration", _("Vehicle administration")
    COURT = "court", _("Court")
    SUPERVISORY_AUTHORITY = "supervisory_authority", _("Supervisory authority")


class StaffRole(models.TextChoices):
    STORE_ADMIN = "store_admin", _("Store administrator")
    REVIEWER = "reviewer", _("Reviewer")
    PRODUCER = "producer", _("Producer")
    DISPATCHER = "dispatcher", _("Dispatcher")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    COURT_CLERK = "court_clerk", _("Court clerk")
    SUPERVISOR = "supervisor", _("Supervisor")


# Which roles an agency of each kind may hand out.
ROLES_BY_AGENCY_KIND: dict[str, frozenset[str]] = {
    AgencyKind.VEHICLE_ADMINISTRATION: frozenset(
        {
            StaffRole.STORE_ADMIN,
            StaffRole.REVIEWER,
            StaffRole.PRODUCER,
            StaffRole.DISPATCHER,
            StaffRole.CUSTOMER_SERVICE,
        }
    ),
    AgencyKind.COURT: frozenset(
        {StaffRole.STORE_ADMIN, StaffRole.COURT_CLERK, StaffRole.CUSTOMER_SERVICE}
    ),
    AgencyKind.SUPERVISORY_AUTHORITY: frozenset({StaffRole.SUPERVISOR}),
}


class StoreEventKind(models.TextChoices):
    OPENED = "opened", _("Store opened")
    FOLLOWED = "followed", _("Followed")
    UNFOLLOWED = "unfollowed", _("Unfollowed")


class StaffEventKind(models.TextChoices):
    STAFF_ADDED = "staff_added", _("Staff member added")
    STAFF_ROLES_CHANGED = "staff_roles_changed", _("Staff roles changed")


NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2000
STAFF_NUMBER_MAX_LENGTH = 16
