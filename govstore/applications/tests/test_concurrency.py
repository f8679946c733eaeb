import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from govstore.applications.constants import ApplicationEventKind, ApplicationStatus
from govstore.applications.models import Application
from govstore.applications.services import application_claim
from govstore.applications.tests.factories import ApplicationFactory, make_staff
from govstore.stores.constants import StaffRole


@pytest.mark.django_db
def test_the_application_row_is_locked_before_it_changes():
    application = ApplicationFactory.create(paid=True)
    reviewer = make_staff(application.store, StaffRole.REVIEWER)
    with CaptureQueriesContext(connection) as captured:
        application_claim(actor=reviewer, application=application)
    statements = [query["sql"] for query in captured.captured_queries]
    lock = next(
        i
        for i, sql in enumerate(statements)
        if sql.startswith("SELECT") and 'FROM "applications_application"' in sql
    )
    update = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE"))
    assert lock < update
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in statements[lock]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"
)
def test_two_reviewers_claiming_at_once_one_wins():
    application = ApplicationFactory.create(paid=True)
    reviewers = [make_staff(application.store, StaffRole.REVIEWER) for _ in range(2)]
    barrier = threading.Barrier(len(reviewers))
    won: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def claim(reviewer):
        try:
            barrier.wait()
            application_claim(actor=reviewer, application=application)
            won.append(reviewer.pk)
        except ValidationError as error:
            refused.append(error.code or "")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(won) == 1 and refused == ["already_claimed"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.claimed_by_id == won[0]
    assert application.events.filter(kind=ApplicationEventKind.CLAIMED).count() == 1
    assert Application.objects.count() == 1
