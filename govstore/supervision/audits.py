"""Audits a supervisor runs: fees charged against the approved standards, and staff who
looked at far more citizens' documents than their work explains."""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from govstore.accounts.models import User
from govstore.applications.constants import (
    COURIER_FEE_ITEM_CODE,
    DOCUMENT_PURPOSE,
    ApplicationEventKind,
)
from govstore.applications.models import Application, ApplicationDocument, ApplicationEvent
from govstore.catalog.fees import _standards_in_force
from govstore.catalog.models import FeeItem, FeeStandard, ServiceFeeLine
from govstore.documents.models import DocumentAccess
from govstore.stores.models import Region, StaffMember, Store
from govstore.supervision.constants import (
    UNRELATED_VIEWS_FLAG_AT,
    VIEWS_PER_REVIEW_FLAG_FACTOR,
    VIEWS_PER_REVIEW_MIN_VIEWS,
    AccessFlagReason,
    FeeFindingKind,
)
from govstore.supervision.metrics import percentile, period_bounds

# --- Fees -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeFinding:
    application_id: int
    reference: str
    store: Store
    priced_on: datetime.date
    kind: str
    item_code: str
    # The snapshot line's names as the citizen saw them ({"name_zh", "name_en"}).
    item_names: dict[str, str]
    charged_fen: int | None
    standard_fen: int | None
    charged_basis: str
    standard_basis: str

    @property
    def kind_label(self) -> str:
        return str(FeeFindingKind(self.kind).label)


def _line_applies(line: ServiceFeeLine, answers: dict) -> bool:
    if not line.applies_when_field:
        return True
    return str(answers.get(line.applies_when_field, "")) == line.applies_when_value


def _findings_for(
    application: Application,
    *,
    priced_on: datetime.date,
    standards: dict[int, FeeStandard],
    items: dict[str, FeeItem],
    service_lines: list[ServiceFeeLine],
) -> list[FeeFinding]:
    def finding(kind: str, line: dict, **values: object) -> FeeFinding:
        base: dict = {
            "application_id": application.pk,
            "reference": application.reference,
            "store": application.store,
            "priced_on": priced_on,
            "kind": kind,
            "item_code": str(line.get("item_code", "")),
            "item_names": {
                "name_zh": str(line.get("name_zh", "")),
                "name_en": str(line.get("name_en", "")),
            },
            "charged_fen": line.get("amount_fen"),
            "standard_fen": None,
            "charged_basis": str(line.get("legal_basis", "")),
            "standard_basis": "",
        }
        base.update(values)
        return FeeFinding(**base)

    findings = []
    snapshot = [line for line in application.fee_snapshot if isinstance(line, dict)]
    regulated = [line for line in snapshot if line.get("item_code") != COURIER_FEE_ITEM_CODE]
    for line in regulated:
        item = items.get(str(line.get("item_code", "")))
        standard = standards.get(item.pk) if item is not None else None
        if standard is None:
            findings.append(finding(FeeFindingKind.NO_STANDARD, line))
            continue
        quantity = int(line.get("quantity") or 1)
        expected = {
            "standard_fen": standard.amount_fen * quantity,
            "standard_basis": standard.legal_basis,
        }
        flagged = False
        if (
            line.get("unit_amount_fen") != standard.amount_fen
            or line.get("amount_fen") != standard.amount_fen * quantity
        ):
            findings.append(finding(FeeFindingKind.AMOUNT, line, **expected))
            flagged = True
        if line.get("legal_basis") != standard.legal_basis:
            findings.append(finding(FeeFindingKind.LEGAL_BASIS, line, **expected))
            flagged = True
        if not flagged and line.get("fee_standard_id") != standard.pk:
            # Same amount and document, but not the version in force: worth a look,
            # a sign the order was priced from stale data.
            findings.append(finding(FeeFindingKind.OTHER_STANDARD, line, **expected))
    charged_codes = {line.get("item_code") for line in regulated}
    for service_line in service_lines:
        if not _line_applies(service_line, application.answers or {}):
            continue
        if service_line.item.code in charged_codes:
            continue
        standard = standards.get(service_line.item_id)
        findings.append(
            finding(
                FeeFindingKind.LINE_MISSING,
                {
                    "item_code": service_line.item.code,
                    "name_zh": service_line.item.name_zh,
                    "name_en": service_line.item.name_en,
                    "amount_fen": None,
                },
                standard_fen=(
                    standard.amount_fen * service_line.quantity if standard is not None else None
                ),
                standard_basis=standard.legal_basis if standard is not None else "",
            )
        )
    line_sum = sum(int(line.get("amount_fen") or 0) for line in snapshot)
    if line_sum != application.total_fen:
        findings.append(
            finding(
                FeeFindingKind.TOTAL,
                {"item_code": "", "amount_fen": application.total_fen},
                standard_fen=line_sum,
            )
        )
    return findings


def fee_findings(
    *, store: Store | None, since: datetime.date, until: datetime.date
) -> list[FeeFinding]:
    """Every paid application of the period (by payment date) whose fee lines differ from
    the standard in force, in its store's region, on the day it was priced. A free redo
    ordered after a complaint is left out: its price was set by the decision.

    Reads the standards once per region and pricing day, not once per application."""
    start, end = period_bounds(since, until)
    applications = (
        Application.objects.filter(
            submitted_at__gte=start, submitted_at__lt=end, redo_of__isnull=True
        )
        .select_related("store__agency__region__parent__parent__parent")
        .only(
            "pk",
            "reference",
            "service_id",
            "store",
            "fee_snapshot",
            "total_fen",
            "answers",
            "payment_requested_at",
            "submitted_at",
        )
        .order_by("-submitted_at", "-pk")
    )
    if store is not None:
        applications = applications.filter(store=store)
    rows = list(applications)
    lines_by_service: dict[int, list[ServiceFeeLine]] = defaultdict(list)
    for service_line in ServiceFeeLine.objects.filter(
        service_id__in={application.service_id for application in rows}
    ).select_related("item"):
        lines_by_service[service_line.service_id].append(service_line)
    codes = {
        str(line.get("item_code"))
        for application in rows
        for line in application.fee_snapshot
        if isinstance(line, dict)
    }
    items = {item.code: item for item in FeeItem.objects.filter(code__in=codes)}
    item_ids = {item.pk for item in items.values()} | {
        line.item_id for lines in lines_by_service.values() for line in lines
    }
    cache: dict[tuple[int, datetime.date], dict[int, FeeStandard]] = {}
    findings: list[FeeFinding] = []
    for application in rows:
        priced_at = application.payment_requested_at or application.submitted_at
        assert priced_at is not None  # submitted_at is set on every row read
        priced_on = timezone.localdate(priced_at)
        region: Region = application.store.agency.region
        key = (region.pk, priced_on)
        if key not in cache:
            cache[key] = _standards_in_force(item_ids=item_ids, region=region, on=priced_on)
        findings.extend(
            _findings_for(
                application,
                priced_on=priced_on,
                standards=cache[key],
                items=items,
                service_lines=lines_by_service.get(application.service_id, []),
            )
        )
    return findings


# --- Who looked at documents ---------------------------------------------------------

# Steps that show a staff member worked on an application: seeing its documents then is
# part of the job.
HANDLING_KINDS = (
    ApplicationEventKind.CLAIMED,
    ApplicationEventKind.RELEASED,
    ApplicationEventKind.RESUBMISSION_REQUESTED,
    ApplicationEventKind.APPROVED,
    ApplicationEventKind.REJECTED,
    ApplicationEventKind.ROUTED_IN_PERSON,
    ApplicationEventKind.DOCUMENT_FILED,
    ApplicationEventKind.PRODUCTION_STARTED,
    ApplicationEventKind.PRODUCTION_DONE,
)
# Steps that count as reviewing an application (claiming it or deciding it).
REVIEW_KINDS = (
    ApplicationEventKind.CLAIMED,
    ApplicationEventKind.RESUBMISSION_REQUESTED,
    ApplicationEventKind.APPROVED,
    ApplicationEventKind.REJECTED,
    ApplicationEventKind.ROUTED_IN_PERSON,
)


@dataclass
class StaffAccessFigures:
    member: StaffMember
    views: int = 0
    applications_viewed: int = 0
    reviewed: int = 0
    # Views of documents of applications the member never claimed, decided or worked on.
    unrelated_views: int = 0
    views_per_review: float | None = None
    # The median views per reviewed application among the member's colleagues.
    colleagues_median: float | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def user(self) -> User:
        return self.member.user

    @property
    def store(self) -> Store | None:
        return getattr(self.member.agency, "store", None)

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    @property
    def reason_labels(self) -> list[str]:
        return [str(AccessFlagReason(reason).label) for reason in self.reasons]


def _application_id(reference: str) -> int | None:
    prefix, _sep, raw = reference.partition(":")
    return int(raw) if prefix == DOCUMENT_PURPOSE and raw.isdigit() else None


def staff_access_figures(
    *, since: datetime.date, until: datetime.date, store: Store | None = None
) -> list[StaffAccessFigures]:
    """For each staff member who viewed application documents in the period: views,
    applications reviewed, views outside their own work, and views per reviewed
    application against their colleagues' median; flagged ones first. A fixed number of
    queries: counts are grouped in the database per member and application."""
    start, end = period_bounds(since, until)
    views = DocumentAccess.objects.filter(
        granted=True,
        at__gte=start,
        at__lt=end,
        actor__staff_member__isnull=False,
        document__purpose=DOCUMENT_PURPOSE,
    )
    if store is not None:
        views = views.filter(actor__staff_member__agency_id=store.agency_id)
    # Views per member and document; a document belongs to the application it was
    # handed over for (its reference) and to any redo that carried it over.
    per_document: dict[int, dict[uuid.UUID, int]] = defaultdict(lambda: defaultdict(int))
    first_application: dict[uuid.UUID, int | None] = {}
    for row in views.values("actor_id", "document_id", "document__reference").annotate(
        n=Count("pk")
    ):
        per_document[row["actor_id"]][row["document_id"]] += row["n"]
        first_application[row["document_id"]] = _application_id(row["document__reference"])
    if not per_document:
        return []
    actor_ids = set(per_document)
    applications_of: dict[uuid.UUID, set[int]] = {
        document_id: {pk} if pk else set() for document_id, pk in first_application.items()
    }
    for document_id, application_id in ApplicationDocument.objects.filter(
        document_id__in=list(first_application)
    ).values_list("document_id", "application_id"):
        applications_of[document_id].add(application_id)
    application_ids = {pk for pks in applications_of.values() for pk in pks}

    handled: set[tuple[int, int]] = set(
        ApplicationEvent.objects.filter(
            actor_id__in=actor_ids, application_id__in=application_ids, kind__in=HANDLING_KINDS
        )
        .values_list("actor_id", "application_id")
        .distinct()
    )
    handled |= set(
        Application.objects.filter(pk__in=application_ids, claimed_by_id__in=actor_ids).values_list(
            "claimed_by_id", "pk"
        )
    )
    reviewed = {
        row["actor_id"]: row["n"]
        for row in ApplicationEvent.objects.filter(
            actor_id__in=actor_ids, kind__in=REVIEW_KINDS, created_at__gte=start, created_at__lt=end
        )
        .values("actor_id")
        .annotate(n=Count("application_id", distinct=True))
    }
    members = StaffMember.objects.filter(user_id__in=actor_ids).select_related(
        "user", "agency__store"
    )
    figures_by_agency: dict[int, list[StaffAccessFigures]] = defaultdict(list)
    everyone = []
    for member in members:
        viewed = per_document[member.user_id]
        figures = StaffAccessFigures(member=member)
        figures.views = sum(viewed.values())
        figures.applications_viewed = len(
            {first_application[document_id] for document_id in viewed} - {None}
        )
        figures.reviewed = reviewed.get(member.user_id, 0)
        figures.unrelated_views = sum(
            n
            for document_id, n in viewed.items()
            if not any((member.user_id, pk) in handled for pk in applications_of[document_id])
        )
        if figures.reviewed:
            figures.views_per_review = figures.views / figures.reviewed
        figures_by_agency[member.agency_id].append(figures)
        everyone.append(figures)

    for colleagues in figures_by_agency.values():
        for figures in colleagues:
            # The others' habit only: with their own ratio in it, one of two colleagues
            # could never stand out however much they browse.
            median = percentile(
                [
                    other.views_per_review
                    for other in colleagues
                    if other is not figures and other.views_per_review is not None
                ],
                0.5,
            )
            figures.colleagues_median = median
            if figures.unrelated_views >= UNRELATED_VIEWS_FLAG_AT:
                figures.reasons.append(AccessFlagReason.UNRELATED)
            ratio = (
                figures.views_per_review
                if figures.views_per_review is not None
                else float(figures.views)  # viewed without reviewing anything
            )
            if (
                figures.views >= VIEWS_PER_REVIEW_MIN_VIEWS
                and median is not None
                and ratio > VIEWS_PER_REVIEW_FLAG_FACTOR * median
            ):
                figures.reasons.append(AccessFlagReason.RATIO)
    everyone.sort(key=lambda f: (not f.flagged, -f.unrelated_views, -f.views, f.member.pk))
    return everyone
