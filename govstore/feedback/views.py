"""Rating pages. Views stay thin: reads through the selectors, writes through the
services, which say why a refusal happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govstore.accounts.models import User
from govstore.core.pagination import paginate
from govstore.feedback import selectors, services
from govstore.feedback.forms import FollowUpCloseForm, RatingForm, ReplyForm
from govstore.feedback.models import FollowUp, Rating
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
        raise PermissionDenied
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
