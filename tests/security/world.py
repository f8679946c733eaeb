"""One small world that exposes most pages and operations, shared by the access matrix
and the fuzzing: a vehicle administration's store with a completed, paid case (its
documents on file, a conversation, a rating with a follow-up, a complaint), a second
store with staff of its own, a court with a lot open for bidding, a supervisor, and a
citizen with an address, a notification and an access token."""

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from PIL import Image

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory
from govstore.api.services import access_token_create
from govstore.applications.constants import DOCUMENT_PURPOSE, ApplicationDocumentStatus
from govstore.applications.models import Application, ApplicationDocument
from govstore.applications.tests.factories import (
    ApplicationFactory,
    make_staff,
    make_supervisor,
)
from govstore.auctions.models import Lot
from govstore.auctions.tests.factories import lot_terms, make_court
from govstore.catalog.models import Service
from govstore.delivery import services as delivery_services
from govstore.delivery.models import Address
from govstore.documents.models import Document
from govstore.documents.services import document_store
from govstore.feedback import services as feedback_services
from govstore.feedback.constants import ComplaintCategory
from govstore.feedback.models import Complaint, FollowUp, Rating
from govstore.feedback.notices import CITIZEN_KIND
from govstore.messaging import services as messaging_services
from govstore.messaging.models import Conversation, QuickReply
from govstore.notifications.models import Notification
from govstore.notifications.services import notification_send
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store
from govstore.stores.tests.factories import StoreFactory

# Everyone the matrix asks, in the order failures are reported.
ROLES: tuple[str, ...] = (
    "anonymous",
    "citizen",
    "other_citizen",
    "reviewer",
    "producer",
    "dispatcher",
    "customer_service",
    "store_admin",
    "other_store_staff",
    "clerk",
    "supervisor",
)
STORE_ROLES = ("reviewer", "producer", "dispatcher", "customer_service", "store_admin")
STAFF_ROLES = (*STORE_ROLES, "other_store_staff", "clerk", "supervisor")

# The scopes each kind of account may hold (docs/api.md): the matrix gives each its all.
SCOPES = {
    "citizen": ("read", "apply", "bid"),
    "other_citizen": ("read", "apply", "bid"),
    **dict.fromkeys(STAFF_ROLES, ("read", "staff")),
}


def jpeg(name: str = "photo.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#468").save(buffer, "JPEG")
    buffer.name = name
    buffer.seek(0)
    return buffer


@dataclass
class World:
    store: Store
    service: Service
    other_store: Store
    application: Application
    document: Document
    document_key: str
    conversation: Conversation
    presale: Conversation
    rating: Rating
    follow_up: FollowUp
    complaint: Complaint
    address: Address
    notification: Notification
    quick_reply: QuickReply
    lot: Lot
    people: dict[str, User | None]
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User:
        user = self.people[role]
        assert user is not None
        return user


def build_world() -> World:
    application = ApplicationFactory.create(lost_licence=True, completed=True)
    store, citizen = application.store, application.citizen
    # The case's documents: one real sealed photo (viewable), the rest as rows.
    document = document_store(
        actor=citizen,
        upload=jpeg(),
        purpose=DOCUMENT_PURPOSE,
        reference=f"{DOCUMENT_PURPOSE}:{application.pk}",
    )
    keys = list(application.required_document_keys())
    ApplicationDocument.objects.create(
        application=application,
        key=keys[0],
        document=document,
        status=ApplicationDocumentStatus.CURRENT,
    )
    people: dict[str, User | None] = {
        "anonymous": None,
        "citizen": citizen,
        "other_citizen": UserFactory.create(verified=True),
        "reviewer": make_staff(store, StaffRole.REVIEWER),
        "producer": make_staff(store, StaffRole.PRODUCER),
        "dispatcher": make_staff(store, StaffRole.DISPATCHER),
        "customer_service": make_staff(store, StaffRole.CUSTOMER_SERVICE),
        "store_admin": make_staff(store, StaffRole.STORE_ADMIN),
    }
    other_store = StoreFactory.create()
    people["other_store_staff"] = make_staff(
        other_store,
        StaffRole.STORE_ADMIN,
        StaffRole.REVIEWER,
        StaffRole.PRODUCER,
        StaffRole.DISPATCHER,
        StaffRole.CUSTOMER_SERVICE,
    )
    court, clerk = make_court()
    people["clerk"] = clerk
    people["supervisor"] = make_supervisor()

    conversation = messaging_services.conversation_for_application(
        actor=citizen, application=application
    )
    messaging_services.message_send(actor=citizen, conversation=conversation, body="你好 hello")
    presale = messaging_services.conversation_presale_open(actor=citizen, store=store)
    quick_reply = messaging_services.quick_reply_create(
        actor=_person(people, "store_admin"), store=store, text="We will look at it today."
    )
    rating = feedback_services.rating_submit(
        actor=citizen,
        application=application,
        description=1,
        service=1,
        delivery=1,
        comment="Slow.",
    )
    follow_up = FollowUp.objects.get(rating=rating)
    complaint = feedback_services.complaint_file(
        actor=citizen,
        application=application,
        category=ComplaintCategory.DELAY,
        text="It took nine working days instead of five.",
    )
    address = delivery_services.address_create(
        actor=citizen,
        recipient="张伟",
        mobile="13800000001",
        province_code="370000",
        city="青岛市",
        district="市南区",
        street="香港中路1号",
    )
    notification = notification_send(
        recipient=citizen,
        kind=CITIZEN_KIND,
        params={"reference": complaint.reference, "event": "acknowledged"},
        link=f"/feedback/complaints/{complaint.reference}/",
        channels=(),
    )
    assert notification is not None

    now = timezone.now()
    lot = _live_lot(court, clerk, now)
    token = access_token_create(
        actor=citizen,
        name="phone",
        scopes=("read",),
        expires_at=now + datetime.timedelta(days=30),
    ).token
    return World(
        store=store,
        service=application.service,
        other_store=other_store,
        application=application,
        document=document,
        document_key=keys[0],
        conversation=conversation,
        presale=presale,
        rating=rating,
        follow_up=follow_up,
        complaint=complaint,
        address=address,
        notification=notification,
        quick_reply=quick_reply,
        lot=lot,
        people=people,
        extra={"token": token},
    )


def _person(people: dict[str, User | None], role: str) -> User:
    user = people[role]
    assert user is not None
    return user


def _live_lot(court: Any, clerk: User, now: datetime.datetime) -> Lot:
    from govstore.auctions import services as auction_services

    lot = auction_services.lot_create(
        actor=clerk,
        court=court,
        now=now - datetime.timedelta(days=17),
        **lot_terms(
            bidding_starts_at=now - datetime.timedelta(hours=1),
            bidding_ends_at=now + datetime.timedelta(days=1),
        ),
    )
    return auction_services.lot_announce(
        actor=clerk, lot=lot, now=now - datetime.timedelta(days=17)
    )
