"""Reads of lots, registrations, bids and the bid log, with who may see what in one
place. Bidders are known by their codes only until the close (Art. 18): the court
included. A lot the actor may not see is a 404, as for a lot that does not exist."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.auctions import rules
from govstore.auctions.constants import CLOSED_STATUSES, LotStatus
from govstore.auctions.models import Bid, Lot, LotEvent, LotPhoto, Registration, TransferNotice
from govstore.core.masking import mask_name
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.models import Agency, StaffMember

Actor = User | AnonymousUser

# Lots anyone may see: everything once the notice is published. A draft withdrawn
# before its notice was published was never public and stays unseen.
PUBLIC_STATUSES = frozenset(set(LotStatus) - {LotStatus.DRAFT})


def is_published(lot: Lot) -> bool:
    """Whether the lot's notice was ever published, so anyone may see it."""
    if lot.status == LotStatus.WITHDRAWN:
        return lot.announced_at is not None
    return lot.status in PUBLIC_STATUSES


def is_clerk_of(actor: Actor, court: Agency | int) -> bool:
    """Whether the account is an active court clerk of this court."""
    if not actor.is_authenticated or not actor.is_active or actor.kind != AccountKind.STAFF:
        return False
    court_id = court if isinstance(court, int) else court.pk
    member = (
        StaffMember.objects.filter(user=actor, is_active=True, agency_id=court_id)
        .filter(agency__kind=AgencyKind.COURT)
        .prefetch_related("roles")
        .first()
    )
    return member is not None and member.has_role(StaffRole.COURT_CLERK)


def is_vehicle_administration_staff(actor: Actor) -> bool:
    """Active staff of a vehicle administration, who apply courts' transfer notices."""
    if not actor.is_authenticated or not actor.is_active or actor.kind != AccountKind.STAFF:
        return False
    return StaffMember.objects.filter(
        user=actor, is_active=True, agency__kind=AgencyKind.VEHICLE_ADMINISTRATION
    ).exists()


def is_staff_anywhere(actor: Actor) -> bool:
    """Courts', agencies' and the platform's people: any account that is not a
    citizen's, or that belongs to an agency at all (Art. 34 bars them from bidding)."""
    if not actor.is_authenticated:
        return False
    if actor.kind != AccountKind.CITIZEN or actor.is_staff or actor.is_superuser:
        return True
    return StaffMember.objects.filter(user=actor).exists()


def lots_public() -> QuerySet[Lot]:
    return (
        Lot.objects.filter(status__in=PUBLIC_STATUSES)
        .exclude(status=LotStatus.WITHDRAWN, announced_at__isnull=True)
        .select_related("court")
    )


def lot_get_for_actor(*, actor: Actor, reference: str, lock: bool = False) -> Lot:
    """A published lot for anyone; a draft (or a draft withdrawn unpublished) only
    for its court's clerks."""
    lots = Lot.objects.select_related("court")
    if lock:
        lots = lots.select_for_update(of=("self",))
    lot = lots.filter(reference=reference).first()
    if lot is None:
        raise Http404(_("There is no such lot."))
    if not is_published(lot) and not is_clerk_of(actor, lot.court_id):
        raise Http404(_("There is no such lot."))
    return lot


def registration_for(*, actor: Actor, lot: Lot) -> Registration | None:
    """The actor's own registration for the lot, if any."""
    if not actor.is_authenticated:
        return None
    return Registration.objects.filter(lot=lot, bidder=actor).first()


@dataclass(frozen=True)
class BidRow:
    """A bid as shown to everyone: the code, never the person."""

    seq: int
    code: str
    amount_fen: int
    placed_at: object
    by_proxy: bool
    matched: bool


def bid_history(*, lot: Lot, limit: int | None = None) -> list[BidRow]:
    """The full bid history, newest first (Art. 20), with bidding codes only; with
    `limit`, the newest that many."""
    rows = (
        Bid.objects.filter(lot=lot)
        .order_by("-seq")
        .values_list("seq", "registration__code", "amount_fen", "placed_at", "by_proxy", "matched")
    )
    if limit is not None:
        rows = rows[:limit]
    return [BidRow(*row) for row in rows]


@dataclass(frozen=True)
class Winner:
    code: str
    name: str
    price_fen: int


def lot_winner_for_actor(*, actor: Actor, lot: Lot) -> Winner:
    """Who bought the lot. Nobody may know any bidder's identity before the close, the
    court included; after it, the court's clerks and the winner read the real name,
    everyone else a masked one."""
    if lot.status not in CLOSED_STATUSES:
        raise PermissionDenied(_("Bidders are known only by their codes until the auction closes."))
    if lot.winner_id is None or lot.final_price_fen is None:
        raise Http404(_("Nobody bought this lot."))
    winner = Registration.objects.select_related("bidder").get(pk=lot.winner_id)
    full = is_clerk_of(actor, lot.court_id) or (
        actor.is_authenticated and actor.pk == winner.bidder_id
    )
    name = winner.bidder.real_name if full else mask_name(winner.bidder.real_name)
    return Winner(code=winner.code, name=name, price_fen=lot.final_price_fen)


def registrations_for_clerk(*, actor: Actor, lot: Lot) -> QuerySet[Registration]:
    """Registrations as the court sees them before the close: counts and codes, no
    people. Priority claims are confirmed through priority_claims_for_clerk."""
    if not is_clerk_of(actor, lot.court_id):
        raise Http404(_("There is no such lot."))
    return Registration.objects.filter(lot=lot).only(
        "pk", "code", "deposit_status", "created_at", "lot_id"
    )


@dataclass(frozen=True)
class PriorityClaim:
    """A claim the clerk confirms against the holder named in the notice: the person's
    real name and ID number, without the bidding code they bid under."""

    registration_id: int
    holder_name: str
    holder_rank: int
    real_name: str
    id_number: str
    status: str


def priority_claims_for_clerk(*, actor: Actor, lot: Lot) -> list[PriorityClaim]:
    if not is_clerk_of(actor, lot.court_id):
        raise Http404(_("There is no such lot."))
    claims = (
        Registration.objects.filter(lot=lot, priority_holder__isnull=False)
        .select_related("priority_holder", "bidder")
        .order_by("priority_holder__rank", "pk")
    )
    return [
        PriorityClaim(
            registration_id=claim.pk,
            holder_name=claim.priority_holder.name if claim.priority_holder else "",
            holder_rank=claim.priority_holder.rank if claim.priority_holder else 0,
            real_name=claim.bidder.real_name,
            id_number=claim.bidder.id_number or "",
            status=claim.priority_status,
        )
        for claim in claims
    ]


def lot_events_for_clerk(*, actor: Actor, lot: Lot) -> QuerySet[LotEvent]:
    """The lot's whole trail, newest first, for its court's clerks only. The rows name
    registrations, never people; the timeline shows bidders by code."""
    if not is_clerk_of(actor, lot.court_id):
        raise Http404(_("There is no such lot."))
    return (
        LotEvent.objects.filter(lot=lot)
        .select_related("registration")
        .order_by("-created_at", "-pk")
    )


def courts_of_clerk(actor: Actor) -> list[Agency]:
    """The courts the account clerks for."""
    if not actor.is_authenticated or actor.kind != AccountKind.STAFF:
        return []
    members = (
        StaffMember.objects.filter(user=actor, is_active=True, agency__kind=AgencyKind.COURT)
        .select_related("agency")
        .prefetch_related("roles")
    )
    return [member.agency for member in members if member.has_role(StaffRole.COURT_CLERK)]


def lots_for_clerk(*, actor: Actor) -> QuerySet[Lot]:
    courts = courts_of_clerk(actor)
    if not courts:
        raise Http404(_("There is no such page."))
    return Lot.objects.filter(court__in=courts).select_related("court").order_by("-created_at")


def lot_get_for_clerk(*, actor: Actor, reference: str) -> Lot:
    lot = lot_get_for_actor(actor=actor, reference=reference)
    if not is_clerk_of(actor, lot.court_id):
        raise Http404(_("There is no such lot."))
    return lot


def lot_photo_get(*, actor: Actor, lot: Lot, pk: int) -> LotPhoto:
    """A photo of a lot the actor may see (published, or a draft its clerk sees)."""
    photo = LotPhoto.objects.select_related("document").filter(lot=lot, pk=pk).first()
    if photo is None:
        raise Http404(_("There is no such photo."))
    return photo


def transfer_notices_for_actor(*, actor: Actor) -> QuerySet[TransferNotice]:
    if not is_vehicle_administration_staff(actor):
        raise Http404(_("There is no such page."))
    # Notices still to apply first, on every database (NULLs sort differently by default).
    return TransferNotice.objects.select_related("lot__court", "vehicle").order_by(
        F("applied_at").asc(nulls_first=True), "-issued_at"
    )


def bids_public(*, lot: Lot) -> QuerySet[Bid]:
    """The lot's accepted bids as anyone may read them, for paging: each carries its
    registration's code, and nothing reads the bidder behind it."""
    return (
        Bid.objects.filter(lot=lot)
        .select_related("registration")
        .only(
            "pk",
            "lot_id",
            "seq",
            "amount_fen",
            "placed_at",
            "by_proxy",
            "matched",
            "registration__code",
        )
    )


def lot_photos(*, lot: Lot) -> QuerySet[LotPhoto]:
    """The photos of a lot the actor may already see, in the notice's order."""
    return LotPhoto.objects.filter(lot=lot).order_by("position", "pk")


def registration_get_own(*, actor: Actor, lot: Lot) -> Registration:
    """The actor's own registration for the lot; anyone else's, or none, is a 404."""
    registration = registration_for(actor=actor, lot=lot)
    if registration is None:
        raise Http404(_("You are not registered for this lot."))
    return registration


def minimum_bid_for(*, actor: Actor, lot: Lot, now: datetime.datetime) -> int | None:
    """The least the actor may bid on the lot now, as the lot page shows it: None when
    they are not registered, bidding is not open by the clock, or they cannot bid
    (they lead, or a fixed-price sale is taken)."""
    registration = registration_for(actor=actor, lot=lot)
    if registration is None or rules.bidding_window_refusal(lot, now=now) is not None:
        return None
    leading = (
        Registration.objects.select_related("priority_holder").filter(pk=lot.leading_id).first()
        if lot.leading_id
        else None
    )
    minimum, _matched = rules.minimum_bid(lot, registration, leading)
    return minimum


def lot_photos_first(*, lots: list[Lot]) -> list[tuple[int, int]]:
    """(lot id, photo id) of each listed lot's photos, first photo first, for a list's
    thumbnails."""
    return list(
        LotPhoto.objects.filter(lot__in=lots)
        .order_by("lot_id", "position", "pk")
        .values_list("lot_id", "pk")
    )
