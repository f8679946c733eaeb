import base64
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from govstore.accounts import services
from govstore.accounts.constants import Language
from govstore.accounts.events import account_event_sentence
from govstore.accounts.forms import (
    LoginForm,
    PersonalDataForm,
    RealNameForm,
    SignUpForm,
    TwoFactorCodeForm,
)
from govstore.accounts.models import User
from govstore.accounts.personal_data import personal_data_archive_download, registered_sections
from govstore.accounts.selectors import (
    account_events_for_actor,
    admin_audit_entries_for_actor,
    two_factor_applies_to,
    two_factor_device,
    user_staff_membership,
)
from govstore.accounts.validators import normalize_mobile
from govstore.core.pagination import paginate
from govstore.core.ratelimit import (
    RateDecision,
    client_address,
    ratelimit,
    ratelimit_hit,
    refused_response,
)

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


def _signup_refused(request: HttpRequest, decision: RateDecision) -> None:
    # No account exists yet to write into: the limiter's log line is the record.
    return None


@sensitive_post_parameters("password", "password_confirmation")
@ratelimit("signup", key="ip", on_refused=_signup_refused)
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


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class LoginView(DjangoLoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Beyond axes (which locks one number on one address after wrong passwords):
        # attempts per address whatever the number, and per number from any address.
        # A refused attempt is not even checked, so it changes nothing.
        mobile = normalize_mobile(request.POST.get("username", ""))[:20]
        checks = [("login", f"ip:{client_address(request)}")]
        if mobile:
            checks.append(("login_account", f"mobile:{mobile}"))
        for scope, key in checks:
            decision = ratelimit_hit(scope=scope, key=key)
            if not decision.allowed:
                if decision.first_refusal and mobile:
                    account = User.objects.filter(mobile=mobile).first()
                    if account is not None:
                        services.account_rate_limited_record(user=account, scope=scope)
                return refused_response(request, decision)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if settings.TWO_FACTOR_REQUIRED and two_factor_applies_to(user):
            # The password is the first step; the code (or setting up the app) is next.
            step = (
                "accounts:two_factor"
                if two_factor_device(user=user)
                else "accounts:two_factor_setup"
            )
            response = HttpResponseRedirect(
                reverse(step) + "?" + urlencode({"next": self.get_success_url()})
            )
        # The language chosen on one device follows the person to the next.
        _set_language_cookie(response, user.language)
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


@csrf_protect
def _language_of_account(request: HttpRequest, chosen: str) -> HttpResponse | None:
    user = _signed_in_user(request)
    services.user_set_language(actor=user, user=user, language=chosen)
    return None


# A visitor who is not signed in only chooses the language cookie, which another site
# could at worst switch: their pages carry no CSRF token, so they can be served from
# the anonymous page cache. An account's saved language is changed under CSRF protection.
@csrf_exempt
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("language", "")
    if chosen not in services.offered_languages():
        return render(request, "accounts/language_refused.html", status=400)
    if request.user.is_authenticated:
        refused = _language_of_account(request, chosen)
        if refused is not None:
            return refused
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = _home_url()
    response = HttpResponseRedirect(next_url)
    _set_language_cookie(response, chosen)
    return response


# --- Two-factor -------------------------------------------------------------------------------


def _after_code(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _verified_in_session(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _code_step_user(request: HttpRequest) -> User | None:
    """The signed-in account that still has the code step ahead, or None."""
    user = request.user
    if not user.is_authenticated or not two_factor_applies_to(user):
        return None
    assert isinstance(user, User)
    return user


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for staff, supervisors and the operator."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    user = _code_step_user(request)
    if user is None or _verified_in_session(request):
        return _after_code(request)
    if two_factor_device(user=user) is None:
        return redirect(reverse("accounts:two_factor_setup") + _next_query(request))
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(actor=user, token=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if _is_locked(exc) else 400
        else:
            django_otp.login(request, device)
            request.session.cycle_key()
            return _after_code(request)
    elif form.is_bound:
        status = 400
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "next": _safe_next(request, request.POST.get("next") or request.GET.get("next", "")),
        },
        status=status,
    )


def _is_locked(exc: ValidationError) -> bool:
    errors = exc.error_dict.get("code", []) if hasattr(exc, "error_dict") else exc.error_list
    return any(error.code == "locked" for error in errors)


def _next_query(request: HttpRequest) -> str:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    return "?" + urlencode({"next": next_url}) if next_url else ""


def _secret_text(device: Any) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device: Any) -> str:
    qr = segno.make(device.config_url, error="m")
    # segno writes the SVG itself from the device's otpauth address; no user input.
    return mark_safe(  # noqa: S308
        qr.svg_inline(
            scale=5,
            border=2,
            title=_("QR code to scan with your authenticator app"),
            svgclass="two-factor__qr",
        )
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Setting up the authenticator app: scan the QR code (or type the key), then
    confirm with the code the app shows. Needed once, before any staff page opens."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    user = _code_step_user(request)
    if user is None:
        return _after_code(request)
    if two_factor_device(user=user) is not None:
        return redirect(reverse("accounts:two_factor") + _next_query(request))
    device = services.two_factor_enrolment_start(actor=user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enrolment_confirm(
                actor=user, token=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if _is_locked(exc) else 400
        else:
            django_otp.login(request, device)
            request.session.cycle_key()
            messages.success(
                request, _("Your authenticator app is set up. Use it each time you sign in.")
            )
            return _after_code(request)
    elif form.is_bound:
        status = 400
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _secret_text(device),
            "next": _safe_next(request, request.POST.get("next") or request.GET.get("next", "")),
        },
        status=status,
    )


@require_POST
@login_required
def two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A store administrator resets a colleague's authenticator (the operator does it
    in the admin). Anyone else, or an account they may not reset, gets a 404."""
    actor = _signed_in_user(request)
    target = get_object_or_404(User, pk=pk)
    try:
        services.two_factor_reset(actor=actor, user=target)
    except PermissionDenied:
        raise Http404(_("There is nothing here for you.")) from None
    messages.success(
        request,
        _(
            "The authenticator app of %(account)s is reset. They set up a new one when "
            "they next sign in."
        )
        % {"account": target.masked_mobile},
    )
    return redirect("accounts:staff_two_factor")


@never_cache
@login_required
def staff_two_factor(request: HttpRequest) -> HttpResponse:
    """For a store administrator: their agency's staff, whether each has set up the
    authenticator app, and a reset for a colleague who lost theirs."""
    actor = _signed_in_user(request)
    member = user_staff_membership(user=actor)
    if member is None or not member.has_role(services.STORE_ADMIN_ROLE):
        raise Http404(_("There is nothing here for you."))
    colleagues = (
        User.objects.filter(staff_member__agency_id=member.agency_id)
        .exclude(pk=actor.pk)
        .select_related("staff_member")
        .order_by("staff_member__staff_number", "pk")
    )
    page_obj = paginate(request, colleagues)
    enrolled = set(
        TOTPDevice.objects.filter(
            user__in=[user.pk for user in page_obj.object_list], confirmed=True
        ).values_list("user_id", flat=True)
    )
    rows = [(user, user.pk in enrolled) for user in page_obj.object_list]
    return render(request, "accounts/staff_two_factor.html", {"page_obj": page_obj, "rows": rows})


# --- Admin audit ------------------------------------------------------------------------------


@never_cache
@login_required
def admin_audit(request: HttpRequest) -> HttpResponse:
    """Every change made through the admin, for the operator and the supervisors."""
    entries = admin_audit_entries_for_actor(actor=_signed_in_user(request))
    page_obj = paginate(request, entries)
    return render(request, "accounts/admin_audit.html", {"page_obj": page_obj})
