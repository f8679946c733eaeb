from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from govstore.accounts import services
from govstore.accounts.constants import Language
from govstore.accounts.events import account_event_sentence
from govstore.accounts.forms import LoginForm, PersonalDataForm, RealNameForm, SignUpForm
from govstore.accounts.models import User
from govstore.accounts.personal_data import personal_data_archive_download, registered_sections
from govstore.accounts.selectors import account_events_for_actor, user_staff_membership
from govstore.core.pagination import paginate

# Sign-up logs the new account in directly; axes only watches password sign-ins.
_SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _home_url() -> str:
    return reverse("catalog:home")


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _signed_in_user(request: HttpRequest) -> User:
    # login_required has run; this only narrows the type.
    assert isinstance(request.user, User)
    return request.user


@sensitive_post_parameters("password", "password_confirmation")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in services.offered_languages():
            language = Language.ZH_HANS
        try:
            user = services.user_sign_up(
                mobile=form.cleaned_data["mobile"],
                password=form.cleaned_data["password"],
                language=language,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend=_SESSION_BACKEND)
            messages.success(
                request, _("Your account is ready. Next, verify your real name to apply online.")
            )
            response = redirect("accounts:verify")
            _set_language_cookie(response, user.language)
            return response
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(DjangoLoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The language chosen on one device follows the person to the next.
        _set_language_cookie(response, form.get_user().language)
        return response


@never_cache
@sensitive_post_parameters("real_name", "id_number")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    if user.is_real_name_verified:
        return render(request, "accounts/verify.html", {"verified_user": user})
    form = RealNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_verify_real_name(
                actor=user,
                user=user,
                real_name=form.cleaned_data["real_name"],
                id_number=form.cleaned_data["id_number"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your real name is verified."))
            return redirect("accounts:me")
    return render(request, "accounts/verify.html", {"form": form})


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    page_obj = paginate(request, account_events_for_actor(actor=user, user=user))
    events = [(event, account_event_sentence(event)) for event in page_obj.object_list]
    return render(
        request,
        "accounts/me.html",
        {
            "account": user,
            "membership": user_staff_membership(user=user),
            "page_obj": page_obj,
            "events": events,
        },
    )


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponseBase:
    user = _signed_in_user(request)
    form = PersonalDataForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            archive = personal_data_archive_download(
                actor=user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            return FileResponse(
                archive.file,
                as_attachment=True,
                filename=archive.filename,
                content_type="application/zip",
            )
    return render(
        request,
        "accounts/my_data.html",
        {"form": form, "sections": registered_sections()},
        status=400 if form.is_bound else 200,
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("language", "")
    if chosen not in services.offered_languages():
        return render(request, "accounts/language_refused.html", status=400)
    if request.user.is_authenticated:
        user = _signed_in_user(request)
        services.user_set_language(actor=user, user=user, language=chosen)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = _home_url()
    response = HttpResponseRedirect(next_url)
    _set_language_cookie(response, chosen)
    return response
