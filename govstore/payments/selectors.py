"""Reads of payments, refunds and the journal. Those shown to people check who is
asking: staff see their own agency's money, supervisors every agency's; anyone else
gets Http404, as for a page that does not exist."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.payments import ledger
from govstore.payments.constants import PaymentStatus, RefundStatus
from govstore.payments.models import JournalEntry, Payment, PaymentNotification, Refund
from govstore.stores.models import Agency, StaffMember

Actor = User | AnonymousUser


def payment_accepted_for(*, purpose: str, payable_id: str) -> Payment | None:
    """The payment the payable took (paid, not a duplicate), if any."""
    return Payment.objects.filter(
        purpose=purpose, payable_id=str(payable_id), status=PaymentStatus.PAID, duplicate=False
    ).first()


def payments_for(*, purpose: str, payable_id: str) -> QuerySet[Payment]:
    """Every trade started for the payable, duplicates and unpaid ones included, newest
    first."""
    return Payment.objects.filter(purpose=purpose, payable_id=str(payable_id)).order_by(
        "-created_at", "-pk"
    )


def payment_timeline(payment: Payment) -> QuerySet:
    return payment.events.select_related("actor").order_by("created_at", "pk")


# --- Who may see an agency's money -----------------------------------------------------


def staff_agency(actor: Actor) -> Agency | None:
    """The agency an active staff account works for; None for anyone else."""
    if not actor.is_authenticated or not actor.is_active or actor.kind != AccountKind.STAFF:
        return None
    member = StaffMember.objects.filter(user=actor, is_active=True).select_related("agency").first()
    return member.agency if member else None


def is_money_supervisor(actor: Actor) -> bool:
    """Supervisors, and the platform's operators, see every agency's money."""
    return (
        actor.is_authenticated
        and actor.is_active
        and actor.kind in (AccountKind.SUPERVISOR, AccountKind.OPERATOR)
    )


def _require_agency_access(actor: Actor, agency: Agency) -> None:
    if is_money_supervisor(actor):
        return
    own = staff_agency(actor)
    if own is None or own.pk != agency.pk:
        raise Http404(_("No payments page here is open to you."))


def agencies_for(actor: Actor) -> QuerySet[Agency]:
    """The agencies whose money the actor may look at."""
    if is_money_supervisor(actor):
        return Agency.objects.filter(payments__isnull=False).distinct().order_by("name_zh", "pk")
    own = staff_agency(actor)
    return Agency.objects.filter(pk=own.pk) if own else Agency.objects.none()


# --- Staff pages -----------------------------------------------------------------------


def refunds_open_for_agency(*, actor: Actor, agency: Agency) -> QuerySet[Refund]:
    """Refunds of the agency's payments not made yet, the longest waiting first."""
    _require_agency_access(actor, agency)
    return (
        Refund.objects.filter(payment__agency=agency, status=RefundStatus.PENDING)
        .select_related("payment", "ordered_by")
        .order_by("created_at", "pk")
    )


def notifications_needing_attention(
    *, actor: Actor, agency: Agency
) -> QuerySet[PaymentNotification]:
    """Correctly signed messages about the agency's trades that named another amount."""
    _require_agency_access(actor, agency)
    return (
        PaymentNotification.objects.filter(payment__agency=agency, needs_attention=True)
        .select_related("payment")
        .order_by("-received_at", "-pk")
    )


@dataclass(frozen=True)
class AgencySettlement:
    agency: Agency
    # Paid out to the agency on completion, in all.
    settled_fen: int
    # Refunds ordered after settlement, taken back from the agency's account.
    refunded_from_agency_fen: int
    # The agency's account: settled less taken back.
    balance_fen: int
    # Paid by citizens for the agency's payables and still in escrow.
    held_in_escrow_fen: int
    # Entries into and out of the agency's account, newest first (page them).
    entries: QuerySet[JournalEntry]


def _sum(entries: QuerySet[JournalEntry]) -> int:
    return int(entries.order_by().aggregate(total=Sum("amount_fen"))["total"] or 0)


def agency_settlement(*, actor: Actor, agency: Agency) -> AgencySettlement:
    """The agency's settlement account: totals and its entries. Staff of the agency and
    supervisors only."""
    _require_agency_access(actor, agency)
    account = ledger.agency_account(agency.pk)
    settled = _sum(JournalEntry.objects.filter(to_account=account))
    taken_back = _sum(JournalEntry.objects.filter(from_account=account))
    agency_entries = JournalEntry.objects.filter(payment__agency=agency)
    into_escrow = _sum(agency_entries.filter(to_account=ledger.ESCROW))
    out_of_escrow = _sum(agency_entries.filter(from_account=ledger.ESCROW))
    entries = (
        JournalEntry.objects.filter(Q(to_account=account) | Q(from_account=account))
        .select_related("payment", "refund")
        .order_by("-created_at", "-pk")
    )
    return AgencySettlement(
        agency=agency,
        settled_fen=settled,
        refunded_from_agency_fen=taken_back,
        balance_fen=settled - taken_back,
        held_in_escrow_fen=into_escrow - out_of_escrow,
        entries=entries,
    )
