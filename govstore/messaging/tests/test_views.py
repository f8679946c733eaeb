"""The conversation pages without JavaScript: who sees what, sending by form posts,
hostile text shown as text, the PDF export, quick replies, supervisor reads."""

import pytest
from django.urls import reverse

from govstore.applications.tests.helpers import photo
from govstore.messaging import services
from govstore.messaging.models import ConversationAccess, ConversationEvent, Message
from govstore.messaging.tests.factories import OUTSIDERS, Cast

pytestmark = pytest.mark.django_db


def _login(client, cast: Cast, who: str):
    user = cast.anyone(who)
    if user is not None:
        client.force_login(user)
    return user


def test_the_citizen_reads_and_sends_by_plain_posts(client, cast: Cast):
    client.force_login(cast.citizen)
    url = reverse("messaging:application", kwargs={"reference": cast.application.reference})
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "<script>alert(1)</script>"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert 'src="/static/messaging/chat.js"' in page or "messaging/chat.js" in page
    response = client.post(url, {"body": "", "image": photo()})
    assert response.status_code == 302
    assert Message.objects.filter(document__isnull=False).count() == 1


def test_an_empty_send_or_a_non_photo_shows_the_reason_beside_the_field(client, cast: Cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.citizen)
    url = reverse("messaging:application", kwargs={"reference": cast.application.reference})
    response = client.post(url, {"body": "  "})
    assert response.status_code == 400 and b"error-summary" in response.content
    bad = SimpleUploadedFile("a.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = client.post(url, {"body": "", "image": bad})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_a_flood_gets_a_clear_notice(client, cast: Cast, settings):
    settings.MESSAGING_MESSAGES_PER_MINUTE = 1
    client.force_login(cast.citizen)
    url = reverse("messaging:application", kwargs={"reference": cast.application.reference})
    client.post(url, {"body": "one"})
    response = client.post(url, {"body": "two"})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert Message.objects.count() == 1


@pytest.mark.parametrize("who", ["customer_service", "reviewer", "store_admin"])
def test_answering_staff_have_their_own_page_and_inbox(client, cast: Cast, who: str):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="Hi")
    _login(client, cast, who)
    inbox = client.get(reverse("messaging:inbox"))
    assert inbox.status_code == 200
    page_url = reverse("messaging:staff_conversation", kwargs={"pk": cast.conversation.pk})
    assert page_url.encode() in inbox.content
    page = client.get(page_url)
    assert page.status_code == 200 and b"Hi" in page.content
    assert client.post(page_url, {"body": "Answer"}).status_code == 302
    answer = Message.objects.get(body="Answer")
    staff_number = cast.person(who).staff_member.staff_number
    # The citizen sees the store and the staff number, never a personal name.
    client.force_login(cast.citizen)
    citizen_page = client.get(
        reverse("messaging:application", kwargs={"reference": cast.application.reference})
    ).content.decode()
    assert staff_number in citizen_page and answer.body in citizen_page
    real_name = cast.person(who).real_name
    assert not real_name or real_name not in citizen_page


@pytest.mark.parametrize("who", ["anonymous", *OUTSIDERS])
def test_everyone_else_gets_nothing(client, cast: Cast, who: str):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="private")
    _login(client, cast, who)
    urls = [
        reverse("messaging:staff_conversation", kwargs={"pk": cast.conversation.pk}),
        reverse("messaging:export", kwargs={"pk": cast.conversation.pk}),
        reverse("messaging:application", kwargs={"reference": cast.application.reference}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert "/login" in response["Location"] or "accounts" in response["Location"]
        assert b"private" not in response.content
        response = client.post(url, {"body": "intrude"})
        assert response.status_code in (302, 404, 405)
    recall = reverse("messaging:recall", kwargs={"pk": cast.conversation.pk, "seq": 1})
    client.post(recall)
    assert list(Message.objects.values_list("body", "recalled_at")) == [("private", None)]


def test_a_supervisor_reads_a_disputed_conversation_and_each_read_is_logged(
    client, cast: Cast, dispute
):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="evidence")
    client.force_login(cast.supervisor)
    url = reverse("messaging:staff_conversation", kwargs={"pk": cast.conversation.pk})
    assert client.get(url).status_code == 404
    dispute[cast.conversation.pk] = "TS-99"
    page = client.get(url)
    assert page.status_code == 200 and b"evidence" in page.content and b"TS-99" in page.content
    assert client.post(url, {"body": "no"}).status_code == 403
    client.get(reverse("messaging:export", kwargs={"pk": cast.conversation.pk}))
    reads = list(ConversationAccess.objects.values_list("complaint_reference", "what"))
    assert reads == [("TS-99", "page"), ("TS-99", "page"), ("TS-99", "export")]
    assert Message.objects.count() == 1


def test_the_pdf_export_names_each_photo_by_its_hash(client, cast: Cast):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="你好")
    sent = services.message_send(actor=cast.citizen, conversation=cast.conversation, image=photo())
    client.force_login(cast.reviewer)
    response = client.get(reverse("messaging:export", kwargs={"pk": cast.conversation.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from govstore.messaging.export import conversation_pdf

    text = conversation_pdf(conversation=cast.conversation, compress=False)
    assert text.startswith(b"%PDF")
    assert sent.document is not None
    assert sent.document.sha256.encode() in text
    assert ConversationEvent.objects.filter(kind="exported", actor=cast.reviewer).exists()


def test_photos_are_shown_to_the_conversation_only(client, cast: Cast, dispute):
    sent = services.message_send(actor=cast.citizen, conversation=cast.conversation, image=photo())
    url = reverse("documents:view", kwargs={"document_id": sent.document_id})
    for who, status in [
        ("citizen", 200),
        ("customer_service", 200),
        ("reviewer", 200),
        ("other_citizen", 404),
        ("producer", 404),
        ("other_store_reviewer", 404),
        ("supervisor", 404),
    ]:
        client.force_login(cast.anyone(who))
        assert client.get(url).status_code == status, who
    dispute[cast.conversation.pk] = "TS-5"
    client.force_login(cast.supervisor)
    assert client.get(url).status_code == 200
    assert ConversationAccess.objects.filter(what="photo", complaint_reference="TS-5").exists()


def test_a_reviewer_files_a_photo_from_the_page(client, cast: Cast):
    sent = services.message_send(actor=cast.citizen, conversation=cast.conversation, image=photo())
    client.force_login(cast.reviewer)
    page = client.get(reverse("messaging:staff_conversation", kwargs={"pk": cast.conversation.pk}))
    assert b'name="key"' in page.content
    response = client.post(
        reverse("messaging:file", kwargs={"pk": cast.conversation.pk, "seq": sent.seq}),
        {"key": "id_card_back"},
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.filed_as == "id_card_back"
    assert cast.application.documents.filter(key="id_card_back", document=sent.document).exists()


def test_the_citizen_recalls_from_the_page(client, cast: Cast):
    sent = services.message_send(actor=cast.citizen, conversation=cast.conversation, body="oops")
    client.force_login(cast.citizen)
    response = client.post(
        reverse("messaging:recall", kwargs={"pk": cast.conversation.pk, "seq": sent.seq})
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.recalled_at is not None
    page = client.get(
        reverse("messaging:application", kwargs={"reference": cast.application.reference})
    )
    assert b"oops" not in page.content


def test_presale_questions_from_the_store_page(client, cast: Cast):
    store = cast.application.store
    url = reverse("messaging:presale", kwargs={"slug": store.slug})
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(cast.other_citizen)
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "Do you deliver?"}).status_code == 302
    client.force_login(cast.customer_service)
    inbox = client.get(reverse("messaging:inbox"))
    assert b"1" in inbox.content


def test_quick_replies_page_is_the_store_admins(client, cast: Cast):
    url = reverse("messaging:quick_replies")
    client.force_login(cast.reviewer)
    assert client.get(url).status_code == 404
    client.force_login(cast.store_admin)
    assert client.post(url, {"text": "We answer within one working day."}).status_code == 302
    client.force_login(cast.customer_service)
    page = client.get(reverse("messaging:staff_conversation", kwargs={"pk": cast.conversation.pk}))
    assert b"data-quick-reply" in page.content


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render_in_both_languages(client, cast: Cast, language: str):
    client.cookies["django_language"] = language
    client.force_login(cast.reviewer)
    assert client.get(reverse("messaging:inbox")).status_code == 200
    client.force_login(cast.citizen)
    assert client.get(reverse("messaging:mine")).status_code == 200
