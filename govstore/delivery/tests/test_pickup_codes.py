"""Pickup codes at the counter: issued once, redeemed once, five wrong tries lock it
until a new one is issued, and each refusal says how many tries are left."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from govstore.accounts.tests.factories import UserFactory
from govstore.delivery import selectors, services
from govstore.delivery.models import PickupCode, PickupCodeEvent

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_issue_is_idempotent():
    first = services.pickup_code_issue(purpose="test-order", payable_id="A1")
    again = services.pickup_code_issue(purpose="test-order", payable_id="A1")
    assert first.pk == again.pk and first.code == again.code
    assert len(first.code) == 6 and first.code.isdigit()
    assert PickupCodeEvent.objects.filter(kind="issued").count() == 1
    assert selectors.pickup_code_for(purpose="test-order", payable_id="A1") == first


def test_redeem_with_the_right_code_once():
    clerk = UserFactory.create(staff=True)
    code = services.pickup_code_issue(purpose="test-order", payable_id="A1")
    redeemed = services.pickup_code_redeem(
        actor=clerk, purpose="test-order", payable_id="A1", code=f" {code.code} "
    )
    assert redeemed.used_at is not None and redeemed.used_by == clerk
    with pytest.raises(ValidationError) as refused:
        services.pickup_code_redeem(
            actor=clerk, purpose="test-order", payable_id="A1", code=code.code
        )
    assert refused.value.code == "pickup_code_used"


def test_wrong_codes_count_down_then_lock_until_reissued():
    clerk = UserFactory.create(staff=True)
    code = services.pickup_code_issue(purpose="test-order", payable_id="A1")
    with translation.override("en"):
        for left in (4, 3, 2, 1):
            with pytest.raises(ValidationError) as refused:
                services.pickup_code_redeem(
                    actor=clerk, purpose="test-order", payable_id="A1", code=_wrong(code.code)
                )
            expected = f"{left} {'try' if left == 1 else 'tries'} left"
            assert expected in refused.value.messages[0]
        with pytest.raises(ValidationError) as refused:
            services.pickup_code_redeem(
                actor=clerk, purpose="test-order", payable_id="A1", code=_wrong(code.code)
            )
        assert "now locked" in refused.value.messages[0]
        # Even the right code is refused while locked.
        with pytest.raises(ValidationError) as refused:
            services.pickup_code_redeem(
                actor=clerk, purpose="test-order", payable_id="A1", code=code.code
            )
        assert refused.value.code == "pickup_code_locked"
    code.refresh_from_db()
    assert code.failed_attempts == 5 and code.used_at is None
    assert PickupCodeEvent.objects.filter(kind="refused").count() == 5

    reissued = services.pickup_code_issue(purpose="test-order", payable_id="A1")
    assert reissued.pk == code.pk and reissued.failed_attempts == 0
    services.pickup_code_redeem(
        actor=clerk, purpose="test-order", payable_id="A1", code=reissued.code
    )


def test_wrong_code_changes_nothing_but_the_count():
    clerk = UserFactory.create(staff=True)
    code = services.pickup_code_issue(purpose="test-order", payable_id="A1")
    with pytest.raises(ValidationError):
        services.pickup_code_redeem(
            actor=clerk, purpose="test-order", payable_id="A1", code=_wrong(code.code)
        )
    after = PickupCode.objects.get()
    assert (after.code, after.used_at, after.failed_attempts) == (code.code, None, 1)


def test_no_code_issued():
    with pytest.raises(ValidationError) as refused:
        services.pickup_code_redeem(
            actor=UserFactory.create(staff=True), purpose="test-order", payable_id="Z", code="1"
        )
    assert refused.value.code == "pickup_code_missing"
