import factory
from django.utils import timezone

from govstore.accounts.tests.factories import UserFactory
from govstore.notifications.models import Notification, NotificationPreference

TEST_KIND = "notifications_test"


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = TEST_KIND
    params = factory.LazyFunction(dict)
    link = "/applications/"

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))


class NotificationPreferenceFactory(factory.django.DjangoModelFactory[NotificationPreference]):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
