#!/usr/bin/env python3
"""A citizen applies for a service and pays, through the govstore API alone.

    python docs/api_example.py --base-url http://127.0.0.1:8000 --token gst_…
    python docs/api_example.py --base-url http://127.0.0.1:8000 --mobile 13800000001 \
        --password '…' --service-id 7 --answer loss_circumstances="Lost on the bus"

It prints each step. Paying works as a client app would: it opens the cashier address
the API gives (here with plain HTTP instead of a browser, since the sandbox gateway's
cashier is a page with a Pay button), presses Pay, catches the signed return the gateway
sends the browser back with, reports it to the API, and reads the payment's status.
Only the standard library is used; Pillow, when present, makes a photo if none is given.
"""

import argparse
import http.cookiejar
import io
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

# Answers for question types that need nothing personal; ID numbers and free text the
# citizen must give with --answer key=value.
DEFAULT_ANSWERS = {"mobile": "13800000000", "date": "2026-01-15", "text": "Lost in the city"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Citizen:
    """Calls the API as one citizen: with a token, or with a session signed in by mobile
    number and password (then writes carry the CSRF header, as the site requires)."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def _cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def raw(self, method: str, url: str, body: bytes | None = None, headers: Any = None) -> Any:
        if not url.startswith(("http://", "https://")):
            sys.exit(f"Not a web address: {url}")
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read(), answer.headers
        return response.status, response.read(), response.headers

    def sign_in(self, mobile: str, password: str) -> None:
        login = f"{self.base_url}/accounts/login/"
        self.raw("GET", login)
        form = {"username": mobile, "password": password}
        form["csrfmiddlewaretoken"] = self._cookie("csrftoken")
        status, _body, _headers = self.raw(
            "POST",
            login,
            urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": login},
        )
        if status != 302:
            sys.exit("Signing in failed: check the mobile number and password.")

    def call(self, method: str, path: str, body: Any = None, *, files: Any = None) -> Any:
        headers = {"Accept-Language": "en"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif method != "GET":
            headers["X-CSRFToken"] = self._cookie("csrftoken")
            headers["Referer"] = self.base_url + "/"
        data = None
        if files is not None:
            boundary = uuid.uuid4().hex
            name, filename, content = files
            data = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
                ).encode()
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, raw, _headers = self.raw(method, self.base_url + path, data, headers)
        answer = json.loads(raw or b"null")
        if status >= 400:
            error = answer["error"]
            details = "; ".join(f"{f['field']}: {f['message']}" for f in error["fields"])
            sys.exit(
                f"{method} {path} refused ({status} {error['code']}): {error['message']} {details}"
            )
        return answer


def step(text: str) -> None:
    print(f"\n== {text}")


def a_photo(path: str | None) -> bytes:
    if path:
        with open(path, "rb") as photo:
            return photo.read()
    from PIL import Image  # only when no photo is given

    image = Image.effect_noise((800, 600), 64).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def pay_at_the_cashier(base_url: str, cashier_url: str) -> dict[str, str]:
    """What the citizen's browser does at the sandbox cashier: open it, press Pay, and
    come back with the gateway's signed parameters (returned here, not followed). The
    gateway is another site: it gets its own cookies, never ours."""
    citizen = Citizen(base_url, None)
    status, page, _headers = citizen.raw("GET", cashier_url)
    if status != 200:
        sys.exit(f"The cashier did not open ({status}).")
    html = page.decode("utf-8")
    action = re.search(r'<form method="post" action="([^"]+)"', html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not action or not token:
        sys.exit("The cashier page has no Pay button.")
    pay_url = urllib.parse.urljoin(cashier_url, action.group(1))
    form = urllib.parse.urlencode({"action": "pay", "csrfmiddlewaretoken": token.group(1)})
    status, _body, headers = citizen.raw(
        "POST",
        pay_url,
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": cashier_url},
    )
    if status != 302:
        sys.exit(f"Paying at the cashier failed ({status}).")
    back = urllib.parse.urlsplit(headers["Location"])
    return dict(urllib.parse.parse_qsl(back.query))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", help="A personal access token with read and apply.")
    parser.add_argument("--mobile")
    parser.add_argument("--password")
    parser.add_argument("--service-id", type=int, help="Default: the first service on sale.")
    parser.add_argument("--answer", action="append", default=[], help="key=value")
    parser.add_argument("--delivery", default="pickup")
    parser.add_argument("--photo", help="A JPEG to upload for every document.")
    args = parser.parse_args(argv)
    citizen = Citizen(args.base_url, args.token)
    if not args.token:
        if not (args.mobile and args.password):
            parser.error("give --token, or --mobile and --password")
        citizen.sign_in(args.mobile, args.password)

    step("Find the service")
    service_id = args.service_id
    if service_id is None:
        service_id = citizen.call("GET", "/api/v1/services?limit=1")["items"][0]["id"]
    print(f"service {service_id}")

    step("Start the application")
    application = citizen.call("POST", "/api/v1/applications", {"service_id": service_id})
    reference = application["reference"]
    print(f"{reference}: {application['status_text']}")

    step("Answer the questions and choose the delivery")
    given = dict(item.split("=", 1) for item in args.answer)
    answers = {
        q["key"]: given.get(q["key"])
        or (q["choices"][0]["value"] if q["choices"] else DEFAULT_ANSWERS.get(q["field_type"], ""))
        for q in application["questions"]
    }
    method = args.delivery if args.delivery in application["delivery_methods"] else None
    application = citizen.call(
        "PATCH",
        f"/api/v1/applications/{reference}/answers",
        {"answers": answers, "delivery_method": method or application["delivery_methods"][0]},
    )
    for question in application["questions"]:
        print(f"{question['label']}: {question['answer']}")

    step("Upload the photos")
    photo = a_photo(args.photo)
    for slot in application["documents"]:
        added = citizen.call(
            "POST",
            f"/api/v1/applications/{reference}/documents/{slot['key']}",
            files=("upload", f"{slot['key']}.jpg", photo),
        )
        print(f"{added['title']}: {added['state']}")

    step("Send it")
    application = citizen.call("POST", f"/api/v1/applications/{reference}/submit")
    print(f"{application['status_text']} — total {application['total_fen'] / 100:.2f} yuan")
    if application["status"] != "awaiting_payment":
        print("Nothing to pay now.")
        return 0

    step("Pay")
    started = citizen.call(
        "POST",
        f"/api/v1/applications/{reference}/payments",
        {"expected_total_fen": application["total_fen"]},
    )
    print(f"cashier: {started['cashier_url'][:80]}…")
    signed_return = pay_at_the_cashier(args.base_url, started["cashier_url"])
    status = citizen.call(
        "POST", f"/api/v1/applications/{reference}/payment/return", {"params": signed_return}
    )
    print(f"paid: {status['paid']} ({status['application_status']})")

    step("Follow the timeline")
    for entry in citizen.call("GET", f"/api/v1/applications/{reference}/timeline")["items"]:
        print(f"{entry['at'][:19]}  {entry['sentence']}")
    return 0 if status["paid"] else 1


if __name__ == "__main__":
    sys.exit(main())
