"""Conversations and the people around them, for the messaging tests."""

from dataclasses import dataclass, field

import pytest

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory
from govstore.applications.models import Application
from govstore.applications.tests.factories import ApplicationFactory, make_staff, make_supervisor
from govstore.messaging.disputes import register_dispute_lookup, unregister_dispute_lookup
from govstore.messaging.models import Conversation
from govstore.messaging.services import conversation_for_application
from govstore.stores.constants import StaffRole
from govstore.stores.tests.factories import StoreFactory


@dataclass
class Cast:
    """An application's conversation and everyone the permission matrix asks about."""

    application: Application
    conversation: Conversation
    citizen: User
    other_citizen: User
    customer_service: User
    reviewer: User
    store_admin: User
    producer: User
    dispatcher: User
    other_store_reviewer: User
    supervisor: User
    extra: dict[str, User] = field(default_factory=dict)

    def anyone(self, name: str) -> User | None:
        return None if name == "anonymous" else self.person(name)

    def person(self, name: str) -> User:
        user = getattr(self, name)
        assert isinstance(user, User)
        return user


# Who may read and write, who may read only (a supervisor with a complaint), who not.
WRITERS = ("citizen", "customer_service", "reviewer", "store_admin")
OUTSIDERS = ("other_citizen", "producer", "dispatcher", "other_store_reviewer", "supervisor")


def make_cast(**application_traits: object) -> Cast:
    application_traits.setdefault("lost_licence", True)
    application_traits.setdefault("in_review", True)
    application = ApplicationFactory.create(**application_traits)
    store = application.store
    reviewer = application.claimed_by or make_staff(store, StaffRole.REVIEWER)
    conversation = conversation_for_application(actor=application.citizen, application=application)
    return Cast(
        application=application,
        conversation=conversation,
        citizen=application.citizen,
        other_citizen=UserFactory.create(verified=True),
        customer_service=make_staff(store, StaffRole.CUSTOMER_SERVICE),
        reviewer=reviewer,
        store_admin=make_staff(store, StaffRole.STORE_ADMIN),
        producer=make_staff(store, StaffRole.PRODUCER),
        dispatcher=make_staff(store, StaffRole.DISPATCHER),
        other_store_reviewer=make_staff(StoreFactory.create(), StaffRole.REVIEWER),
        supervisor=make_supervisor(),
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def dispute():
    """Makes the given conversations part of a complaint, as the feedback context would."""
    disputed: dict[int, str] = {}

    def lookup(conversation: Conversation) -> str | None:
        return disputed.get(conversation.pk)

    register_dispute_lookup(lookup)
    yield disputed
    unregister_dispute_lookup(lookup)
