"""Pages for applying (the citizen) and for working the queue (staff).

Views stay thin: every read goes through a selector that checks who is asking, every
write through a service; a refused write shows its message and changes nothing. What
the pages show of a case (its questions, photo slots, fee lines) is read from the
application's snapshots, never from the live catalogue.
"""

import datetime
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.applications import selectors, services
from govstore.applications.constants import (
    DUE_DATE_STATUSES,
    FINAL_STATUSES,
    PAYABLE_PURPOSE,
    ApplicationDocumentStatus,
    ApplicationEventKind,
    ApplicationStatus,
)
from govstore.applications.events import CITIZEN_EVENT_TEXT, TimelineEntry
from govstore.applications.forms import (
    AnswersForm,
    DeliveryForm,
    DocumentUploadForm,
    PickupCodeForm,
    QueueFilterForm,
    ReasonForm,
    ResubmissionForm,
    Snapshot,
    pick,
)
from govstore.applications.models import Application, ApplicationDocument
from govstore.catalog.constants import DeliveryMethod, FieldType, ServiceSubject
from govstore.catalog.selectors import services_public
from govstore.core.masking import mask_id_number, mask_name
from govstore.core.pagination import paginate
from govstore.delivery import selectors as delivery_selectors
from govstore.delivery.selectors import address_snapshot, address_snapshot_text
from govstore.documents.constants import DocumentContentType
from govstore.registry.provider import get_registry
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store

S = ApplicationStatus
ANY_STAFF_ROLE = tuple(StaffRole.values)


# --- shared helpers ----------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _own_application(request: HttpRequest, reference: str) -> Application:
    """The signed-in citizen's own application. Staff may read it too, but only on the
    staff pages: here anyone but its citizen gets the same 404 as for none at all."""
    user = _user(request)
    application = selectors.application_get_for_actor(actor=user, reference=reference)
    if application.citizen_id != user.pk:
        selectors.access_refusal_record(actor=user, asked_for=reference, application=application)
        raise Http404(_("No application with this number is open to you."))
    return application


def _service(application: Application) -> Snapshot:
    return Snapshot(application.service_snapshot)


def _answer_text(spec: dict[str, Any], value: Any) -> str:
    """An answer as the citizen would read it: the label of a chosen option, the masked
    form of an ID number, otherwise the text as given."""
    if value in (None, ""):
        return ""
    if spec.get("field_type") == FieldType.CHOICE:
        for choice in spec.get("choices") or []:
            if str(choice.get("value")) == str(value):
                return pick(choice, "label")
    if spec.get("field_type") == FieldType.ID_NUMBER:
        return mask_id_number(str(value))
    return str(value)


def _questions(application: Application) -> list[dict[str, Any]]:
    return [
        {
            "key": spec["key"],
            "label": pick(spec, "label"),
            "required": bool(spec.get("required", True)),
            "answer": _answer_text(spec, application.answers.get(spec["key"])),
        }
        for spec in application.form_snapshot
    ]


def _live_documents(application: Application) -> dict[str, ApplicationDocument]:
    return {row.key: row for row in selectors.application_documents_live(application)}


def _slots(
    application: Application, live: dict[str, ApplicationDocument] | None = None
) -> list[Snapshot]:
    """One entry per required document: its texts, and whether a photo is in the slot
    ("added"), missing, or asked for again ("retake") with the reviewer's reason."""
    live = _live_documents(application) if live is None else live
    slots = []
    for spec in application.service_snapshot.get("required_documents", []):
        row = live.get(spec["key"])
        if row is None:
            state, reason = "missing", ""
        elif row.status == ApplicationDocumentStatus.RETAKE_REQUESTED:
            state, reason = "retake", row.retake_reason
        else:
            state, reason = "added", ""
        slot = Snapshot(spec)
        slot.state = state
        slot.retake_reason = reason
        slot.document_id = row.document_id if row else None
        slot.example_url = _example_url(spec.get("example_image") or "")
        slots.append(slot)
    return slots


def _example_url(name: str) -> str:
    if not name:
        return ""
    if name.startswith(("/", "http://", "https://")):
        return name
    return settings.MEDIA_URL + name


def _document_url(document_id: Any) -> str:
    return reverse("documents:view", kwargs={"document_id": document_id}) if document_id else ""


def _fee_lines(application: Application) -> list[Snapshot]:
    return [Snapshot(line) for line in application.fee_snapshot]


def _tasks_left(application: Application, slots: Sequence[Snapshot]) -> int:
    unanswered = sum(
        1
        for spec in application.form_snapshot
        if spec.get("required", True) and application.answers.get(spec["key"]) in (None, "")
    )
    missing = sum(1 for slot in slots if slot.state != "added")
    return unanswered + missing + (0 if application.delivery_method else 1)


# --- starting ---------------------------------------------------------------------------


@require_POST
def start(request: HttpRequest, service_id: int) -> HttpResponse:
    """The service page's "Start now". Signed-out visitors are sent to sign in and
    unverified citizens to verify first; both come back to the service page."""
    service = get_object_or_404(services_public(), pk=service_id)
    service_url = reverse(
        "catalog:service_detail", kwargs={"store_slug": service.store.slug, "slug": service.slug}
    )
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={service_url}")
    user = _user(request)
    if user.kind != AccountKind.CITIZEN:
        messages.error(request, _("Only a citizen's account can apply for a service."))
        return redirect(service_url)
    if not user.is_real_name_verified:
        messages.info(request, _("Verify your real name first, then start your application."))
        return redirect("accounts:verify")
    try:
        application = services.application_start(actor=user, service=service)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect(service_url)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(service_url)
    return redirect("applications:detail", reference=application.reference)


# --- the citizen's pages ------------------------------------------------------------------


@never_cache
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.applications_of_citizen(_user(request)))
    rows = [
        {
            "application": application,
            "service": _service(application),
            "tone": _tone(application.status),
        }
        for application in page_obj.object_list
    ]
    return render(request, "applications/mine.html", {"page_obj": page_obj, "rows": rows})


def _tone(status: str) -> str:
    if status in (S.DRAFT, S.AWAITING_PAYMENT, S.NEEDS_RESUBMISSION, S.DELIVERED):
        return "action"
    if status in FINAL_STATUSES:
        return "done" if status == S.COMPLETED else ""
    return "wait"


@never_cache
@login_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """A draft shows its task list; anything later shows where it is and what happened."""
    application = _own_application(request, reference)
    slots = _slots(application)
    context: dict[str, Any] = {
        "application": application,
        "service": _service(application),
        "store": application.store,
        "questions": _questions(application),
        "slots": slots,
    }
    if application.status == S.DRAFT:
        tasks_left = _tasks_left(application, slots)
        step = 1 + bool(application.form_snapshot) + bool(slots)
        context.update(tasks_left=tasks_left, delivery_number=step, check_number=step + 1)
        return render(request, "applications/task_list.html", context)
    # The timeline in the citizen's words, paged like every list (a long case with
    # several retakes can run past a page).
    timeline_page = paginate(
        request,
        application.events.filter(for_citizen=True).order_by("created_at", "pk"),
    )
    context.update(
        timeline=[
            TimelineEntry(
                at=event.created_at,
                kind=event.kind,
                sentence=CITIZEN_EVENT_TEXT.get(event.kind, event.get_kind_display()),
                reason=event.reason,
            )
            for event in timeline_page.object_list
        ],
        timeline_page=timeline_page,
        fee_lines=_fee_lines(application),
        retakes=[slot for slot in slots if slot.state == "retake"],
        show_due=application.status in DUE_DATE_STATUSES,
        can_cancel=application.status in (S.AWAITING_PAYMENT, S.SUBMITTED),
        issued=_issued_rows(application),
        has_inspection_mark=bool(application.issuance.get("mark_code")),
        extend_days=services.receipt_extend_days(),
        pay_by=(
            application.payment_requested_at
            + datetime.timedelta(hours=services.unpaid_close_hours())
            if application.status == S.AWAITING_PAYMENT and application.payment_requested_at
            else None
        ),
        **_parcel_for_citizen(application),
        may_rate=_may_rate(request, application),
        may_complain=_may_complain(request, application),
    )
    return render(request, "applications/detail.html", context)


def _may_rate(request: HttpRequest, application: Application) -> bool:
    # Feedback builds on applications; only this page (the web layer on top of both)
    # asks it, so the import stays here.
    from govstore.feedback.selectors import rating_open_for

    if application.status != S.COMPLETED:
        return False
    return rating_open_for(actor=_user(request), application=application)


def _may_complain(request: HttpRequest, application: Application) -> bool:
    # As for ratings: feedback builds on applications, so only this page asks it.
    from govstore.feedback.selectors import complaint_open_for

    return complaint_open_for(actor=_user(request), application=application)


def _parcel_for_citizen(application: Application) -> dict[str, Any]:
    payable_id = str(application.pk)
    context: dict[str, Any] = {"shipment": None, "tracking_events": [], "pickup_code": ""}
    if application.delivery_method == DeliveryMethod.COURIER and application.status in (
        S.DISPATCHED,
        S.DELIVERED,
        S.COMPLETED,
    ):
        context["shipment"] = delivery_selectors.shipment_for(
            purpose=PAYABLE_PURPOSE, payable_id=payable_id
        )
        context["tracking_events"] = delivery_selectors.tracking_events_for(
            purpose=PAYABLE_PURPOSE, payable_id=payable_id
        )
    if application.status == S.READY_FOR_PICKUP:
        code = delivery_selectors.pickup_code_for(purpose=PAYABLE_PURPOSE, payable_id=payable_id)
        context["pickup_code"] = code.code if code is not None and code.used_at is None else ""
    return context


def _issued_rows(application: Application) -> list[tuple[str, Any]]:
    issuance = application.issuance or {}
    rows: list[tuple[str, Any]] = []
    if issuance.get("new_serial"):
        rows.append((_("New issue serial"), issuance["new_serial"]))
    if issuance.get("void_serial"):
        rows.append((_("Issue serial now void"), issuance["void_serial"]))
    if issuance.get("temporary_plate"):
        rows.append((_("Temporary plate"), issuance["temporary_plate"]))
    if issuance.get("temporary_plate_valid_until"):
        rows.append((_("Temporary plate valid until"), issuance["temporary_plate_valid_until"]))
    if issuance.get("mark_valid_until"):
        rows.append((_("Inspection valid until"), issuance["mark_valid_until"]))
    return rows


def _draft_or_back(application: Application) -> HttpResponse | None:
    """Only a draft's answers can change; anything else goes back to its page."""
    if application.status != S.DRAFT:
        return redirect("applications:detail", reference=application.reference)
    return None


def _save_answers(
    *,
    user: User,
    application: Application,
    answers: dict[str, str] | None = None,
    delivery_method: str | None = None,
    address: Any = None,
) -> None:
    """Saves one step: the service takes the whole set, so the answers of the other
    steps go with it unchanged."""
    services.application_save_answers(
        actor=user,
        application=application,
        answers={**application.answers, **(answers or {})},
        delivery_method=(
            application.delivery_method if delivery_method is None else delivery_method
        ),
        address=address,
    )


def _add_service_errors(form: Any, error: ValidationError) -> None:
    """A service's refusal shown beside the field it names, or at the top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _next_after_question(application: Application, key: str) -> HttpResponse:
    keys = [spec["key"] for spec in application.form_snapshot]
    index = keys.index(key)
    if index + 1 < len(keys):
        return redirect(
            "applications:question", reference=application.reference, key=keys[index + 1]
        )
    return redirect("applications:detail", reference=application.reference)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, reference: str, key: str) -> HttpResponse:
    """One question per page, as a phone shows it best; the task list links to each."""
    application = _own_application(request, reference)
    if back := _draft_or_back(application):
        return back
    specs = [spec for spec in application.form_snapshot if spec["key"] == key]
    if not specs:
        raise Http404(_("This application has no such question."))
    keys = [spec["key"] for spec in application.form_snapshot]
    status = 200
    if request.method == "POST":
        form = AnswersForm(request.POST, questions=specs)
        if form.is_valid():
            try:
                _save_answers(user=_user(request), application=application, answers=form.answers())
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return _next_after_question(application, key)
        status = 400
    else:
        form = AnswersForm(initial={key: application.answers.get(key, "")}, questions=specs)
    context = {
        "application": application,
        "service": _service(application),
        "form": form,
        "question_label": pick(specs[0], "label"),
        "step": keys.index(key) + 1,
        "steps": len(keys),
    }
    return render(request, "applications/question.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delivery(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own_application(request, reference)
    if back := _draft_or_back(application):
        return back
    methods = application.service_snapshot.get("delivery_methods", [])
    user = _user(request)
    addresses = list(delivery_selectors.addresses_for(actor=user))
    choices = [
        (address.pk, address_snapshot_text(address_snapshot(address))) for address in addresses
    ]
    status = 200
    if request.method == "POST":
        form = DeliveryForm(request.POST, methods=methods, addresses=choices)
        if form.is_valid():
            chosen = None
            if form.cleaned_data["address"]:
                chosen = next(
                    (a for a in addresses if str(a.pk) == form.cleaned_data["address"]), None
                )
            try:
                _save_answers(
                    user=user,
                    application=application,
                    delivery_method=form.cleaned_data["method"],
                    address=chosen,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return redirect("applications:detail", reference=application.reference)
        status = 400
    else:
        chosen_pk = (application.delivery_snapshot.get("address") or {}).get("address_id")
        default = next((a.pk for a in addresses if a.is_default), None)
        form = DeliveryForm(
            initial={
                "method": application.delivery_method or None,
                "address": str(chosen_pk or default or ""),
            },
            methods=methods,
            addresses=choices,
        )
    context = {
        "application": application,
        "service": _service(application),
        "form": form,
        "has_addresses": bool(addresses),
        "add_address_url": reverse("delivery:address_add")
        + "?"
        + urlencode({"next": request.path}),
        "store_address": pick(
            {
                "address_zh": application.store.address_zh,
                "address_en": application.store.address_en,
            },
            "address",
        ),
    }
    return render(request, "applications/delivery.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def document(request: HttpRequest, reference: str, key: str) -> HttpResponse:
    """One required document: what to photograph, an example, and the upload. Open in
    a draft, and for a photo the reviewer asked to be taken again."""
    application = _own_application(request, reference)
    slots = _slots(application)
    slot = next((slot for slot in slots if slot.key == key), None)
    if slot is None:
        raise Http404(_("This application asks for no such document."))
    # Once sent, only a photo the reviewer asked for again can be replaced, and only once.
    retaking = application.status == S.NEEDS_RESUBMISSION and slot.state == "retake"
    if application.status != S.DRAFT and not retaking:
        return redirect("applications:detail", reference=application.reference)
    status = 200
    allow_pdf = bool(slot.allow_pdf)
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES, allow_pdf=allow_pdf)
        if form.is_valid():
            try:
                services.application_attach_document(
                    actor=_user(request),
                    application=application,
                    key=key,
                    upload=form.cleaned_data["upload"],
                )
            except ValidationError as error:
                form.add_error("upload", _messages_of(error))
            else:
                messages.success(
                    request,
                    _("Photo added: %(document)s.") % {"document": pick(slot.__dict__, "title")},
                )
                if application.status == S.NEEDS_RESUBMISSION:
                    return redirect("applications:resubmit", reference=application.reference)
                return redirect(_next_slot_url(application, slots, key))
        status = 400
    else:
        form = DocumentUploadForm(allow_pdf=allow_pdf)
    keys = [each.key for each in slots]
    context = {
        "application": application,
        "service": _service(application),
        "slot": slot,
        "form": form,
        "step": keys.index(key) + 1,
        "steps": len(keys),
        "current_document_url": _document_url(slot.document_id),
    }
    return render(request, "applications/document.html", context, status=status)


def _next_slot_url(application: Application, slots: Sequence[Snapshot], key: str) -> str:
    """After a photo, the next slot still empty, or the task list when none is."""
    keys = [slot.key for slot in slots]
    after = keys[keys.index(key) + 1 :]
    for slot in slots:
        if slot.key in after and slot.state != "added":
            return reverse(
                "applications:document",
                kwargs={"reference": application.reference, "key": slot.key},
            )
    return reverse("applications:detail", kwargs={"reference": application.reference})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, reference: str) -> HttpResponse:
    """Check your answers, with the fee lines, then send. Sending runs the registry's
    eligibility checks; a failed check says which rule and what to do."""
    application = _own_application(request, reference)
    if back := _draft_or_back(application):
        return back
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            services.application_submit(actor=_user(request), application=application)
        except ValidationError as error:
            errors = _messages_of(error)
            status = 400
            application.refresh_from_db()
        else:
            application.refresh_from_db()
            if application.status == S.ROUTED_IN_PERSON:
                return redirect("applications:detail", reference=application.reference)
            return redirect("applications:confirmation", reference=application.reference)
        if application.status == S.ROUTED_IN_PERSON:
            return redirect("applications:detail", reference=application.reference)
    context = {
        "application": application,
        "service": _service(application),
        "questions": _questions(application),
        "slots": _slots(application),
        "fee_lines": _fee_lines(application),
        "errors": errors,
    }
    return render(request, "applications/check.html", context, status=status)


@never_cache
@login_required
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own_application(request, reference)
    if application.status == S.DRAFT:
        return redirect("applications:detail", reference=application.reference)
    context = {
        "application": application,
        "service": _service(application),
        "unpaid_close_hours": services.unpaid_close_hours(),
        "promise_days": int(application.service_snapshot.get("processing_working_days") or 1),
    }
    return render(request, "applications/confirmation.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own_application(request, reference)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.application_cancel(actor=_user(request), application=application)
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(request, _("Your application is cancelled."))
            return redirect("applications:detail", reference=application.reference)
    context = {"application": application, "service": _service(application), "errors": errors}
    return render(request, "applications/cancel.html", context, status=400 if errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resubmit(request: HttpRequest, reference: str) -> HttpResponse:
    """Each photo the reviewer asked for again, with the reason; then send them all."""
    application = _own_application(request, reference)
    if application.status != S.NEEDS_RESUBMISSION:
        return redirect("applications:detail", reference=application.reference)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.application_resubmit(actor=_user(request), application=application)
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(request, _("Your new photos are sent. A reviewer will check them."))
            return redirect("applications:detail", reference=application.reference)
    asked = _asked_this_round(application)
    retakes = []
    for slot in _slots(application):
        if slot.key in asked or slot.state == "retake":
            slot.retake_reason = slot.retake_reason or asked.get(slot.key, "")
            retakes.append(slot)
    context = {
        "application": application,
        "service": _service(application),
        "retakes": retakes,
        "errors": errors,
    }
    return render(request, "applications/resubmit.html", context, status=400 if errors else 200)


def _asked_this_round(application: Application) -> dict[str, str]:
    """The photos the reviewer asked for in the latest request, with the reasons: those
    still to retake and those already replaced, so the page shows the whole request."""
    asked = {row["key"]: row["reason"] for row in selectors.application_retakes(application)}
    request_event = (
        application.events.filter(kind=ApplicationEventKind.RESUBMISSION_REQUESTED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if request_event is not None:
        for key, reason in request_event.payload.get("items", []):
            asked.setdefault(str(key), str(reason))
    return asked


@login_required
@require_POST
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    """Back from "waiting for payment" to a draft, to change an answer or a photo."""
    application = _own_application(request, reference)
    try:
        services.application_reopen(actor=_user(request), application=application)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    return redirect("applications:detail", reference=application.reference)


@login_required
@require_POST
def confirm_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own_application(request, reference)
    try:
        services.application_confirm_receipt(actor=_user(request), application=application)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you. Your application is complete."))
    return redirect("applications:detail", reference=application.reference)


@login_required
@require_POST
def extend_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own_application(request, reference)
    try:
        application = services.application_extend_receipt(
            actor=_user(request), application=application
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("We will wait until %(date)s before confirming receipt for you.")
            % {"date": _date_text(application.receipt_confirm_by)},
        )
    return redirect("applications:detail", reference=application.reference)


def _date_text(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


# --- paying ------------------------------------------------------------------------------


@login_required
@require_POST
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    """Off to the gateway's cashier. A gateway that does not answer leaves the
    application payable and says so."""
    application = _own_application(request, reference)
    return_url = request.build_absolute_uri(
        reverse("applications:paid", kwargs={"reference": application.reference})
    )
    try:
        redirect_url = services.application_pay(
            actor=_user(request), application=application, return_url=return_url
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect("applications:detail", reference=application.reference)
    return redirect(redirect_url)


@never_cache
@login_required
def paid(request: HttpRequest, reference: str) -> HttpResponse:
    """Where the cashier sends the citizen back. The signed return only says which
    trade it was; whether it is paid comes from the gateway's notification or, if that
    is late, from asking the gateway."""
    from govstore.payments import services as payment_services

    application = _own_application(request, reference)
    params = request.GET.dict()
    paid_now = application.submitted_at is not None
    if not paid_now and params.get("sign"):
        # Verifies the signed return and, when the notification has not come yet,
        # asks the gateway about the trade (which records the payment if it is paid).
        payment_services.payment_return_verify(
            provider_code=settings.PAYMENTS_PROVIDER, params=params
        )
        application.refresh_from_db()
        paid_now = application.submitted_at is not None
    if not paid_now and not params.get("sign"):
        messages.info(request, _("You left the cashier without paying. You can pay any time."))
        return redirect("applications:detail", reference=application.reference)
    context = {
        "application": application,
        "service": _service(application),
        "paid": paid_now,
        "promise_days": int(application.service_snapshot.get("processing_working_days") or 1),
    }
    return render(request, "applications/paid.html", context)


def _receipt_payment(application: Application) -> Any:
    from govstore.applications.receipt import ReceiptPayment
    from govstore.payments.selectors import payment_accepted_for

    payment = payment_accepted_for(purpose=PAYABLE_PURPOSE, payable_id=str(application.pk))
    if payment is None:
        return None
    return ReceiptPayment(
        out_trade_no=payment.out_trade_no,
        gateway_trade_no=payment.gateway_trade_no,
        paid_at=payment.paid_at,
        amount_fen=payment.amount_fen,
        refunded_fen=payment.refunded_fen,
    )


@never_cache
@login_required
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The PDF receipt, once the fee is paid."""
    from govstore.applications.receipt import receipt_pdf

    application = _own_application(request, reference)
    if application.submitted_at is None:
        raise Http404(_("There is no receipt before the fee is paid."))
    application = services.application_receipt_code_ensure(application=application)
    verify_url = request.build_absolute_uri(
        reverse("applications:receipt_verify", kwargs={"code": application.receipt_code})
    )
    pdf = receipt_pdf(
        application=application, payment=_receipt_payment(application), verify_url=verify_url
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{application.reference}.pdf"'
    return response


@never_cache
def receipt_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone holding a receipt can check it is ours and what it says."""
    from govstore.applications.receipt import receipt_facts

    application = selectors.application_by_receipt_code(code)
    if application is None:
        return render(request, "applications/receipt_verify.html", {"facts": None}, status=404)
    facts = receipt_facts(application, _receipt_payment(application))
    return render(request, "applications/receipt_verify.html", {"facts": facts})


@never_cache
@login_required
def inspection_mark(request: HttpRequest, reference: str) -> HttpResponse:
    """The electronic inspection mark, with a QR code a police officer or a buyer can
    scan to check it on the public page. Drawn on the server: no script needed."""
    application = _own_application(request, reference)
    code = (application.issuance or {}).get("mark_code")
    if not code:
        raise Http404(_("This application has no electronic inspection mark."))
    mark = _electronic_mark(code)
    check_url = request.build_absolute_uri(_mark_check_path(code))
    qr = segno.make(check_url, error="m")
    qr_svg = mark_safe(  # noqa: S308 - segno writes the SVG itself from the URL we built
        qr.svg_inline(scale=6, border=2, title=_("QR code for checking this mark"))
    )
    rows: list[tuple[str, Any]] = [(_("Plate number"), mark.plate_number if mark else "")]
    if mark is not None:
        rows += [
            (_("Valid until"), mark.valid_until),
            (_("Issued on"), mark.issued_on),
        ]
    rows.append((_("Verification code"), code))
    context = {
        "application": application,
        "qr_svg": qr_svg,
        "check_url": check_url,
        "mark_rows": rows,
    }
    return render(request, "applications/inspection_mark.html", context)


def _electronic_mark(code: str) -> Any:
    from govstore.registry.models import ElectronicInspectionMark

    return ElectronicInspectionMark.objects.filter(verification_code=code).first()


def _mark_check_path(code: str) -> str:
    """The public check of this mark; the registry's own mark page if it has one."""
    for name in ("registry:mark", "registry:mark_check"):
        try:
            return reverse(name, kwargs={"code": code})
        except NoReverseMatch:
            continue
    return f"{reverse('registry:check')}?mark={code}"


# --- staff ---------------------------------------------------------------------------------

# Which roles may take each action, and in which status it is open. The services enforce
# the same rules; this only decides which forms the case page offers.
STAFF_ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "claim": (frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}), frozenset({S.SUBMITTED})),
    "approve": (frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}), frozenset({S.IN_REVIEW})),
    "request_resubmission": (
        frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}),
        frozenset({S.IN_REVIEW}),
    ),
    "reject": (frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}), frozenset({S.IN_REVIEW})),
    "release": (frozenset({StaffRole.REVIEWER, StaffRole.STORE_ADMIN}), frozenset({S.IN_REVIEW})),
    "production_start": (
        frozenset({StaffRole.PRODUCER, StaffRole.STORE_ADMIN}),
        frozenset({S.APPROVED}),
    ),
    "production_done": (
        frozenset({StaffRole.PRODUCER, StaffRole.STORE_ADMIN}),
        frozenset({S.IN_PRODUCTION}),
    ),
    "dispatch": (
        frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
        frozenset({S.READY_FOR_DISPATCH}),
    ),
    "hand_over": (
        frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
        frozenset({S.READY_FOR_PICKUP}),
    ),
    "mark_delivered": (
        frozenset({StaffRole.DISPATCHER, StaffRole.STORE_ADMIN}),
        frozenset({S.DISPATCHED}),
    ),
}
# Decisions on a claimed case belong to the reviewer who claimed it.
CLAIMANT_ONLY = frozenset({"approve", "request_resubmission", "reject", "release"})


def _staff_application(request: HttpRequest, reference: str) -> tuple[Application, frozenset[str]]:
    """The application and the actor's roles at its store. The citizen who owns it is
    allowed by the selector, but the staff pages are for staff only: 404 for them too."""
    user = _user(request)
    application = selectors.application_get_for_actor(actor=user, reference=reference)
    roles = selectors.staff_roles(user, application.store)
    if not roles and not selectors.is_supervisor(user):
        selectors.access_refusal_record(actor=user, asked_for=reference, application=application)
        raise Http404(_("No application with this number is open to you."))
    return application, roles


def _actions_open(application: Application, roles: frozenset[str], user: User) -> list[str]:
    open_actions = []
    for action, (allowed_roles, statuses) in STAFF_ACTIONS.items():
        if application.status not in statuses or not roles & allowed_roles:
            continue
        if (
            action in CLAIMANT_ONLY
            and application.claimed_by_id != user.pk
            and StaffRole.STORE_ADMIN not in roles
        ):
            continue
        open_actions.append(action)
    return open_actions


def _refusal(error: ValidationError | PermissionDenied) -> list[str]:
    """What a refused staff action says: the service's own words."""
    if isinstance(error, ValidationError):
        return _messages_of(error)
    return [str(error) or _("Your role does not allow this.")]


def _refusal_status(error: ValidationError | PermissionDenied) -> int:
    return 403 if isinstance(error, PermissionDenied) else 400


def _today() -> datetime.date:
    return timezone.localdate()


def _staff_label(user: User | None) -> str:
    """Staff are named by staff number, citizens by their masked name."""
    if user is None:
        return _("System")
    member = getattr(user, "staff_member", None)
    if member is not None:
        return _("Staff %(number)s") % {"number": member.staff_number}
    return mask_name(user.real_name) or user.masked_mobile


def _queue_store(request: HttpRequest, user: User) -> tuple[Store, list[Store]]:
    """Staff see their own store's queue; a supervisor chooses any open store."""
    member = getattr(user, "staff_member", None)
    if member is not None and member.is_active and hasattr(member.agency, "store"):
        return member.agency.store, []
    if selectors.is_supervisor(user):
        stores = list(Store.objects.filter(is_open=True).order_by("name_zh", "pk"))
        chosen = next((s for s in stores if s.slug == request.GET.get("store")), None)
        if chosen is None and stores:
            chosen = stores[0]
        if chosen is not None:
            return chosen, stores
    raise Http404(_("No staff queue here is open to you."))


@never_cache
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    store, stores = _queue_store(request, user)
    service_choices = [
        (service.pk, pick({"name_zh": service.name_zh, "name_en": service.name_en}, "name"))
        for service in store.services.order_by("position", "pk")
    ]
    filters = QueueFilterForm(
        request.GET or None,
        statuses=[(value, label) for value, label in S.choices if value not in FINAL_STATUSES],
        services=service_choices,
    )
    status = service = due = None
    if filters.is_bound and filters.is_valid():
        status = filters.cleaned_data["status"] or None
        service = filters.cleaned_data["service"]
        due = filters.cleaned_data["due"] or None
    elif filters.is_bound:
        filters = QueueFilterForm(
            None,
            statuses=[(value, label) for value, label in S.choices if value not in FINAL_STATUSES],
            services=service_choices,
        )
    page_obj = paginate(
        request,
        # The reviewer column names the claimer by staff number: one join, not a query
        # per row.
        selectors.staff_queue(
            actor=user, store=store, status=status, service=service, due=due
        ).select_related("claimed_by__staff_member"),
    )
    rows = [
        {
            "application": application,
            "service_name": pick(application.service_snapshot, "name"),
            "overdue": application.is_overdue,
            "due_today": application.is_due_today,
            "claimed_by_label": _staff_label(application.claimed_by),
        }
        for application in page_obj.object_list
    ]
    context = {
        "store": store,
        "other_stores": stores,
        "store_slug": store.slug if stores else "",
        "filters": filters,
        "page_obj": page_obj,
        "rows": rows,
        "overdue_count": sum(1 for row in rows if row["overdue"]),
        "today": _today(),
    }
    return render(request, "applications/staff/queue.html", context)


def _registry_record(application: Application) -> dict[str, Any]:
    """The registry's record of what the application is about, beside the form, and a
    warning when it does not belong to the applicant."""
    registry = get_registry()
    citizen = application.citizen
    subject = application.service_snapshot.get("subject")
    record: dict[str, Any] = {"rows": [], "mismatch": "", "empty_text": ""}
    if subject == ServiceSubject.DRIVING_LICENCE:
        number = application.subject_reference or citizen.id_number or ""
        licence = registry.licence_current(number) if number else None
        if licence is None:
            record["empty_text"] = _("The registry has no current driving licence for this number.")
            return record
        record["rows"] = [
            (_("Licence number"), mask_id_number(licence.number)),
            (_("Holder"), mask_name(licence.holder_name)),
            (
                _("Class"),
                licence.licence_class.label
                if hasattr(licence.licence_class, "label")
                else licence.licence_class,
            ),
            (_("Issue serial"), licence.issue_serial),
            (
                _("Status"),
                licence.status.label if hasattr(licence.status, "label") else licence.status,
            ),
            (_("Valid until"), licence.valid_until),
        ]
        if licence.number != citizen.id_number or licence.holder_name != citizen.real_name:
            record["mismatch"] = _("This licence does not belong to the verified applicant.")
    elif subject == ServiceSubject.VEHICLE:
        plate = application.subject_reference or application.answers.get("plate_number", "")
        vehicle = registry.vehicle_by_plate(plate) if plate else None
        if vehicle is None:
            record["empty_text"] = _("The registry has no vehicle with this plate.")
            return record
        record["rows"] = [
            (_("Plate number"), vehicle.plate_number),
            (_("Vehicle"), vehicle.make_model),
            (_("Owner"), mask_id_number(vehicle.owner_id_number)),
            (_("Inspection valid until"), vehicle.inspection_valid_until),
            (_("Insurance valid until"), vehicle.insurance_valid_until),
            (_("Open violations"), vehicle.open_violation_count),
            (_("Plate issue serial"), vehicle.plate_issue_serial or "—"),
        ]
        if vehicle.owner_id_number != citizen.id_number:
            record["mismatch"] = _("This vehicle does not belong to the verified applicant.")
    else:
        record["empty_text"] = _("This service does not concern a registry record.")
    return record


def _case_context(
    request: HttpRequest,
    application: Application,
    roles: frozenset[str],
    **forms: Any,
) -> dict[str, Any]:
    user = _user(request)
    may_see_documents = bool(roles & selectors.DOCUMENT_ROLES) or selectors.is_supervisor(user)
    live = _live_documents(application)
    slots = _slots(application, live)
    facts = _document_facts([slot.document_id for slot in slots if slot.document_id])
    for slot in slots:
        content_type, duplicate = facts.get(slot.document_id, ("", False))
        slot.url = _document_url(slot.document_id) if may_see_documents else ""
        slot.is_pdf = content_type == DocumentContentType.PDF
        slot.duplicate = duplicate
    snapshot_documents = application.service_snapshot.get("required_documents", [])
    events_page = paginate(
        request,
        selectors.application_events_for_staff(application).select_related("actor__staff_member"),
    )
    for event in events_page.object_list:
        event.actor_label = _staff_label(event.actor)
    today = _today()
    due_matters = application.status in DUE_DATE_STATUSES and application.due_on is not None
    return {
        "application": application,
        "service": _service(application),
        "citizen": application.citizen,
        "questions": _questions(application),
        "slots": slots,
        "may_see_documents": may_see_documents,
        "registry": _registry_record(application),
        "eligibility": [Snapshot(result) for result in application.eligibility or []],
        "actions": _actions_open(application, roles, user),
        "resubmission_form": forms.get("resubmission_form")
        or ResubmissionForm(documents=snapshot_documents, prefix="retake"),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "pickup_form": forms.get("pickup_form") or PickupCodeForm(prefix="pickup"),
        **_money_and_parcel(application),
        "events_page": events_page,
        "events": events_page.object_list,
        "overdue": due_matters and application.due_on < today,  # type: ignore[operator]
        "due_today": due_matters and application.due_on == today,
        "claimed_by_label": _staff_label(application.claimed_by),
        "errors": forms.get("errors", []),
        "has_errors": bool(forms.get("errors"))
        or any(
            form is not None and form.is_bound and form.errors
            for form in (
                forms.get("resubmission_form"),
                forms.get("reject_form"),
                forms.get("pickup_form"),
            )
        ),
    }


def _money_and_parcel(application: Application) -> dict[str, Any]:
    """What staff see of the fee and the parcel: every trade for this application
    (a second one paid in another tab shows as refunded), refunds still owed, and the
    courier's waybill with its tracking."""
    from govstore.payments.selectors import payments_for

    payable_id = str(application.pk)
    trades = list(
        payments_for(purpose=PAYABLE_PURPOSE, payable_id=payable_id).prefetch_related("refunds")
    )
    return {
        "trades": trades,
        "shipment": delivery_selectors.shipment_for(purpose=PAYABLE_PURPOSE, payable_id=payable_id),
        "tracking_events": delivery_selectors.tracking_events_for(
            purpose=PAYABLE_PURPOSE, payable_id=payable_id
        ),
    }


def _document_facts(document_ids: list[Any]) -> dict[Any, tuple[str, bool]]:
    """For each document, its type (a PDF is framed, a photo gets the viewer) and
    whether another applicant already used the same picture (the documents context
    flags it when storing), in one query."""
    if not document_ids:
        return {}
    from govstore.documents.models import Document

    rows = Document.objects.filter(pk__in=document_ids).values_list(
        "pk", "content_type", "duplicate_of_id"
    )
    return {pk: (content_type, duplicate is not None) for pk, content_type, duplicate in rows}


@never_cache
@login_required
def case(request: HttpRequest, reference: str) -> HttpResponse:
    application, roles = _staff_application(request, reference)
    return render(
        request, "applications/staff/case.html", _case_context(request, application, roles)
    )


def _staff_action(
    act: Callable[[User, Application], Any], done_message: Any
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A decision without a form: call the service, say what happened, back to the case.
    A refusal (wrong role, wrong state, someone else claimed it) changes nothing."""

    @login_required
    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        application, roles = _staff_application(request, reference)
        try:
            act(_user(request), application)
        except (ValidationError, PermissionDenied) as error:
            application.refresh_from_db()
            context = _case_context(request, application, roles, errors=_refusal(error))
            return render(
                request, "applications/staff/case.html", context, status=_refusal_status(error)
            )
        messages.success(request, done_message)
        return redirect("staff:case", reference=application.reference)

    return view


claim = _staff_action(
    lambda user, application: services.application_claim(actor=user, application=application),
    gettext_lazy(
        "You have claimed this application. Nobody else can decide on it until you release it."
    ),
)
release = _staff_action(
    lambda user, application: services.application_release(actor=user, application=application),
    gettext_lazy("The application is back in the queue."),
)
approve = _staff_action(
    lambda user, application: services.application_approve(actor=user, application=application),
    gettext_lazy("Approved. The producer can start making it."),
)
production_start = _staff_action(
    lambda user, application: services.application_production_start(
        actor=user, application=application
    ),
    gettext_lazy("Production started."),
)
production_done = _staff_action(
    lambda user, application: services.application_production_done(
        actor=user, application=application
    ),
    gettext_lazy("Production done; the registry is updated."),
)
dispatch = _staff_action(
    lambda user, application: services.application_dispatch(actor=user, application=application),
    gettext_lazy("Handed to the courier."),
)


@login_required
@require_POST
def hand_over(request: HttpRequest, reference: str) -> HttpResponse:
    """Counter pickup: the citizen's one-time code is checked before the item is handed
    over; a wrong code says how many tries are left and changes nothing else."""
    application, roles = _staff_application(request, reference)
    form = PickupCodeForm(request.POST, prefix="pickup")
    valid = form.is_valid()
    try:
        # Called with a malformed code too: who may hand over and in which state is
        # the service's to say (403), and a malformed code costs the citizen no try.
        services.application_hand_over(
            actor=_user(request),
            application=application,
            pickup_code=form.cleaned_data["code"] if valid else "",
        )
    except PermissionDenied as error:
        application.refresh_from_db()
        context = _case_context(request, application, roles, errors=_refusal(error))
        return render(request, "applications/staff/case.html", context, status=403)
    except ValidationError as error:
        if valid:
            form.add_error("code", error)
    else:
        messages.success(request, _("Handed over at the counter. The application is complete."))
        return redirect("staff:case", reference=application.reference)
    application.refresh_from_db()
    context = _case_context(request, application, roles, pickup_form=form)
    return render(request, "applications/staff/case.html", context, status=400)


mark_delivered = _staff_action(
    lambda user, application: services.application_mark_delivered(
        actor=user, application=application
    ),
    gettext_lazy("Marked delivered."),
)


@login_required
@require_POST
def request_resubmission(request: HttpRequest, reference: str) -> HttpResponse:
    application, roles = _staff_application(request, reference)
    form = ResubmissionForm(
        request.POST,
        documents=application.service_snapshot.get("required_documents", []),
        prefix="retake",
    )
    if form.is_valid():
        try:
            services.application_request_resubmission(
                actor=_user(request), application=application, items=form.pairs()
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _refusal(error))
            status = _refusal_status(error)
        else:
            messages.success(request, _("The citizen is asked for the new photos."))
            return redirect("staff:case", reference=application.reference)
    else:
        status = 400
    application.refresh_from_db()
    context = _case_context(request, application, roles, resubmission_form=form)
    return render(request, "applications/staff/case.html", context, status=status)


@login_required
@require_POST
def reject(request: HttpRequest, reference: str) -> HttpResponse:
    application, roles = _staff_application(request, reference)
    form = ReasonForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            services.application_reject(
                actor=_user(request), application=application, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _refusal(error))
            status = _refusal_status(error)
        else:
            messages.success(
                request, _("Rejected. The citizen is told the reason; a refund is due.")
            )
            return redirect("staff:case", reference=application.reference)
    else:
        status = 400
    application.refresh_from_db()
    context = _case_context(request, application, roles, reject_form=form)
    return render(request, "applications/staff/case.html", context, status=status)
