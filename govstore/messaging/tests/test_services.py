"""Sending, recalling and filing messages; who may; what is refused and left unstored."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govstore.applications.constants import ApplicationDocumentStatus, ApplicationEventKind
from govstore.applications.tests.helpers import photo
from govstore.documents.models import Document
from govstore.documents.tests.images import pdf_bytes
from govstore.messaging import services
from govstore.messaging.constants import ConversationEventKind, Side
from govstore.messaging.models import ConversationEvent, Message
from govstore.messaging.selectors import (
    conversation_get_for_actor,
    messages_after,
    staff_inbox,
    staff_unread_total,
    unread_count,
)
from govstore.messaging.tests.factories import OUTSIDERS, WRITERS, Cast, make_cast
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_messages_get_consecutive_seqs_and_staff_appear_by_number(cast: Cast):
    first = services.message_send(actor=cast.citizen, conversation=cast.conversation, body="Hi")
    second = services.message_send(
        actor=cast.customer_service, conversation=cast.conversation, body="Hello"
    )
    assert (first.seq, second.seq) == (1, 2)
    assert first.sender_side == Side.CITIZEN and first.staff_number == ""
    assert second.sender_side == Side.STORE
    assert second.staff_number == cast.customer_service.staff_member.staff_number
    cast.conversation.refresh_from_db()
    assert cast.conversation.last_seq == 2


@pytest.mark.parametrize("who", WRITERS)
def test_the_citizen_and_answering_staff_may_write(cast: Cast, who: str):
    message = services.message_send(
        actor=cast.person(who), conversation=cast.conversation, body="ok"
    )
    assert message.seq == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_anyone_else_is_refused_and_nothing_is_stored(cast: Cast, who: str, dispute):
    dispute[cast.conversation.pk] = "TS-1"  # even a supervisor with a complaint only reads
    with pytest.raises(PermissionDenied):
        services.message_send(actor=cast.person(who), conversation=cast.conversation, body="x")
    with pytest.raises(PermissionDenied):
        services.message_send(actor=cast.person(who), conversation=cast.conversation, image=photo())
    assert not Message.objects.exists() and not Document.objects.exists()


def test_hostile_text_is_stored_as_typed(cast: Cast):
    body = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    message = services.message_send(actor=cast.citizen, conversation=cast.conversation, body=body)
    message.refresh_from_db()
    assert message.body == body


@pytest.mark.parametrize(
    ("body", "code"), [("", "empty"), ("   \n ", "empty"), ("字" * 2001, "too_long")]
)
def test_empty_or_too_long_messages_are_refused(cast: Cast, body: str, code: str):
    with pytest.raises(ValidationError) as refused:
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body=body)
    assert refused.value.code == code
    assert not Message.objects.exists()


def test_exactly_2000_characters_are_accepted(cast: Cast):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="字" * 2000)


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("doc.pdf", pdf_bytes(), content_type="application/pdf"),
        lambda: SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg"),
    ],
)
def test_non_photos_are_refused_and_nothing_is_stored(cast: Cast, upload):
    with pytest.raises(ValidationError):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, image=upload())
    assert not Message.objects.exists() and not Document.objects.exists()


def test_oversize_photos_are_refused(cast: Cast, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, image=photo())
    assert not Message.objects.exists() and not Document.objects.exists()


def test_a_photo_goes_through_the_documents_pipeline(cast: Cast):
    message = services.message_send(
        actor=cast.citizen, conversation=cast.conversation, image=photo(), body="ID front"
    )
    assert message.document is not None
    assert message.document.purpose == "message"
    assert message.document.reference == f"message:{cast.conversation.pk}"
    assert message.document.owner == cast.citizen
    assert len(message.document.sha256) == 64


def test_a_flood_is_rate_limited_with_a_clear_notice(cast: Cast, settings):
    settings.MESSAGING_MESSAGES_PER_MINUTE = 3
    for index in range(3):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body=str(index))
    with pytest.raises(ValidationError) as refused:
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body="more")
    assert refused.value.code == "rate_limited"
    assert "3" in refused.value.messages[0]
    assert Message.objects.count() == 3
    # The limit is per sender: the store still answers.
    services.message_send(actor=cast.reviewer, conversation=cast.conversation, body="wait")


def _move_clock(monkeypatch, seconds: float) -> None:
    moved = timezone.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_recall_within_the_window_leaves_recalled_in_place(cast: Cast, monkeypatch):
    message = services.message_send(
        actor=cast.citizen, conversation=cast.conversation, body="wrong", image=photo()
    )
    _move_clock(monkeypatch, 119)
    services.message_recall(actor=cast.citizen, message=message)
    message.refresh_from_db()
    assert message.recalled_at is not None
    assert message.seq == 1  # still there, as "recalled"
    assert ConversationEvent.objects.filter(kind=ConversationEventKind.RECALLED).count() == 1
    fetched = messages_after(conversation=cast.conversation, after_seq=0, limit=10)
    assert [m.seq for m in fetched] == [1]


def test_after_the_window_a_message_stays(cast: Cast, monkeypatch):
    message = services.message_send(actor=cast.citizen, conversation=cast.conversation, body="x")
    _move_clock(monkeypatch, 121)
    with pytest.raises(ValidationError) as refused:
        services.message_recall(actor=cast.citizen, message=message)
    assert refused.value.code == "too_late"
    message.refresh_from_db()
    assert message.recalled_at is None and message.body == "x"


def test_only_the_sender_recalls(cast: Cast):
    message = services.message_send(actor=cast.citizen, conversation=cast.conversation, body="x")
    for who in ("reviewer", "store_admin", "other_citizen", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.message_recall(actor=cast.person(who), message=message)
    message.refresh_from_db()
    assert message.recalled_at is None


def test_a_reviewer_files_a_photo_onto_the_application(cast: Cast):
    message = services.message_send(
        actor=cast.citizen, conversation=cast.conversation, image=photo()
    )
    services.message_file_onto_application(
        actor=cast.reviewer, message=message, key="id_card_front"
    )
    message.refresh_from_db()
    assert message.filed_as == "id_card_front"
    assert ConversationEvent.objects.filter(
        conversation=cast.conversation, kind=ConversationEventKind.FILED
    ).exists()
    current = cast.application.documents.exclude(status=ApplicationDocumentStatus.SUPERSEDED)
    assert current.get(key="id_card_front").document_id == message.document_id
    assert cast.application.events.filter(kind=ApplicationEventKind.DOCUMENT_FILED).exists()
    # A filed photo is part of the application: it can no longer be recalled.
    with pytest.raises(ValidationError):
        services.message_recall(actor=cast.citizen, message=message)


@pytest.mark.parametrize("who", ["customer_service", "producer", "citizen", "other_store_reviewer"])
def test_only_reviewers_file(cast: Cast, who: str):
    message = services.message_send(
        actor=cast.citizen, conversation=cast.conversation, image=photo()
    )
    with pytest.raises(PermissionDenied):
        services.message_file_onto_application(
            actor=cast.person(who), message=message, key="id_card_front"
        )
    message.refresh_from_db()
    assert message.filed_as == "" and not cast.application.documents.exists()


def test_filing_needs_a_citizens_photo_and_a_known_slot(cast: Cast):
    text = services.message_send(actor=cast.citizen, conversation=cast.conversation, body="x")
    staff_photo = services.message_send(
        actor=cast.reviewer, conversation=cast.conversation, image=photo()
    )
    citizen_photo = services.message_send(
        actor=cast.citizen, conversation=cast.conversation, image=photo()
    )
    for message, key in (
        (text, "id_card_front"),
        (staff_photo, "id_card_front"),
        (citizen_photo, "nope"),
    ):
        with pytest.raises(ValidationError):
            services.message_file_onto_application(actor=cast.reviewer, message=message, key=key)
    assert not cast.application.documents.exists()


def test_unread_counts_and_read_marks(cast: Cast):
    for body in ("a", "b", "c"):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body=body)
    assert unread_count(conversation=cast.conversation, side=Side.STORE) == 3
    assert unread_count(conversation=cast.conversation, side=Side.CITIZEN) == 0
    assert staff_unread_total(actor=cast.reviewer) == 3
    inbox = list(staff_inbox(actor=cast.customer_service))
    assert [(c.pk, getattr(c, "unread", None)) for c in inbox] == [(cast.conversation.pk, 3)]
    services.conversation_mark_read(
        actor=cast.reviewer, conversation=cast.conversation, up_to_seq=2
    )
    # One colleague's reading counts for the store.
    assert unread_count(conversation=cast.conversation, side=Side.STORE) == 1
    assert staff_unread_total(actor=cast.customer_service) == 1
    # Never backwards, never beyond the last message.
    services.conversation_mark_read(
        actor=cast.reviewer, conversation=cast.conversation, up_to_seq=1
    )
    assert unread_count(conversation=cast.conversation, side=Side.STORE) == 1
    services.conversation_mark_read(
        actor=cast.reviewer, conversation=cast.conversation, up_to_seq=99
    )
    assert unread_count(conversation=cast.conversation, side=Side.STORE) == 0
    services.message_send(actor=cast.reviewer, conversation=cast.conversation, body="reply")
    assert unread_count(conversation=cast.conversation, side=Side.CITIZEN) == 1


def test_the_inbox_is_for_answering_staff_of_the_store(cast: Cast):
    from django.http import Http404

    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="a")
    for who in ("producer", "citizen", "other_citizen", "supervisor"):
        with pytest.raises(Http404):
            staff_inbox(actor=cast.person(who))
    assert list(staff_inbox(actor=cast.other_store_reviewer)) == []
    with pytest.raises(Http404):
        staff_inbox(actor=cast.reviewer, store=StoreFactory.create())


def test_one_presale_conversation_per_citizen_and_store(cast: Cast):
    store = cast.application.store
    first = services.conversation_presale_open(actor=cast.other_citizen, store=store)
    again = services.conversation_presale_open(actor=cast.other_citizen, store=store)
    assert first.pk == again.pk and first.application_id is None
    with pytest.raises(PermissionDenied):
        services.conversation_presale_open(actor=cast.reviewer, store=store)
    # The application's own conversation is another one, opened once.
    assert (
        services.conversation_for_application(actor=cast.reviewer, application=cast.application).pk
        == cast.conversation.pk
    )
    assert conversation_get_for_actor(actor=cast.other_citizen, pk=first.pk) == first


def test_quick_replies_are_managed_by_the_store_admin(cast: Cast):
    store = cast.application.store
    reply = services.quick_reply_create(actor=cast.store_admin, store=store, text="Thanks!")
    with pytest.raises(PermissionDenied):
        services.quick_reply_create(actor=cast.reviewer, store=store, text="Hi")
    with pytest.raises(PermissionDenied):
        services.quick_reply_delete(actor=cast.customer_service, reply=reply)
    with pytest.raises(ValidationError):
        services.quick_reply_create(actor=cast.store_admin, store=store, text="  ")
    services.quick_reply_delete(actor=cast.store_admin, reply=reply)
    assert not store.quick_replies.exists()


def test_make_cast_runs_for_a_draft_too():
    cast = make_cast(in_review=False)
    assert cast.conversation.application == cast.application
