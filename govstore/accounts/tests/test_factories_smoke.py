import pytest

from govstore.accounts.tests.factories import UserFactory
from govstore.core.identity import parse_resident_id


@pytest.mark.django_db
def test_verified_factory_makes_a_valid_unique_id_number():
    first, second = UserFactory.create(verified=True), UserFactory.create(verified=True)
    assert parse_resident_id(first.id_number or "").number == first.id_number
    assert first.id_number != second.id_number
    assert first.check_password("correct-horse-battery-9")
