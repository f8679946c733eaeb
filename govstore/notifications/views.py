"""The notification centre and a person's channels. Views stay thin: reads through the
selectors (your own notifications only), writes through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govstore.accounts.models import User
from govstore.core.pagination import paginate
from govstore.notifications import kinds, selectors, services
from govstore.notifications.forms import PreferenceForm


def _user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


@never_cache
@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    """Newest first; each rendered now in the reader's language (kinds.py says why)."""
    user = _user(request)
    page_obj = paginate(request, selectors.notifications_for(actor=user))
    rows = [
        {"notification": n, "text": kinds.render_for_display(n.kind, n.params)}
        for n in page_obj.object_list
    ]
    return render(
        request,
        "notifications/centre.html",
        {"page_obj": page_obj, "rows": rows, "unread": selectors.unread_count(actor=user)},
    )


@never_cache
@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Following a notification's link marks it read (a link, so it works like any
    other; marking read twice changes nothing)."""
    user = _user(request)
    notification = selectors.notification_get_for_actor(actor=user, pk=pk)
    return redirect(services.notification_open(actor=user, notification=notification))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=_user(request))
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:centre")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    preference = selectors.preference_for(actor=user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preference_update(
                    actor=user,
                    sms=form.cleaned_data["sms"],
                    email=form.cleaned_data["email"],
                    email_address=form.cleaned_data["email_address"],
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    for message in field_errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Your notification channels are saved."))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "sms": preference.sms,
                "email": preference.email,
                "email_address": preference.email_address,
            }
        )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "masked_mobile": user.masked_mobile},
    )
