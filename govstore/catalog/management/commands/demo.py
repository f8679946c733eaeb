"""Load the demo: the Qingdao vehicle administration's store with its three services, a
Zhejiang court's store with judicial auction lots in every state, the national fee table
and 2026 working-day calendar, registry records for every journey, and one account per
role.

Running it again changes nothing and creates no duplicates: everything is found by its
natural key and updated in place; fee versions that exist are never touched; example
pictures are drawn only when missing; passwords are reset only when they no longer
match the demo password.

Data to confirm before relying on it outside the demo:
- The 2026 public holidays and make-up working days (govstore/catalog/data/
  calendar_cn_2026.json) were entered by hand from the State Council General Office's
  notice of 4 November 2025; confirm them against the official notice.
- The fees (govstore/catalog/data/fees_cn_national.json) follow 发改价格〔2004〕2831号;
  1 January 2005 is assumed as the date it took effect. The temporary plate (¥5) and
  the inspection mark (¥0) come from a secondary source and say so on every page.
"""

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from govstore.accounts.constants import AccountKind
from govstore.accounts.demo import demo_totp_devices_ensure
from govstore.accounts.models import User
from govstore.catalog.demo import load_catalog_demo
from govstore.delivery.selectors import addresses_for
from govstore.delivery.services import address_create
from govstore.stores.constants import StaffRole
from govstore.stores.demo import DemoStores, load_stores_demo
from govstore.stores.models import Agency, StaffMember
from govstore.stores.services import staff_member_create, staff_roles_set

DEMO_PASSWORD = "govstore-demo"  # noqa: S105 - published on purpose, for local use only
OPERATOR_MOBILE = "13900000099"
COURT_CLERK_MOBILE = "13900000011"


@dataclass(frozen=True)
class _StaffAccount:
    mobile: str
    role_label: str
    agency: str  # attribute of DemoStores
    staff_number: str
    roles: tuple[str, ...]
    can: str


_STAFF = (
    _StaffAccount(
        "13900000001",
        "Store administrator (Qingdao)",
        "qingdao_administration",
        "QD0001",
        (StaffRole.STORE_ADMIN,),
        "manage the Qingdao store, its services and its staff",
    ),
    _StaffAccount(
        "13900000002",
        "Reviewer (Qingdao)",
        "qingdao_administration",
        "QD0002",
        (StaffRole.REVIEWER,),
        "check applications and their documents; approve, reject or ask for a retake",
    ),
    _StaffAccount(
        "13900000003",
        "Producer (Qingdao)",
        "qingdao_administration",
        "QD0003",
        (StaffRole.PRODUCER,),
        "produce approved licences, plates and inspection marks",
    ),
    _StaffAccount(
        "13900000004",
        "Dispatcher (Qingdao)",
        "qingdao_administration",
        "QD0004",
        (StaffRole.DISPATCHER,),
        "hand finished items to the courier or the pickup counter",
    ),
    _StaffAccount(
        "13900000005",
        "Customer service (Qingdao)",
        "qingdao_administration",
        "QD0005",
        (StaffRole.CUSTOMER_SERVICE,),
        "answer citizens' questions in the store's chat",
    ),
    _StaffAccount(
        COURT_CLERK_MOBILE,
        "Court clerk (Hangzhou)",
        "hangzhou_court",
        "HZ0011",
        (StaffRole.COURT_CLERK,),
        "publish lots with their notice, run and settle judicial auctions; the court's "
        "lots (one open for bidding, three in notice, one sold waiting for the balance, "
        "one failed) are at /auctions/court/",
    ),
    _StaffAccount(
        "13900000021",
        "Supervisor",
        "supervisory_authority",
        "JD0021",
        (StaffRole.SUPERVISOR,),
        "see every store: deadlines, complaints, ratings and the audit trail",
    ),
)


def _account(mobile: str, **fields: Any) -> User:
    """The demo account with this mobile, created if missing, with the demo password."""
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        return User.objects.create_user(mobile, DEMO_PASSWORD, **fields)
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user


def _registry_people(today: Any) -> dict[str, dict[str, Any]]:
    # Imported here: the registry is another context, loaded when the demo runs.
    from govstore.registry.demo import load_registry_demo

    return load_registry_demo(today)


class Command(BaseCommand):
    help = "Load the demo stores, services, fees, calendar, registry records and accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--history",
            action="store_true",
            help="Also write six months of past applications, ratings and complaints for "
            "the Qingdao store, so the dashboards and public figures have data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        with transaction.atomic():
            operator = _account(
                OPERATOR_MOBILE,
                kind=AccountKind.OPERATOR,
                is_staff=True,
                is_superuser=True,
            )
            stores = load_stores_demo()
            services = load_catalog_demo(actor=operator, qingdao_store=stores.qingdao_store)
            people = _registry_people(today)
            rows = self._accounts(operator=operator, stores=stores, people=people)
            totp_secrets = demo_totp_devices_ensure()

        # Imported here: the lots are the auctions context's. Loaded after the accounts
        # commit, one transaction per lot: deposits go through the payments context.
        from govstore.auctions.demo import load_auctions_demo

        clerk = User.objects.get(mobile=COURT_CLERK_MOBILE)
        lots = load_auctions_demo(court=stores.hangzhou_court, clerk=clerk)

        if options["history"]:
            # Imported here: the history is the feedback context's, loaded on request.
            from govstore.feedback.demo import load_history_demo

            added = load_history_demo(store=stores.qingdao_store, today=today)
            if added:
                self.stdout.write(
                    f"History: {added} past applications with ratings and complaints."
                )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Stores: {stores.qingdao_store.name_en}; {stores.court_store.name_en}")
        self.stdout.write("Services: " + "; ".join(service.name_en for service in services))
        if lots:
            self.stdout.write(f"Judicial auctions at /auctions/ ({stores.court_store.name_en}):")
            for lot in lots:
                self.stdout.write(f"  {lot.reference}  {lot.state}  {lot.title}")
        self.stdout.write("")
        self.stdout.write(f'Demo accounts (password for all: "{DEMO_PASSWORD}"):')
        self._table(rows)
        self.stdout.write("")
        self.stdout.write(
            "Staff, supervisor, court and operator accounts then ask for a 6-digit code: add "
            "their key to an authenticator app (time-based, 6 digits, every 30 s):"
        )
        for mobile, secret in totp_secrets.items():
            self.stdout.write(f"  {mobile}  {secret}")

    def _accounts(
        self, *, operator: User, stores: DemoStores, people: dict[str, dict[str, Any]]
    ) -> list[tuple[str, str, str]]:
        holder = people["valid_licence"]
        citizen = _account("13800000001", kind=AccountKind.CITIZEN)
        if not citizen.is_real_name_verified:
            taken = User.objects.filter(id_number=holder["id_number"]).exclude(pk=citizen.pk)
            if not taken.exists():
                citizen.real_name = holder["name"]
                citizen.id_number = holder["id_number"]
                citizen.real_name_verified_at = timezone.now()
                citizen.save(update_fields=["real_name", "id_number", "real_name_verified_at"])
        if citizen.is_real_name_verified and not addresses_for(actor=citizen).exists():
            # A saved address, so courier delivery can be chosen at checkout at once.
            address_create(
                actor=citizen,
                recipient=citizen.real_name,
                mobile=citizen.mobile,
                province_code="370000",
                city="青岛市",
                district="市南区",
                street="香港中路76号 2单元 301室",
                postcode="266071",
            )
        _account("13800000002", kind=AccountKind.CITIZEN)
        rows = [
            (
                "Citizen, real name verified",
                "13800000001",
                f"follow stores; in the registry {holder['name']}, valid licence, "
                f"car {holder['plate']} due for inspection; register and bid on the court's "
                "open car at /auctions/",
            ),
            (
                "Citizen, not yet verified",
                "13800000002",
                "browse and follow stores; try real-name verification",
            ),
        ]
        for spec in _STAFF:
            agency: Agency = getattr(stores, spec.agency)
            user = _account(spec.mobile)
            member = StaffMember.objects.filter(user=user).first()
            if member is None:
                staff_member_create(
                    actor=operator,
                    agency=agency,
                    user=user,
                    staff_number=spec.staff_number,
                    roles=spec.roles,
                )
            else:
                staff_roles_set(actor=operator, member=member, roles=spec.roles)
            rows.append((spec.role_label, spec.mobile, spec.can))
        rows.append(
            (
                "Platform operator",
                OPERATOR_MOBILE,
                "use the admin at /admin/: onboard agencies, publish fee standards",
            )
        )
        return rows

    def _table(self, rows: list[tuple[str, str, str]]) -> None:
        header = ("Role", "Mobile", "What they can do")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
        for role, mobile, can in [header, *rows]:
            self.stdout.write(f"  {role:<{widths[0]}}  {mobile:<{widths[1]}}  {can}")
