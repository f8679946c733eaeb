"""Conversations through the API: the same people may read as on the pages, sending goes
through the same service and limits, reading marks read as the page does, and every
refusal leaves the conversation as it was."""

import pytest
from django.test import Client

from govstore.api.tests.helpers import TokenClient, error_of, make_token
from govstore.messaging import services
from govstore.messaging.models import Conversation, ConversationAccess, Message, ReadMark
from govstore.messaging.tests.factories import OUTSIDERS, Cast
from govstore.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/conversations"
STAFF_API = "/api/v1/staff/conversations"


def _client(user, *scopes: str) -> TokenClient:
    return TokenClient(make_token(user, *scopes))


def _citizen(cast: Cast) -> TokenClient:
    return _client(cast.citizen, "read", "apply")


def _staff(cast: Cast, who: str = "customer_service") -> TokenClient:
    return _client(cast.person(who), "read", "staff")


def _state(cast: Cast) -> tuple:
    conversation = Conversation.objects.get(pk=cast.conversation.pk)
    return (
        conversation.last_seq,
        list(Message.objects.order_by("pk").values_list("seq", "body", "recalled_at")),
        sorted(ReadMark.objects.values_list("side", "last_read_seq")),
    )


def test_a_citizen_and_the_store_talk(cast: Cast):
    citizen, staff = _citizen(cast), _staff(cast)
    sent = citizen.post(
        f"{API}/{cast.conversation.pk}/messages", {"body": "<b>Hello</b>", "client_id": "c1"}
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["seq"] == 1 and sent.json()["mine"] is True
    assert sent.json()["body"] == "<b>Hello</b>" and sent.json()["side"] == "citizen"

    inbox = staff.get(API).json()
    assert [(c["id"], c["unread"]) for c in inbox["items"]] == [(cast.conversation.pk, 1)]
    answered = staff.post(f"{STAFF_API}/{cast.conversation.pk}/messages", {"body": "Hi"})
    assert answered.status_code == 201, answered.content
    label = answered.json()["sender_label"]
    staff_number = answered.json()["staff_number"]
    assert staff_number and staff_number in label
    assert not cast.customer_service.real_name or cast.customer_service.real_name not in label

    mine = citizen.get(API).json()["items"]
    assert [(c["id"], c["unread"], c["last_seq"]) for c in mine] == [(cast.conversation.pk, 1, 2)]
    assert [c["id"] for c in citizen.get(API, unread="true").json()["items"]] == [
        cast.conversation.pk
    ]
    messages = citizen.get(f"{API}/{cast.conversation.pk}/messages").json()
    assert [(m["seq"], m["side"], m["mine"]) for m in messages["items"]] == [
        (2, "store", False),
        (1, "citizen", True),
    ]
    detail = citizen.get(f"{API}/{cast.conversation.pk}").json()
    assert detail["unread"] == 0 and detail["read_seq"] == 2 and detail["side"] == "citizen"
    assert detail["other_read_seq"] == 2 and detail["can_send"] is True
    assert detail["live_path"] == f"/ws/conversations/{cast.conversation.pk}/"
    assert citizen.get(API, unread="true").json()["items"] == []


def test_messages_page_by_cursor_either_way_and_after_a_seq(cast: Cast):
    for n in range(5):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body=f"m{n}")
    staff = _staff(cast)
    url = f"{API}/{cast.conversation.pk}/messages"
    first = staff.get(url, limit=2).json()
    assert [m["seq"] for m in first["items"]] == [5, 4]
    second = staff.get(url, limit=2, cursor=first["next_cursor"]).json()
    assert [m["seq"] for m in second["items"]] == [3, 2]
    oldest = staff.get(url, order="oldest", limit=3).json()
    assert [m["seq"] for m in oldest["items"]] == [1, 2, 3]
    rest = staff.get(url, order="oldest", limit=3, cursor=oldest["next_cursor"]).json()
    assert [m["seq"] for m in rest["items"]] == [4, 5] and rest["next_cursor"] is None
    newer = staff.get(url, order="oldest", after_seq=3).json()
    assert [m["seq"] for m in newer["items"]] == [4, 5]


def test_reading_marks_what_was_answered_read_for_the_readers_side(cast: Cast):
    for n in range(3):
        services.message_send(actor=cast.citizen, conversation=cast.conversation, body=f"m{n}")
    staff = _staff(cast)
    url = f"{API}/{cast.conversation.pk}/messages"
    staff.get(url, order="oldest", limit=2)
    assert ReadMark.objects.get(conversation=cast.conversation, side="store").last_read_seq == 2
    # Going back through older pages never moves the mark backwards.
    staff.get(url, order="oldest", limit=1)
    assert ReadMark.objects.get(conversation=cast.conversation, side="store").last_read_seq == 2
    staff.get(url)
    assert ReadMark.objects.get(conversation=cast.conversation, side="store").last_read_seq == 3


def test_a_recalled_message_shows_neither_text_nor_photo(cast: Cast):
    message = services.message_send(actor=cast.citizen, conversation=cast.conversation, body="x")
    services.message_recall(actor=cast.citizen, message=message)
    item = _citizen(cast).get(f"{API}/{cast.conversation.pk}/messages").json()["items"][0]
    assert item["recalled"] is True and item["body"] == "" and item["image_url"] == ""


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_gets_404_and_changes_nothing(cast: Cast, who: str):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="private")
    before = _state(cast)
    user = cast.person(who)
    scopes = ("read", "apply") if who == "other_citizen" else ("read", "staff")
    client = _client(user, *scopes)
    send_path = API if who == "other_citizen" else STAFF_API
    for response in (
        client.get(f"{API}/{cast.conversation.pk}"),
        client.get(f"{API}/{cast.conversation.pk}/messages"),
        client.post(f"{send_path}/{cast.conversation.pk}/messages", {"body": "hi"}),
    ):
        assert response.status_code == 404, (who, response.content)
        assert error_of(response)["code"] == "not_found"
    assert _state(cast) == before
    listing = client.get(API)
    if who == "other_citizen":
        assert listing.json()["items"] == []
    else:
        # Staff who answer no customers have no inbox, as on the page.
        assert listing.status_code == 404 or cast.conversation.pk not in {
            c["id"] for c in listing.json()["items"]
        }


def test_staff_of_another_store_see_only_their_own_inbox(cast: Cast):
    listing = _staff(cast, "other_store_reviewer").get(API)
    assert listing.status_code == 200 and listing.json()["items"] == []
    assert error_of(_staff(cast).get(API, store_id=StoreFactory.create().pk))["code"] == (
        "not_found"
    )


def test_a_supervisor_reads_a_disputed_conversation_logged_and_cannot_write(cast: Cast, dispute):
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="evidence")
    supervisor = _client(cast.supervisor, "read", "staff")
    dispute[cast.conversation.pk] = "TS-7"
    detail = supervisor.get(f"{API}/{cast.conversation.pk}")
    assert detail.status_code == 200
    assert detail.json()["side"] is None and detail.json()["can_send"] is False
    items = supervisor.get(f"{API}/{cast.conversation.pk}/messages").json()["items"]
    assert [m["body"] for m in items] == ["evidence"]
    before = _state(cast)
    refused = supervisor.post(f"{STAFF_API}/{cast.conversation.pk}/messages", {"body": "no"})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert _state(cast) == before
    reads = list(ConversationAccess.objects.values_list("complaint_reference", "what"))
    assert reads == [("TS-7", "api")] * 3


def test_each_side_sends_only_on_its_own_path(cast: Cast):
    before = _state(cast)
    wrong = _staff(cast).post(f"{API}/{cast.conversation.pk}/messages", {"body": "x"})
    assert wrong.status_code == 403 and error_of(wrong)["code"] == "scope_missing"
    # A citizen's session has no staff scope (and a citizen cannot make a token with it).
    browser = Client()
    browser.force_login(cast.citizen)
    other = browser.post(
        f"{STAFF_API}/{cast.conversation.pk}/messages",
        {"body": "x"},
        content_type="application/json",
    )
    assert other.status_code == 403 and error_of(other)["code"] == "forbidden"
    assert _state(cast) == before


def test_a_token_without_the_scope_is_refused(cast: Cast):
    before = _state(cast)
    reader = _client(cast.citizen, "read")
    sent = reader.post(f"{API}/{cast.conversation.pk}/messages", {"body": "x"})
    assert sent.status_code == 403 and error_of(sent)["code"] == "scope_missing"
    writer = _client(cast.citizen, "apply")
    listed = writer.get(API)
    assert listed.status_code == 403 and error_of(listed)["code"] == "scope_missing"
    assert _state(cast) == before


def test_a_staff_session_cannot_use_the_citizens_path(cast: Cast):
    browser = Client()
    browser.force_login(cast.customer_service)
    response = browser.post(
        f"{API}/{cast.conversation.pk}/messages", {"body": "x"}, content_type="application/json"
    )
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    # The same session answers on the staff path.
    answered = browser.post(
        f"{STAFF_API}/{cast.conversation.pk}/messages",
        {"body": "y"},
        content_type="application/json",
    )
    assert answered.status_code == 201, answered.content
    assert list(Message.objects.values_list("body", flat=True)) == ["y"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"body": ""}, 422, "validation_failed", "body"),
        ({"body": "   "}, 422, "empty", "body"),
        ({"body": "x" * 2001}, 422, "validation_failed", "body"),
        ({"body": 5}, 422, "validation_failed", "body"),
        ({"body": "x", "sender": 1}, 422, "unknown_field", "sender"),
        ({"body": "x", "client_id": "c" * 65}, 422, "validation_failed", "client_id"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_stored(cast, body, status, code, field):
    before = _state(cast)
    response = _citizen(cast).post(f"{API}/{cast.conversation.pk}/messages", body)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    assert field in {each["field"] for each in error["fields"]}
    assert _state(cast) == before


def test_malformed_json_is_refused(cast: Cast):
    response = _citizen(cast).post(f"{API}/{cast.conversation.pk}/messages", raw="{nope")
    assert response.status_code == 400 and error_of(response)["code"] == "malformed_json"
    assert not Message.objects.exists()


def test_the_conversations_limit_answers_429(cast: Cast, settings):
    settings.MESSAGING_MESSAGES_PER_MINUTE = 1
    citizen = _citizen(cast)
    assert (
        citizen.post(f"{API}/{cast.conversation.pk}/messages", {"body": "one"}).status_code == 201
    )
    response = citizen.post(f"{API}/{cast.conversation.pk}/messages", {"body": "two"})
    assert response.status_code == 429 and error_of(response)["code"] == "rate_limited"
    assert response["Retry-After"]
    assert list(Message.objects.values_list("body", flat=True)) == ["one"]


def test_the_accounts_limit_over_every_conversation_answers_429(cast: Cast, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "message": "2/m"}
    citizen = _citizen(cast)
    for text in ("one", "two"):
        assert (
            citizen.post(f"{API}/{cast.conversation.pk}/messages", {"body": text}).status_code
            == 201
        )
    response = citizen.post(f"{API}/{cast.conversation.pk}/messages", {"body": "three"})
    assert response.status_code == 429 and error_of(response)["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == ["one", "two"]
    # Reading is not limited.
    assert citizen.get(f"{API}/{cast.conversation.pk}/messages").status_code == 200


def test_a_citizen_opens_conversations_about_an_application_and_with_a_store(cast: Cast):
    from govstore.applications.tests.factories import ApplicationFactory

    citizen = _citizen(cast)
    again = citizen.post(API, {"application": cast.application.reference})
    assert again.status_code == 200 and again.json()["id"] == cast.conversation.pk
    fresh = ApplicationFactory.create(lost_licence=True, citizen=cast.citizen)
    opened = citizen.post(API, {"application": fresh.reference})
    assert opened.status_code == 200, opened.content
    assert opened.json()["application_reference"] == fresh.reference
    presale = citizen.post(API, {"store": cast.application.store.slug})
    assert presale.status_code == 200 and presale.json()["kind"] == "presale"
    listed = {c["id"] for c in citizen.get(API).json()["items"]}
    assert listed == {cast.conversation.pk, opened.json()["id"], presale.json()["id"]}


def test_opening_refusals_change_nothing(cast: Cast):
    count = Conversation.objects.count()
    other = _client(cast.other_citizen, "read", "apply")
    theirs = other.post(API, {"application": cast.application.reference})
    assert theirs.status_code == 404 and error_of(theirs)["code"] == "not_found"
    assert other.post(API, {"store": "no-such-store"}).status_code == 404
    both = other.post(API, {"application": "x", "store": "y"})
    assert both.status_code == 422 and error_of(both)["code"] == "validation_failed"
    assert other.post(API, {}).status_code == 422
    assert Conversation.objects.count() == count


def test_the_document_describes_the_live_feed():
    from govstore.api.site import api

    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/conversations/{conversation_id}"]["get"]
    assert "/ws/conversations/" in operation["description"]
    assert '"type": "hello"' in operation["description"]
    assert operation["x-scope"] == "read"
    assert schema["paths"]["/api/v1/staff/conversations/{conversation_id}/messages"]["post"][
        "x-scope"
    ] == ("staff")


def test_conversations_page_by_cursor_empty_ones_by_their_opening(cast: Cast):
    from govstore.applications.tests.factories import ApplicationFactory

    citizen = _citizen(cast)
    empty = services.conversation_for_application(
        actor=cast.citizen,
        application=ApplicationFactory.create(lost_licence=True, citizen=cast.citizen),
    )
    services.message_send(actor=cast.citizen, conversation=cast.conversation, body="latest")
    seen = []
    cursor = None
    while True:
        page = citizen.get(API, limit=1, **({"cursor": cursor} if cursor else {})).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [cast.conversation.pk, empty.pk]
