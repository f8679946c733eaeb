"""Rating and complaint pages. Views stay thin: reads through the selectors, writes through the
services, which say why a refusal happened."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govstore.accounts.models import User
from govstore.applications.models import Application
from govstore.core.pagination import paginate
from govstore.feedback import selectors, services
from govstore.feedback.constants import (
    ACKNOWLEDGE_WORKING_DAYS,
    ANSWER_WORKING_DAYS,
    REOPEN_LIMIT,
    ComplaintResolution,
    ComplaintStatus,
)
from govstore.feedback.forms import (
    ApologyForm,
    ComplaintAnswerForm,
    ComplaintDecisionForm,
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintReasonForm,
    FollowUpCloseForm,
    RatingForm,
    ReplyForm,
)
from govstore.feedback.models import Complaint, ComplaintRemedy, FollowUp, Rating
from govstore.stores.models import Store


def _user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


def _add_errors(form: RatingForm | ReplyForm | FollowUpCloseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            for message in field_errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _user(request)
    application = selectors.citizen_application_get(actor=user, application_id=application_id)
    detail_url = reverse("applications:detail", args=[application.reference])
    reason = selectors.rating_refusal_reason(actor=user, application=application)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(
                actor=user,
                application=application,
                description=form.cleaned_data["description"],
                service=form.cleaned_data["service"],
                delivery=form.cleaned_data["delivery"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your rating is saved."))
            return redirect(detail_url)
    return render(
        request,
        "feedback/rate.html",
        {
            "application": application,
            "form": form,
            "closed_message": services.refusal_message(reason) if reason else "",
            "detail_url": detail_url,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def store_ratings(request: HttpRequest, slug: str) -> HttpResponse:
    store = get_object_or_404(Store, slug=slug)
    page_obj = paginate(request, selectors.store_ratings(store=store))
    return render(
        request,
        "feedback/store_ratings.html",
        {
            "store": store,
            "page_obj": page_obj,
            "scores": selectors.store_scores(store=store),
            "may_reply": selectors.may_reply(actor=request.user, store=store),
            "reply_form": ReplyForm(),
        },
    )


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    rating = get_object_or_404(Rating.objects.select_related("store"), pk=pk)
    form = ReplyForm(request.POST)
    back = reverse("feedback:store_ratings", args=[rating.store.slug])
    if form.is_valid():
        try:
            services.rating_reply(actor=user, rating=rating, text=form.cleaned_data["text"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(request, _("Your reply is published."))
    else:
        for field_errors in form.errors.values():
            for problem in field_errors:
                messages.error(request, str(problem))
    return redirect(back)


@never_cache
@login_required
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    queryset = selectors.follow_ups_for(actor=_user(request))
    if queryset is None:
        # Not their page: answered as if it did not exist, like every other object.
        raise Http404
    page_obj = paginate(request, queryset)
    return render(
        request,
        "feedback/follow_ups.html",
        {"page_obj": page_obj, "close_form": FollowUpCloseForm()},
    )


@login_required
@require_POST
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    follow_up = get_object_or_404(FollowUp, pk=pk)
    form = FollowUpCloseForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_close(
                actor=user, follow_up=follow_up, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The case is closed."))
    else:
        for field_errors in form.errors.values():
            for problem in field_errors:
                messages.error(request, str(problem))
    return redirect("feedback:follow_ups")


# --- Complaints ------------------------------------------------------------------------

ComplaintFormAny = (
    ComplaintForm | ComplaintAnswerForm | ComplaintReasonForm | ComplaintDecisionForm | ApologyForm
)


def _form_errors(form: ComplaintFormAny, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            for message in field_errors:
                form.add_error(field if field in form.fields else None, message)
        return
    messages_ = error.messages if isinstance(error, ValidationError) else [str(error)]
    for message in messages_:
        form.add_error(None, message)


def _message_choices(user: User, store: Store, application: Application | None) -> list:
    # The newest messages are the ones a complaint is usually about; older ones are
    # still in the chat, which the store and (once escalated) a supervisor can read.
    rows = selectors.evidence_messages(actor=user, store=store, application=application)[:50]
    return [
        (
            message.pk,
            f"{timezone.localtime(message.created_at):%Y-%m-%d %H:%M} · "
            f"{message.body[:120] if message.body else _('Photo')}",
        )
        for message in rows
    ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    application: Application | None = None
    store: Store | None = None
    if request.GET.get("application"):
        application = selectors.complaint_application_for_citizen(
            actor=user, reference=request.GET["application"]
        )
        store = application.store
    elif request.GET.get("store"):
        store = get_object_or_404(Store, slug=request.GET["store"])
    else:
        raise Http404("Say what the complaint is about.")
    refusal = selectors.complaint_file_refusal(actor=user, application=application, store=store)
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        message_choices=_message_choices(user, store, application),
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            complaint = services.complaint_file(
                actor=user,
                application=application,
                store=None if application is not None else store,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                images=form.cleaned_data["images"],
                message_ids=form.cleaned_data.get("messages") or [],
            )
        except (ValidationError, PermissionDenied) as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Your complaint %(reference)s is filed. The store must reply by %(date)s.")
                % {
                    "reference": complaint.reference,
                    "date": date_format(complaint.acknowledge_due_on, "DATE_FORMAT"),
                },
            )
            return redirect("feedback:complaint_detail", reference=complaint.reference)
    return render(
        request,
        "feedback/complaint_new.html",
        {
            "form": form,
            "application": application,
            "store": store,
            "refusal": refusal,
            "acknowledge_days": ACKNOWLEDGE_WORKING_DAYS,
            "answer_days": ANSWER_WORKING_DAYS,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_GET
def complaints_mine(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.complaints_of_citizen(actor=_user(request)))
    return render(request, "feedback/complaints_mine.html", {"page_obj": page_obj})


def _complaint_list(
    request: HttpRequest, queryset: Any, *, template_title: str, supervision: bool
) -> HttpResponse:
    filters = ComplaintFilterForm(request.GET or None)
    filters.is_valid()
    status = (filters.cleaned_data.get("status") or "") if filters.is_bound else ""
    late = bool(filters.cleaned_data.get("late")) if filters.is_bound else False
    queryset = queryset(status=status, late=late)
    if queryset is None:
        raise Http404
    page_obj = paginate(request, queryset)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/complaints_list.html",
        {
            "title": template_title,
            "page_obj": page_obj,
            "filters": filters,
            "query": query.urlencode(),
            "supervision": supervision,
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_required
@require_GET
def complaints_store(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _complaint_list(
        request,
        lambda **filters: selectors.complaints_for_store(actor=user, **filters),
        template_title=_("Complaints about your store"),
        supervision=False,
    )


@never_cache
@login_required
@require_GET
def complaints_supervision(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _complaint_list(
        request,
        lambda **filters: selectors.complaints_for_supervision(actor=user, **filters),
        template_title=_("Complaints about every store"),
        supervision=True,
    )


def _detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    status: int = 200,
    **forms: ComplaintFormAny,
) -> HttpResponse:
    user = _user(request)
    role = selectors.complaint_role(user, complaint)
    today = timezone.localdate()
    remedies = list(complaint.remedies.select_related("refund", "redo_application"))
    context: dict[str, Any] = {
        "complaint": complaint,
        "role": role,
        "timeline": list(selectors.complaint_timeline(complaint)),
        "photos": [
            evidence.document
            for evidence in complaint.evidence.filter(document__isnull=False).select_related(
                "document"
            )
        ],
        "chat_messages": selectors.complaint_evidence_messages(complaint=complaint),
        "remedies": remedies,
        "store_late": selectors.store_step_late(complaint, today),
        "may_reopen": complaint.status == ComplaintStatus.CLOSED
        and complaint.reopen_count < REOPEN_LIMIT
        and complaint.resolution != ComplaintResolution.WITHDRAWN,
        "answer_form": forms.get("answer_form") or ComplaintAnswerForm(),
        "escalate_form": forms.get("escalate_form") or ComplaintReasonForm(prefix="escalate"),
        "reopen_form": forms.get("reopen_form") or ComplaintReasonForm(prefix="reopen"),
        "decision_form": forms.get("decision_form") or ComplaintDecisionForm(),
        "apology_form": forms.get("apology_form") or ApologyForm(),
        "error_form": next(iter(forms.values()), None),
    }
    return render(request, "feedback/complaint_detail.html", context, status=status)


@never_cache
@login_required
@require_GET
def complaint_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_get_for_actor(actor=_user(request), reference=reference)
    return _detail(request, complaint)


def _act(
    request: HttpRequest,
    reference: str,
    *,
    form: ComplaintFormAny | None,
    form_name: str,
    call: Any,
    done: str,
) -> HttpResponse:
    """Run one step from the complaint's page: back to the page with a message when it
    worked; the page again with the form and the reason when it was refused."""
    user = _user(request)
    complaint = selectors.complaint_get_for_actor(actor=user, reference=reference)
    if form is None or form.is_valid():
        try:
            call(user, complaint, form.cleaned_data if form is not None else {})
        except (ValidationError, PermissionDenied) as error:
            if form is None:
                for message in (
                    error.messages if isinstance(error, ValidationError) else [str(error)]
                ):
                    messages.error(request, message)
                return redirect("feedback:complaint_detail", reference=complaint.reference)
            _form_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("feedback:complaint_detail", reference=complaint.reference)
    complaint.refresh_from_db()
    assert form is not None
    return _detail(request, complaint, status=400, **{form_name: form})


@login_required
@require_POST
def complaint_acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        form=None,
        form_name="",
        call=lambda user, complaint, data: services.complaint_acknowledge(
            actor=user, complaint=complaint
        ),
        done=_("The citizen is told you are looking into it."),
    )


@login_required
@require_POST
def complaint_answer(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        form=ComplaintAnswerForm(request.POST),
        form_name="answer_form",
        call=lambda user, complaint, data: services.complaint_answer(
            actor=user, complaint=complaint, answer=data["answer"]
        ),
        done=_("Your answer is sent to the citizen."),
    )


@login_required
@require_POST
def complaint_accept(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        form=None,
        form_name="",
        call=lambda user, complaint, data: services.complaint_accept(
            actor=user, complaint=complaint
        ),
        done=_("You accepted the answer. The complaint is closed."),
    )


@login_required
@require_POST
def complaint_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        form=ComplaintReasonForm(request.POST, prefix="escalate"),
        form_name="escalate_form",
        call=lambda user, complaint, data: services.complaint_escalate(
            actor=user, complaint=complaint, reason=data["reason"]
        ),
        done=_("A supervisor will decide on your complaint."),
    )


@login_required
@require_POST
def complaint_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        form=None,
        form_name="",
        call=lambda user, complaint, data: services.complaint_withdraw(
            actor=user, complaint=complaint
        ),
        done=_("You withdrew the complaint."),
    )


@login_required
@require_POST
def complaint_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        form=ComplaintReasonForm(request.POST, prefix="reopen"),
        form_name="reopen_form",
        call=lambda user, complaint, data: services.complaint_reopen(
            actor=user, complaint=complaint, reason=data["reason"]
        ),
        done=_("The complaint is open again."),
    )


@login_required
@require_POST
def complaint_decide(request: HttpRequest, reference: str) -> HttpResponse:
    form = ComplaintDecisionForm(request.POST)
    return _act(
        request,
        reference,
        form=form,
        form_name="decision_form",
        call=lambda user, complaint, data: services.complaint_decide(
            actor=user,
            complaint=complaint,
            decision=data["decision"],
            upheld=data["upheld"],
            remedies=form.remedy_orders(),
        ),
        done=_("The decision is recorded and the citizen and the store are told."),
    )


@login_required
@require_POST
def remedy_apology(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    def write(user: User, complaint: Complaint, data: dict[str, Any]) -> None:
        remedy = get_object_or_404(ComplaintRemedy, pk=pk, complaint=complaint)
        services.remedy_apology_write(actor=user, remedy=remedy, text=data["text"])

    return _act(
        request,
        reference,
        form=ApologyForm(request.POST),
        form_name="apology_form",
        call=write,
        done=_("Your apology is sent to the citizen."),
    )
