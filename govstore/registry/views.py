from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from govstore.core.forms import strip_all
from govstore.core.masking import mask_id_number
from govstore.registry.constants import PUBLIC_CHECK_WINDOW_SECONDS, DocumentKind
from govstore.registry.forms import IssueCheckForm
from govstore.registry.selectors import (
    PublicCheckLimitReached,
    inspection_mark_check,
    issue_check_for_public,
)


# The number is posted, not sent in the query string: an ID number in a URL ends up in
# server logs, browser history and every link the page builds from its own address.
@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    result = None
    status = 200
    if request.method == "POST":
        form = IssueCheckForm(data=strip_all(request.POST.dict()))
        if form.is_valid():
            document = DocumentKind(form.cleaned_data["document"])
            number = form.cleaned_data["number"]
            serial = form.cleaned_data["serial"]
            try:
                answer = issue_check_for_public(
                    requester=request.META.get("REMOTE_ADDR", ""),
                    document=document,
                    number=number,
                    serial=serial,
                )
            except PublicCheckLimitReached:
                form.add_error(
                    None,
                    _(
                        "You have made many checks in a short time. Try again in "
                        "%(minutes)d minutes."
                    )
                    % {"minutes": PUBLIC_CHECK_WINDOW_SECONDS // 60},
                )
                status = 429
            else:
                result = {
                    "document": document,
                    "number": (
                        mask_id_number(number)
                        if document == DocumentKind.DRIVING_LICENCE
                        else number
                    ),
                    "serial": serial,
                    "answer": answer,
                }
                # A fresh form, so the page shows no whole ID number once it is checked.
                form = IssueCheckForm(initial={"document": document})
    else:
        form = IssueCheckForm()
    return render(request, "registry/check.html", {"form": form, "result": result}, status=status)


# The code is in the address because a QR code is an address; it identifies a mark, not
# a person, and reveals only the plate and the validity printed on the mark itself.
@never_cache
@require_http_methods(["GET"])
def mark(request: HttpRequest, code: str) -> HttpResponse:
    result = inspection_mark_check(code)
    status = 404 if result.outcome == "unknown" else 200
    return render(request, "registry/mark.html", {"result": result, "code": code}, status=status)
