"""My account → Access tokens: make a token (its secret shown once), see and revoke
them."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from govstore.accounts.models import User
from govstore.api import selectors, services
from govstore.api.forms import AccessTokenForm
from govstore.api.scopes import scopes_allowed_for
from govstore.core.pagination import paginate


def _user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("created")
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    allowed = scopes_allowed_for(user)
    form = AccessTokenForm(request.POST or None, allowed_scopes=allowed)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.access_token_create(
                    actor=user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=timezone.now()
                    + datetime.timedelta(days=form.cleaned_data["expires_in_days"]),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, field_errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, field_errors)
                else:
                    form.add_error(None, error)
            else:
                # Rendered, not redirected: the secret must never sit in a session or URL.
                return render(
                    request,
                    "api/token_created.html",
                    {"token": created.token, "secret": created.secret},
                )
        status = 400
    page_obj = paginate(request, selectors.access_tokens_of(actor=user))
    return render(
        request,
        "api/tokens.html",
        {"form": form, "page_obj": page_obj, "now": timezone.now()},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = selectors.access_token_get_for_actor(actor=user, pk=pk)
    services.access_token_revoke(actor=user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("api_tokens:tokens")
