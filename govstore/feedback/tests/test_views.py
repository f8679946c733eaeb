"""The rating page, a store's public ratings with replies, the reply form and the
follow-up list: in Chinese and English, comments shown as text."""

import pytest
from django.test import Client
from django.urls import reverse

from govstore.accounts.tests.factories import UserFactory
from govstore.applications.tests.factories import (
    ApplicationFactory,
    make_staff,
    make_supervisor,
)
from govstore.feedback import services
from govstore.feedback.constants import FollowUpStatus
from govstore.feedback.models import FollowUp, Rating
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db


def _as(user, language="en"):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def _rated(scores=(5, 4, 3), comment=""):
    application = ApplicationFactory.create(completed=True)
    return services.rating_submit(
        actor=application.citizen,
        application=application,
        description=scores[0],
        service=scores[1],
        delivery=scores[2],
        comment=comment,
    )


@pytest.mark.parametrize(
    ("language", "heading", "question"),
    [
        ("en", "Rate this service", "Did the service match its description?"),
        ("zh-hans", "评价本次服务", "服务与描述相符吗？"),
    ],
)
def test_rate_page_in_both_languages(language, heading, question):
    application = ApplicationFactory.create(completed=True)
    response = _as(application.citizen, language).get(
        reverse("feedback:rate", args=[application.pk])
    )
    assert response.status_code == 200
    assert heading in response.text
    assert question in response.text
    assert response.text.count('type="radio"') == 15


def test_citizen_rates_through_the_page():
    application = ApplicationFactory.create(completed=True)
    response = _as(application.citizen).post(
        reverse("feedback:rate", args=[application.pk]),
        {"description": "2", "service": "4", "delivery": "5", "comment": "Slow at first"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get(application=application)
    assert (rating.description, rating.service, rating.delivery) == (2, 4, 5)
    assert FollowUp.objects.filter(rating=rating).exists()


def test_missing_stars_are_explained_and_nothing_saved():
    application = ApplicationFactory.create(completed=True)
    response = _as(application.citizen).post(
        reverse("feedback:rate", args=[application.pk]), {"description": "5"}
    )
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.text
    assert not Rating.objects.exists()


def test_someone_elses_application_is_not_found():
    application = ApplicationFactory.create(completed=True)
    other = UserFactory.create(verified=True)
    url = reverse("feedback:rate", args=[application.pk])
    assert _as(other).get(url).status_code == 404
    response = _as(other).post(url, {"description": "1", "service": "1", "delivery": "1"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rate_page_says_why_when_closed():
    application = ApplicationFactory.create(delivered=True)
    response = _as(application.citizen).get(reverse("feedback:rate", args=[application.pk]))
    assert "You can rate an application once it is completed." in response.text
    assert 'type="radio"' not in response.text


@pytest.mark.parametrize(
    ("language", "heading", "reply_heading"),
    [
        ("en", "Ratings in the last 6 months", "The store's reply"),
        ("zh-hans", "近6个月的评价", "商家回复"),
    ],
)
def test_store_ratings_page_in_both_languages_with_comment_as_text(
    language, heading, reply_heading
):
    rating = _rated(comment='<script>alert("x")</script><b>bold</b>')
    services.rating_reply(
        actor=make_staff(rating.store, StaffRole.CUSTOMER_SERVICE),
        rating=rating,
        text="<i>Sorry</i>",
    )
    response = _as(None, language).get(reverse("feedback:store_ratings", args=[rating.store.slug]))
    assert response.status_code == 200
    assert heading in response.text
    assert reply_heading in response.text
    assert "<script>alert" not in response.text
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in response.text
    )
    assert "&lt;i&gt;Sorry&lt;/i&gt;" in response.text
    assert "4.00" in response.text


def test_staff_reply_through_the_page_once():
    rating = _rated()
    clerk = make_staff(rating.store, StaffRole.CUSTOMER_SERVICE)
    page = _as(clerk).get(reverse("feedback:store_ratings", args=[rating.store.slug]))
    assert reverse("feedback:reply", args=[rating.pk]) in page.text
    response = _as(clerk).post(reverse("feedback:reply", args=[rating.pk]), {"text": "Thanks"})
    assert response.status_code == 302
    _as(clerk).post(reverse("feedback:reply", args=[rating.pk]), {"text": "Again"})
    rating.refresh_from_db()
    assert rating.reply == "Thanks"


def test_reply_by_other_staff_changes_nothing():
    rating = _rated()
    reviewer = make_staff(rating.store, StaffRole.REVIEWER)
    _as(reviewer).post(reverse("feedback:reply", args=[rating.pk]), {"text": "Hi"})
    rating.refresh_from_db()
    assert rating.replied_at is None


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Follow-ups of bad ratings"), ("zh-hans", "差评整改")]
)
def test_follow_ups_for_supervisor_and_store_admin(language, heading):
    rating = _rated(scores=(1, 2, 3), comment="<b>rude</b>")
    other = _rated(scores=(1, 1, 1))
    supervisor = make_supervisor()
    response = _as(supervisor, language).get(reverse("feedback:follow_ups"))
    assert response.status_code == 200
    assert heading in response.text
    assert rating.application.reference in response.text
    assert other.application.reference in response.text
    assert "&lt;b&gt;rude&lt;/b&gt;" in response.text

    admin = make_staff(rating.store, StaffRole.STORE_ADMIN)
    response = _as(admin, language).get(reverse("feedback:follow_ups"))
    assert rating.application.reference in response.text
    assert other.application.reference not in response.text

    follow_up = FollowUp.objects.get(rating=rating)
    _as(admin).post(reverse("feedback:follow_up_close", args=[follow_up.pk]), {"note": "Called"})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED


@pytest.mark.parametrize("role", [StaffRole.CUSTOMER_SERVICE, None])
def test_follow_ups_refused_to_others(role):
    rating = _rated(scores=(1, 1, 1))
    user = make_staff(rating.store, role) if role else rating.citizen
    assert _as(user).get(reverse("feedback:follow_ups")).status_code == 404
    follow_up = FollowUp.objects.get(rating=rating)
    _as(user).post(reverse("feedback:follow_up_close", args=[follow_up.pk]), {"note": "x"})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN
