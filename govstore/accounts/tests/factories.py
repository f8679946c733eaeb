import datetime
import itertools

import factory

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.core.identity import resident_id_check_character

_mobiles = itertools.count(13800000000)
_sequences = itertools.count(1)

TEST_PASSWORD = "correct-horse-battery-9"


def make_resident_id(
    *, area: str = "370202", birth: datetime.date = datetime.date(1990, 1, 1), sequence: int = 0
) -> str:
    """A resident ID number with a correct check character, unique per call: past 999
    numbers on one birth date the next ones are born a day later."""
    if sequence:
        seq = sequence
    else:
        count = next(_sequences)
        seq = (count - 1) % 999 + 1
        birth += datetime.timedelta(days=(count - 1) // 999)
    first_17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first_17 + resident_id_check_character(first_17)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    mobile = factory.LazyFunction(lambda: str(next(_mobiles)))
    kind = AccountKind.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    class Params:
        verified = factory.Trait(
            real_name="张三",
            id_number=factory.LazyFunction(make_resident_id),
            real_name_verified_at=factory.LazyFunction(
                lambda: datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
            ),
        )
        staff = factory.Trait(kind=AccountKind.STAFF)
        supervisor = factory.Trait(kind=AccountKind.SUPERVISOR)
        operator = factory.Trait(kind=AccountKind.OPERATOR, is_staff=True, is_superuser=True)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()
