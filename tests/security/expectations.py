"""The access table: for every URL pattern and every API operation, what each role gets.

A row's `expect` maps a role to a status (or SIGN_IN, a redirect to sign in); "ALL"
stands for every role not named. Page rows name the methods asked (GET, and POST with
the data given); operation rows are asked with the method of the document, with a body
filled from the document's schema (or `body`). Objects that do not exist in the world are
asked by an id no row has (MISSING): everyone must get the same answer then.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from tests.security.harness import SIGN_IN, Pattern
from tests.security.world import World

MISSING = 987_654
Expect = dict[str, int | str]
Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    kwargs: Kwargs | None
    expect: dict[str, Expect]
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    query: Callable[[World], str] | None = None
    # Who asks (every role unless limited: the operator's admin refuses every account
    # kind but operators alike, so a representative of each kind asks its pages).
    roles: tuple[str, ...] | None = None

    def url(self, world: World, pattern: Pattern) -> str:
        if pattern.name.startswith("admin:"):
            url = _admin_url(pattern)
        elif pattern.name.startswith("/"):  # an unnamed pattern: its route, filled in
            url = pattern.route
            for name, value in (self.kwargs(world) if self.kwargs else {}).items():
                url = re.sub(rf"<(?:[^:>]+:)?{name}>", str(value), url)
        else:
            url = reverse(pattern.name, kwargs=self.kwargs(world) if self.kwargs else None)
        if self.query:
            url += "?" + self.query(world)
        return url


@dataclass(frozen=True)
class Operation:
    expect: Expect
    body: Callable[[World], Any] | None = None
    query: Callable[[World], str] | None = None

    def url(self, world: World, path: str) -> str:
        url = path.format(**api_arguments(world, path))
        if self.query:
            url += "?" + self.query(world)
        return url


def _admin_url(pattern: Pattern) -> str:
    """Admin routes are all refused alike before any lookup; fill their arguments."""
    route = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", pattern.route)
    route = re.sub(r"\^|\$", "", route)
    route = re.sub(r"\(\?P<app_label>([a-z_]+)[^)]*\)", r"\1", route)
    return route.replace("//", "/")


def api_arguments(world: World, path: str) -> dict[str, Any]:
    """The world's objects for an API path's parameters: a `reference` is a complaint's
    under /complaints/, a lot's under /auctions/, else an application's; a `slug` beside
    a `store_slug` is a service's."""
    reference = world.application.reference
    if "/complaints/" in path:
        reference = world.complaint.reference
    elif "/auctions/" in path:
        reference = world.lot.reference
    return {
        "slug": world.service.slug if "{store_slug}" in path else world.store.slug,
        "store_slug": world.store.slug,
        "reference": reference,
        "key": world.document_key,
        "document_id": world.document.pk,
        "conversation_id": world.conversation.pk,
        "notification_id": world.notification.pk,
        "rating_id": world.rating.pk,
        "remedy_id": MISSING,
        "lot_reference": world.lot.reference,
        "lot_id": world.lot.pk,
    }


# Known writes on a refusal, kept visible here until the page is changed: (page, table).
KNOWN_WRITES_ON_REFUSAL: dict[tuple[str, str], str] = {
    # A wrong code keeps the pending (unconfirmed) authenticator the page showed.
    ("accounts:two_factor_setup", "otp_totp_totpdevice"): "pending device kept",
}


def covered_elsewhere(name: str) -> bool:
    # The API's routes are asked through the document's operations (OPERATIONS).
    return name.startswith("api:api-v1:")


ANYONE: Expect = {"ALL": 200}


def _p(kwargs: Kwargs | None = None, **expect: Expect) -> Page:
    return Page(kwargs=kwargs, expect=expect)


def _ref(w: World) -> dict[str, Any]:
    return {"reference": w.application.reference}


def _complaint(w: World) -> dict[str, Any]:
    return {"reference": w.complaint.reference}


def _lot(w: World) -> dict[str, Any]:
    return {"reference": w.lot.reference}


def _store(w: World) -> dict[str, Any]:
    return {"slug": w.store.slug}


PAGE_ARGUMENTS: dict[str, Kwargs | None] = {
    "core:healthz": None,
    "core:healthz_live": None,
    "catalog:home": None,
    "catalog:service_detail": lambda w: {"store_slug": w.store.slug, "slug": w.service.slug},
    "stores:store_detail": _store,
    "stores:store_follow": _store,
    "stores:store_unfollow": _store,
    "api_tokens:tokens": None,
    "api_tokens:revoke": lambda w: {"pk": w.extra["token"].pk},
    "accounts:signup": None,
    "accounts:login": None,
    "accounts:logout": None,
    "accounts:me": None,
    "accounts:my_data": None,
    "accounts:verify": None,
    "accounts:language": None,
    "accounts:two_factor": None,
    "accounts:two_factor_setup": None,
    "accounts:staff_two_factor": None,
    "accounts:two_factor_reset": lambda w: {"pk": w.user("reviewer").pk},
    "accounts:admin_audit": None,
    "registry:check": None,
    "registry:mark": lambda w: {"code": "NO-SUCH-MARK"},
    "documents:view": lambda w: {"document_id": w.document.pk},
    "payments:notify": lambda w: {"provider": "sandbox"},
    "payments:refunds": None,
    "payments:settlement": None,
    "payments:reconciliation": None,
    "payments_sandbox:operator": None,
    "payments_sandbox:gateway": None,
    "payments_sandbox:cashier": lambda w: {"trade_no": "NO-SUCH-TRADE"},
    "delivery:addresses": None,
    "delivery:address_add": None,
    "delivery:address_edit": lambda w: {"pk": w.address.pk},
    "delivery:address_delete": lambda w: {"pk": w.address.pk},
    "delivery:address_set_default": lambda w: {"pk": w.address.pk},
    "delivery:label": lambda w: {"tracking_number": "NO-SUCH-PARCEL"},
    "delivery:webhook": lambda w: {"provider": "sandbox"},
    "delivery_sandbox:quote": None,
    "delivery_sandbox:waybills": None,
    "delivery_sandbox:waybill": lambda w: {"tracking_number": "NO-SUCH-PARCEL"},
    "delivery_sandbox:label": lambda w: {"tracking_number": "NO-SUCH-PARCEL"},
    "applications:mine": None,
    "applications:start": lambda w: {"service_id": w.service.pk},
    "applications:receipt_verify": lambda w: {"code": "NO-SUCH-RECEIPT"},
    "applications:detail": _ref,
    "applications:question": lambda w: {**_ref(w), "key": "mobile"},
    "applications:delivery": _ref,
    "applications:document": lambda w: {**_ref(w), "key": w.document_key},
    "applications:check": _ref,
    "applications:confirmation": _ref,
    "applications:cancel": _ref,
    "applications:resubmit": _ref,
    "applications:reopen": _ref,
    "applications:confirm_receipt": _ref,
    "applications:extend_receipt": _ref,
    "applications:pay": _ref,
    "applications:paid": _ref,
    "applications:receipt": _ref,
    "applications:inspection_mark": _ref,
    "messaging:mine": None,
    "messaging:application": _ref,
    "messaging:presale": _store,
    "messaging:inbox": None,
    "messaging:quick_replies": None,
    "messaging:quick_reply_delete": lambda w: {"pk": w.quick_reply.pk},
    "messaging:staff_conversation": lambda w: {"pk": w.conversation.pk},
    "messaging:recall": lambda w: {"pk": w.conversation.pk, "seq": 1},
    "messaging:file": lambda w: {"pk": w.conversation.pk, "seq": 1},
    "messaging:export": lambda w: {"pk": w.conversation.pk},
    "notifications:centre": None,
    "notifications:open": lambda w: {"pk": w.notification.pk},
    "notifications:mark_all_read": None,
    "notifications:preferences": None,
    "feedback:rate": lambda w: {"application_id": w.application.pk},
    "feedback:store_ratings": _store,
    "feedback:reply": lambda w: {"pk": w.rating.pk},
    "feedback:follow_ups": None,
    "feedback:follow_up_close": lambda w: {"pk": w.follow_up.pk},
    "feedback:complaint_new": None,
    "feedback:complaints_mine": None,
    "feedback:complaints_store": None,
    "feedback:complaints_supervision": None,
    "feedback:complaint_detail": _complaint,
    "feedback:complaint_acknowledge": _complaint,
    "feedback:complaint_answer": _complaint,
    "feedback:complaint_accept": _complaint,
    "feedback:complaint_escalate": _complaint,
    "feedback:complaint_withdraw": _complaint,
    "feedback:complaint_reopen": _complaint,
    "feedback:complaint_decide": _complaint,
    "feedback:remedy_apology": lambda w: {**_complaint(w), "pk": MISSING},
    "supervision:dashboard": None,
    "supervision:store": _store,
    "supervision:export": None,
    "supervision:fee_audit": None,
    "supervision:access_audit": None,
    "supervision:access_lookup": lambda w: {"pk": MISSING},
    "supervision:access_flags": None,
    "transparency:store": _store,
    "auctions:list": None,
    "auctions:court_lots": None,
    "auctions:lot_new": None,
    "auctions:court_lot": _lot,
    "auctions:lot_edit": _lot,
    "auctions:lot_photo": _lot,
    "auctions:lot_photo_remove": lambda w: {**_lot(w), "pk": MISSING},
    "auctions:lot_photo_move": lambda w: {**_lot(w), "pk": MISSING},
    "auctions:lot_publish": _lot,
    "auctions:lot_withdraw": _lot,
    "auctions:lot_offer_again": _lot,
    "auctions:priority_decide": lambda w: {**_lot(w), "registration_id": MISSING},
    "auctions:transfers": None,
    "auctions:transfer_apply": lambda w: {"pk": MISSING},
    "auctions:lot": _lot,
    "auctions:photo": lambda w: {**_lot(w), "pk": MISSING},
    "auctions:bid_log": _lot,
    "auctions:register": _lot,
    "auctions:deposit": _lot,
    "auctions:deposit_return": _lot,
    "auctions:bid": _lot,
    "auctions:proxy": _lot,
    "auctions:confirmation": _lot,
    "auctions:balance": _lot,
    "auctions:balance_return": _lot,
    "staff:queue": None,
    "staff:case": _ref,
    "staff:claim": _ref,
    "staff:release": _ref,
    "staff:approve": _ref,
    "staff:request_resubmission": _ref,
    "staff:reject": _ref,
    "staff:production_start": _ref,
    "staff:production_done": _ref,
    "staff:dispatch": _ref,
    "staff:hand_over": _ref,
    "staff:mark_delivered": _ref,
    "api:schema": None,
    "api:schema_yaml": None,
    "api:docs": None,
    "api:not_found": lambda w: {"rest": "no/such/thing"},
    # Only when DEBUG serves the public example photos.
    "/media/<path:path>": lambda w: {"path": "no-such-file.jpg"},
}
OPTIONAL = {"/media/<path:path>"}
PAGE_QUERIES: dict[str, Callable[[World], str]] = {
    "feedback:complaint_new": lambda w: f"application={w.application.reference}",
}
# Bodies naming the world's objects (ids differ between databases and runs).
OPERATION_BODIES: dict[str, Callable[[World], Any]] = {
    "application_start": lambda w: {"service_id": w.service.pk},
}
OPERATION_QUERIES: dict[str, Callable[[World], str]] = {
    "complaint_evidence_messages": lambda w: f"application_reference={w.application.reference}",
}

# The operator's admin: every page refuses every account but an operator's, before any
# lookup. Asked by a representative of each account kind.
ADMIN_ROLES = ("anonymous", "citizen", "store_admin", "supervisor")
ADMIN_EXPECT: dict[str, Expect] = {"get": {"ALL": SIGN_IN}, "post": {"ALL": SIGN_IN}}
ADMIN_EXCEPTIONS: dict[str, dict[str, Expect]] = {
    "admin:login": {"get": ANYONE, "post": ANYONE},
    "admin:logout": {"get": {"ALL": 302}, "post": {"ALL": 302}},  # to the admin's sign-in
}


def _pages() -> dict[str, Page]:
    from tests.security.expected import PAGE_EXPECT
    from tests.security.harness import url_patterns

    pages = {
        name: Page(
            kwargs=PAGE_ARGUMENTS[name],
            expect=expect,
            query=PAGE_QUERIES.get(name),
        )
        for name, expect in PAGE_EXPECT.items()
        if name in PAGE_ARGUMENTS
    }
    for pattern in url_patterns():
        if pattern.name.startswith("admin:"):
            expect = ADMIN_EXCEPTIONS.get(pattern.name, ADMIN_EXPECT)
            pages[pattern.name] = Page(kwargs=None, expect=expect, roles=ADMIN_ROLES)
    return pages


def _operations() -> dict[str, Operation]:
    from tests.security.expected import OPERATION_EXPECT

    return {
        operation_id: Operation(
            expect=expect,
            query=OPERATION_QUERIES.get(operation_id),
            body=OPERATION_BODIES.get(operation_id),
        )
        for operation_id, expect in OPERATION_EXPECT.items()
    }


PAGES = _pages()
OPERATIONS = _operations()
