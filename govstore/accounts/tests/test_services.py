import datetime
import threading
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from govstore.accounts import services
from govstore.accounts.constants import AccountEventKind
from govstore.accounts.models import AccountEvent, User
from govstore.accounts.tests.factories import TEST_PASSWORD, UserFactory, make_resident_id

PUBLISHED_EXAMPLE = "11010519491231002X"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are real on PostgreSQL only"
)


def snapshot(user: User) -> tuple:
    user.refresh_from_db()
    return (user.real_name, user.id_number, user.real_name_verified_at, user.language)


# --- Sign up ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_creates_an_account_with_a_hashed_password_and_an_event():
    user = services.user_sign_up(mobile=" 138 0013 8000", password=TEST_PASSWORD, language="en")

    user.refresh_from_db()
    assert user.mobile == "13800138000"
    assert user.language == "en"
    assert user.password.startswith("argon2")
    assert user.check_password(TEST_PASSWORD)
    assert not user.is_real_name_verified
    assert list(user.events.values_list("kind", "actor")) == [(AccountEventKind.SIGNED_UP, user.pk)]


@pytest.mark.django_db
def test_sign_up_with_a_registered_mobile_is_refused_and_changes_nothing():
    existing = UserFactory.create(mobile="13900139000")

    with pytest.raises(ValidationError) as caught:
        services.user_sign_up(mobile="13900139000", password=TEST_PASSWORD, language="zh-hans")

    assert caught.value.error_dict["mobile"][0].code == "mobile_taken"
    with translation.override("en"):
        assert "Sign in" in caught.value.message_dict["mobile"][0]
    assert User.objects.count() == 1
    assert not AccountEvent.objects.exists()
    existing.refresh_from_db()
    assert existing.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_sign_up_race_on_one_mobile_is_settled_by_the_unique_index():
    UserFactory.create(mobile="13900139000")

    # As if the other sign-up committed between our check and our insert.
    with (
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ValidationError) as caught,
    ):
        services.user_sign_up(mobile="13900139000", password=TEST_PASSWORD, language="en")

    assert caught.value.error_dict["mobile"][0].code == "mobile_taken"
    assert User.objects.count() == 1
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mobile", "password", "language", "fields"),
    [
        ("1380013800", TEST_PASSWORD, "en", {"mobile"}),
        ("13800138000", "12345678", "en", {"password"}),
        ("13800138000", "short-1", "en", {"password"}),
        ("13800138000", "password123", "en", {"password"}),
        ("13800138000", TEST_PASSWORD, "fr", {"language"}),
        ("abc", "1", "fr", {"mobile", "password", "language"}),
    ],
)
def test_sign_up_refuses_bad_input_field_by_field(mobile, password, language, fields):
    with pytest.raises(ValidationError) as caught:
        services.user_sign_up(mobile=mobile, password=password, language=language)

    assert set(caught.value.message_dict) == fields
    assert not User.objects.exists()
    assert not AccountEvent.objects.exists()


# --- Real-name verification ---------------------------------------------------------------


@pytest.mark.django_db
def test_verify_real_name_records_the_identity_and_a_masked_event(citizen):
    returned = services.user_verify_real_name(
        actor=citizen, user=citizen, real_name=" 张三 ", id_number=PUBLISHED_EXAMPLE
    )

    citizen.refresh_from_db()
    assert (citizen.real_name, citizen.id_number) == ("张三", PUBLISHED_EXAMPLE)
    assert citizen.is_real_name_verified
    assert returned.pk == citizen.pk and returned.id_number == PUBLISHED_EXAMPLE
    event = citizen.events.get()
    assert event.kind == AccountEventKind.REAL_NAME_VERIFIED
    assert event.actor == citizen
    assert event.payload == {"id_number": "110105********002X"}


@pytest.mark.django_db
def test_verify_updates_the_callers_user_object_too(citizen):
    services.user_verify_real_name(
        actor=citizen, user=citizen, real_name="张三", id_number=PUBLISHED_EXAMPLE
    )
    assert citizen.is_real_name_verified
    assert citizen.id_number == PUBLISHED_EXAMPLE


@pytest.mark.django_db
def test_a_lower_case_x_and_spaces_are_accepted_and_normalized(citizen):
    services.user_verify_real_name(
        actor=citizen, user=citizen, real_name="张三", id_number=" 110105 19491231 002x "
    )
    citizen.refresh_from_db()
    assert citizen.id_number == PUBLISHED_EXAMPLE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        ("110105194912310021", "check_character"),
        (make_resident_id()[:6] + "19901301" + "0011", "birth_date"),
        ("370202199013010011", "birth_date"),
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("11010519491231002Y", "characters"),
    ],
)
def test_a_malformed_id_number_is_refused_and_changes_nothing(citizen, id_number, code):
    before = snapshot(citizen)

    with pytest.raises(ValidationError) as caught:
        services.user_verify_real_name(
            actor=citizen, user=citizen, real_name="张三", id_number=id_number
        )

    assert caught.value.error_dict["id_number"][0].code == code
    assert snapshot(citizen) == before
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_a_bad_name_is_refused_and_changes_nothing(citizen):
    before = snapshot(citizen)
    with pytest.raises(ValidationError) as caught:
        services.user_verify_real_name(
            actor=citizen, user=citizen, real_name="张" * 31, id_number=PUBLISHED_EXAMPLE
        )
    assert set(caught.value.message_dict) == {"real_name"}
    assert snapshot(citizen) == before
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_an_id_number_verified_on_another_account_is_refused(citizen):
    holder = UserFactory.create(verified=True)
    holder_number = holder.id_number or ""
    holder_before = snapshot(holder)
    before = snapshot(citizen)

    with pytest.raises(ValidationError) as caught:
        services.user_verify_real_name(
            actor=citizen, user=citizen, real_name="李四", id_number=holder_number.lower()
        )

    assert caught.value.error_dict["id_number"][0].code == "id_number_taken"
    assert snapshot(citizen) == before
    assert snapshot(holder) == holder_before
    # The refused attempt is on the record, without the full number.
    event = citizen.events.get()
    assert event.kind == AccountEventKind.REAL_NAME_REFUSED
    assert event.payload["reason"] == "id_number_taken"
    assert holder_number not in str(event.payload)
    assert not holder.events.exists()
    # The mobile-only account is still there and usable.
    citizen.refresh_from_db()
    assert citizen.is_active and citizen.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_a_verification_race_is_refused_with_the_same_message(citizen):
    holder_number = UserFactory.create(verified=True).id_number or ""
    before = snapshot(citizen)

    # As if the holder verified between our check and our write: only the unique
    # constraint stands in the way.
    with (
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ValidationError) as caught,
    ):
        services.user_verify_real_name(
            actor=citizen, user=citizen, real_name="李四", id_number=holder_number
        )

    assert caught.value.error_dict["id_number"][0].code == "id_number_taken"
    assert snapshot(citizen) == before
    assert citizen.events.get().kind == AccountEventKind.REAL_NAME_REFUSED


@pytest.mark.django_db
def test_an_already_verified_account_cannot_verify_again(verified_citizen):
    before = snapshot(verified_citizen)

    with pytest.raises(ValidationError) as caught:
        services.user_verify_real_name(
            actor=verified_citizen,
            user=verified_citizen,
            real_name="王五",
            id_number=PUBLISHED_EXAMPLE,
        )

    assert caught.value.error_list[0].code == "already_verified"
    assert snapshot(verified_citizen) == before
    assert not AccountEvent.objects.exists()


@pytest.mark.django_db
def test_nobody_verifies_someone_elses_account(citizen):
    other = UserFactory.create(operator=True)
    before = snapshot(citizen)
    with pytest.raises(PermissionDenied):
        services.user_verify_real_name(
            actor=other, user=citizen, real_name="张三", id_number=PUBLISHED_EXAMPLE
        )
    assert snapshot(citizen) == before


@on_postgresql
@pytest.mark.django_db
def test_verification_locks_the_account_row_before_writing(citizen):
    with CaptureQueriesContext(connection) as queries:
        services.user_verify_real_name(
            actor=citizen, user=citizen, real_name="张三", id_number=PUBLISHED_EXAMPLE
        )
    statements = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if "FOR UPDATE" in sql)
    write = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE"))
    assert lock < write
    assert 'FROM "accounts_user"' in statements[lock]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_accounts_verifying_one_number_at_once_leaves_exactly_one_verified():
    first, second = UserFactory.create(), UserFactory.create()
    # Both check uniqueness before either writes, so only the constraint can decide.
    both_checked = threading.Barrier(2, timeout=10)
    real_exists = QuerySet.exists

    def exists_then_wait(queryset: QuerySet) -> bool:
        answer = real_exists(queryset)
        if queryset.model is User and "id_number" in str(queryset.query):
            both_checked.wait()
        return answer

    outcomes: dict[int, str] = {}

    def verify(user: User) -> None:
        try:
            services.user_verify_real_name(
                actor=user, user=user, real_name="张三", id_number=PUBLISHED_EXAMPLE
            )
            outcomes[user.pk] = "verified"
        except ValidationError as exc:
            outcomes[user.pk] = exc.error_dict["id_number"][0].code or ""
        finally:
            connection.close()

    with mock.patch.object(QuerySet, "exists", exists_then_wait):
        threads = [threading.Thread(target=verify, args=(user,)) for user in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)

    assert sorted(outcomes.values()) == ["id_number_taken", "verified"]
    assert User.objects.filter(id_number=PUBLISHED_EXAMPLE).count() == 1
    loser = next(pk for pk, outcome in outcomes.items() if outcome != "verified")
    assert User.objects.get(pk=loser).real_name_verified_at is None
    assert AccountEvent.objects.get(user_id=loser).kind == AccountEventKind.REAL_NAME_REFUSED


# --- Language ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_language_saves_it_with_an_event(citizen):
    services.user_set_language(actor=citizen, user=citizen, language="en")

    citizen.refresh_from_db()
    assert citizen.language == "en"
    event = citizen.events.get()
    assert event.kind == AccountEventKind.LANGUAGE_CHANGED
    assert event.payload == {"from": "zh-hans", "to": "en"}


@pytest.mark.django_db
def test_setting_the_same_language_again_records_nothing(citizen):
    services.user_set_language(actor=citizen, user=citizen, language="zh-hans")
    assert not citizen.events.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "", "zh-hant", "EN"])
def test_a_language_not_offered_is_refused(citizen, language):
    with pytest.raises(ValidationError) as caught:
        services.user_set_language(actor=citizen, user=citizen, language=language)
    assert set(caught.value.message_dict) == {"language"}
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"
    assert not citizen.events.exists()


@pytest.mark.django_db
def test_nobody_sets_someone_elses_language(citizen):
    with pytest.raises(PermissionDenied):
        services.user_set_language(actor=UserFactory.create(), user=citizen, language="en")
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"


def test_the_published_example_is_a_valid_number():
    from govstore.core.identity import parse_resident_id

    parsed = parse_resident_id(PUBLISHED_EXAMPLE)
    assert parsed.birth_date == datetime.date(1949, 12, 31)
