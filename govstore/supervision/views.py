"""Supervision pages: dashboards of figures, their CSV exports, and the audits. Views
stay thin; who may see what is decided in selectors, the figures in metrics."""

import csv
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govstore.accounts.models import User
from govstore.applications.selectors import is_supervisor
from govstore.core.i18n import localized
from govstore.core.pagination import paginate
from govstore.supervision import audits, dashboards, selectors, services
from govstore.supervision.constants import SupervisionEventKind
from govstore.supervision.forms import AccessLookupForm, PeriodForm
from govstore.supervision.metrics import each_store_figures, store_figures

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte order mark makes spreadsheet programs read the Chinese text as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_cell(header) for header in headers])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


def _page(request: HttpRequest, rows: list) -> Page:
    """Lists computed in Python are paged like querysets (core.pagination.paginate)."""
    return Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _period(request: HttpRequest) -> tuple[PeriodForm, str]:
    form = PeriodForm(request.GET or None)
    return form, form.chosen()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not is_supervisor(user):
        own = selectors.administered_store(user)
        if own is None:
            raise Http404("No such page.")
        target = redirect("supervision:store", slug=own.slug)
        if request.GET.get("period"):
            target["Location"] += "?" + request.GET.urlencode()
        return target
    form, period = _period(request)
    today = timezone.localdate()
    since, until = dashboards.period_dates(period, today)
    overall = store_figures(store=None, since=since, until=until, today=today)
    per_store = each_store_figures(
        stores=selectors.stores_for_dashboard(), since=since, until=until, today=today
    )
    return render(
        request,
        "supervision/dashboard.html",
        {
            "form": form,
            "period": period,
            "since": since,
            "until": until,
            "overall": overall,
            "per_store": per_store,
            "charts": dashboards.single_charts(overall) + dashboards.comparison_charts(per_store),
            "table": dashboards.figures_table([*per_store, overall]),
        },
    )


@login_required
def store(request: HttpRequest, slug: str) -> HttpResponse:
    the_store = selectors.store_for_figures(actor=_user(request), slug=slug)
    form, period = _period(request)
    today = timezone.localdate()
    since, until = dashboards.period_dates(period, today)
    figures = store_figures(store=the_store, since=since, until=until, today=today)
    return render(
        request,
        "supervision/store.html",
        {
            "store": the_store,
            "user_is_supervisor": is_supervisor(_user(request)),
            "form": form,
            "period": period,
            "since": since,
            "until": until,
            "figures": figures,
            "charts": dashboards.single_charts(figures),
            "table": dashboards.figures_table([figures]),
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """One chart's numbers (or the figures table) as CSV, for the same store and period
    as the page it was taken from."""
    user = _user(request)
    name = request.GET.get("chart", "")
    if name not in dashboards.EXPORTABLE:
        raise Http404("No such chart.")
    slug = request.GET.get("store", "")
    the_store = selectors.store_for_figures(actor=user, slug=slug) if slug else None
    if the_store is None:
        selectors.supervisor_required(user)
    _form, period = _period(request)
    today = timezone.localdate()
    since, until = dashboards.period_dates(period, today)
    figures = store_figures(store=the_store, since=since, until=until, today=today)
    per_store = (
        each_store_figures(
            stores=selectors.stores_for_dashboard(), since=since, until=until, today=today
        )
        if the_store is None and name in {*dashboards.COMPARISON_CHARTS, "figures"}
        else None
    )
    table = dashboards.export_table(name, figures=figures, per_store=per_store)
    services.export_record(
        actor=user,
        kind=SupervisionEventKind.EXPORT,
        store=the_store,
        details={"chart": name, "since": since.isoformat(), "until": until.isoformat()},
    )
    scope = the_store.slug if the_store is not None else "all-stores"
    return _csv(f"{scope}-{name}-{since:%Y%m%d}-{until:%Y%m%d}.csv", table.headers, table.raw)


@login_required
def fee_audit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.supervisor_required(user)
    form, period = _period(request)
    today = timezone.localdate()
    since, until = dashboards.period_dates(period, today)
    findings = audits.fee_findings(store=None, since=since, until=until)
    if request.GET.get("format") == "csv":
        services.export_record(
            actor=user,
            kind=SupervisionEventKind.FEE_AUDIT_EXPORT,
            store=None,
            details={"since": since.isoformat(), "until": until.isoformat()},
        )
        return _csv(
            f"fee-audit-{since:%Y%m%d}-{until:%Y%m%d}.csv",
            [
                _("Application"),
                _("Store"),
                _("Priced on"),
                _("Finding"),
                _("Fee item"),
                _("Charged (yuan)"),
                _("Standard (yuan)"),
                _("Approving document charged"),
                _("Approving document in force"),
            ],
            (
                [
                    finding.reference,
                    localized(finding.store, "name"),
                    finding.priced_on.isoformat(),
                    finding.kind_label,
                    localized(finding.item_names, "name") or finding.item_code,
                    "" if finding.charged_fen is None else f"{finding.charged_fen / 100:.2f}",
                    "" if finding.standard_fen is None else f"{finding.standard_fen / 100:.2f}",
                    finding.charged_basis,
                    finding.standard_basis,
                ]
                for finding in findings
            ),
        )
    return render(
        request,
        "supervision/fee_audit.html",
        {
            "form": form,
            "period": period,
            "since": since,
            "until": until,
            "page_obj": _page(request, findings),
            "finding_count": len(findings),
            "application_count": len({finding.application_id for finding in findings}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def access_audit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.supervisor_required(user)
    form = AccessLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = services.access_lookup_record(actor=user, query=form.cleaned_data["query"])
        if event.citizen_id is not None:
            return redirect("supervision:access_lookup", pk=event.pk)
        form.add_error("query", _("No account has this mobile number or ID number."))
    return render(request, "supervision/access_audit.html", {"form": form})


@login_required
def access_lookup(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.lookup_get(actor=_user(request), event_id=pk)
    assert event.citizen is not None
    return render(
        request,
        "supervision/access_lookup.html",
        {
            "event": event,
            "citizen": event.citizen,
            "page_obj": paginate(request, selectors.document_accesses_of(event.citizen)),
        },
    )


@login_required
def access_flags(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.supervisor_required(user)
    form, period = _period(request)
    today = timezone.localdate()
    since, until = dashboards.period_dates(period, today)
    rows = audits.staff_access_figures(since=since, until=until)
    if request.GET.get("format") == "csv":
        services.export_record(
            actor=user,
            kind=SupervisionEventKind.ACCESS_FLAGS_EXPORT,
            store=None,
            details={"since": since.isoformat(), "until": until.isoformat()},
        )
        return _csv(
            f"access-flags-{since:%Y%m%d}-{until:%Y%m%d}.csv",
            [
                _("Staff number"),
                _("Name"),
                _("Store"),
                _("Document views"),
                _("Applications viewed"),
                _("Applications reviewed"),
                _("Views outside their own work"),
                _("Views per reviewed application"),
                _("Colleagues' median"),
                _("Flags"),
            ],
            (
                [
                    row.member.staff_number,
                    row.member.display_name or row.user.real_name,
                    localized(row.store, "name")
                    if row.store
                    else localized(row.member.agency, "name"),
                    row.views,
                    row.applications_viewed,
                    row.reviewed,
                    row.unrelated_views,
                    dashboards.decimal(row.views_per_review),
                    dashboards.decimal(row.colleagues_median),
                    "; ".join(row.reason_labels),
                ]
                for row in rows
            ),
        )
    return render(
        request,
        "supervision/access_flags.html",
        {
            "form": form,
            "period": period,
            "since": since,
            "until": until,
            "page_obj": _page(request, rows),
            "flagged_count": sum(1 for row in rows if row.flagged),
        },
    )
