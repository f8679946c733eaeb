"""Every write to payments, refunds and the escrow journal.

Locking: all trades of one payable (purpose, payable_id) are locked together, in pk
order, before any of them is read; a refund row is locked after them. So two
notifications for the same trade, or for two trades of one payable (two tabs), are
handled one after the other, and the first accepted payment is seen by the second.

Calls to the gateway never happen with rows locked: they are made before the
transaction that records their answer, or after commit through a task.
"""

import datetime
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.payments import ledger
from govstore.payments.constants import (
    ANSWERED_SUCCESS,
    CASHIER_TIMEOUT_MINUTES,
    LATE_QUERY_MAX_AGE,
    OUT_TRADE_NO_PREFIX,
    PAID_TRADE_STATUSES,
    PAYABLE_ID_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REFUND_RETRY_MINUTES,
    SUBJECT_MAX_LENGTH,
    TRADE_CLOSED,
    JournalKind,
    NotificationChannel,
    NotificationOutcome,
    PaymentEventKind,
    PaymentStatus,
    RefundKind,
    RefundStatus,
)
from govstore.payments.events import event_record
from govstore.payments.handlers import payable_handler
from govstore.payments.models import JournalEntry, Payment, PaymentNotification, Refund
from govstore.payments.providers import (
    GatewayError,
    GatewayUnavailable,
    SignatureInvalid,
    TradeRequest,
    TradeState,
    get_provider,
)
from govstore.stores.models import Agency

logger = logging.getLogger(__name__)

Outcome = NotificationOutcome
K = PaymentEventKind

SUCCESS = "success"
FAILURE = "failure"


# --- Helpers ---------------------------------------------------------------------------


def notify_url(provider_code: str) -> str:
    return settings.SITE_URL + reverse("payments:notify", kwargs={"provider": provider_code})


def _new_out_trade_no() -> str:
    return f"{OUT_TRADE_NO_PREFIX}{timezone.localdate():%Y%m%d}{secrets.randbelow(10**12):012d}"


def _lock_payable(purpose: str, payable_id: str) -> list[Payment]:
    """Every trade of the payable, locked, in pk order (the one order every writer uses,
    so two writers never wait on each other in a circle)."""
    return list(
        Payment.objects.select_for_update()
        .filter(purpose=purpose, payable_id=payable_id)
        .order_by("pk")
    )


def _lock_trade(payment_id: int) -> tuple[Payment, list[Payment]]:
    """The payment, locked with its payable's other trades; (payment, all trades)."""
    key = Payment.objects.values("purpose", "payable_id").get(pk=payment_id)
    trades = _lock_payable(key["purpose"], key["payable_id"])
    payment = next(trade for trade in trades if trade.pk == payment_id)
    return payment, trades


def _refunds_committed(payment: Payment) -> int:
    """What is refunded or being refunded on the payment (pending refunds included, so
    two refunds ordered at once can never together exceed what was paid)."""
    total = payment.refunds.aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


def _require_amount(amount_fen: Any) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationError(
            {"amount_fen": [_("Enter an amount greater than zero.")]}, code="amount"
        )
    return amount_fen


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Write the reason for the refund.")]}, code="required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("Keep it under %(max)d characters.") % {"max": REASON_MAX_LENGTH}]},
            code="max_length",
        )
    return reason


def _error_text(error: Exception) -> str:
    sub_code = getattr(error, "sub_code", "")
    text = f"{type(error).__name__}: {error}" + (f" ({sub_code})" if sub_code else "")
    return text[:300]


# --- Starting a payment ----------------------------------------------------------------


def payment_start(
    *,
    actor: User,
    purpose: str,
    payable_id: str,
    agency: Agency,
    amount_fen: int,
    subject: str,
    return_url: str,
) -> tuple[Payment, str]:
    """A new trade for the payable and the gateway's cashier URL to send the payer to.

    Every call makes a new trade (a second tab is a second trade; if both are paid the
    later one is refunded). Call it outside any transaction: the trade is committed
    before the gateway is asked, so a gateway that cannot be reached leaves a closed
    trade on record, raises GatewayUnavailable, and the payable is left as it was.
    """
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to pay."))
    payable_handler(purpose)  # an unregistered purpose is a programming error: fail early
    amount_fen = _require_amount(amount_fen)
    payable_id = str(payable_id)
    if not payable_id or len(payable_id) > PAYABLE_ID_MAX_LENGTH:
        raise ValueError("payable_id must be 1 to 64 characters")
    subject = " ".join((subject or "").split())[:SUBJECT_MAX_LENGTH]
    if not subject:
        raise ValueError("a payment needs a subject the payer will recognise")
    provider = get_provider()
    with transaction.atomic():
        payment = Payment.objects.create(
            out_trade_no=_new_out_trade_no(),
            provider=provider.code,
            purpose=purpose,
            payable_id=payable_id,
            payer=actor,
            agency=agency,
            amount_fen=amount_fen,
            subject=subject,
        )
        event_record(
            payment=payment,
            kind=K.STARTED,
            actor=actor,
            payload={"amount_fen": amount_fen, "provider": provider.code},
        )
    trade = TradeRequest(
        out_trade_no=payment.out_trade_no,
        amount_fen=amount_fen,
        subject=subject,
        notify_url=notify_url(provider.code),
        return_url=return_url,
        timeout_minutes=CASHIER_TIMEOUT_MINUTES,
    )
    try:
        redirect_url = provider.start_payment(trade)
    except GatewayError as error:
        with transaction.atomic():
            payment, _trades = _lock_trade(payment.pk)
            if payment.status == PaymentStatus.PENDING:
                payment.status = PaymentStatus.CLOSED
                payment.save(update_fields=["status", "updated_at"])
            event_record(
                payment=payment, kind=K.START_FAILED, payload={"error": _error_text(error)}
            )
        logger.warning("payment %s not started: %s", payment.out_trade_no, error)
        if isinstance(error, GatewayUnavailable):
            raise GatewayUnavailable(
                _(
                    "The payment service cannot be reached just now. Nothing was paid: "
                    "try again in a few minutes."
                )
            ) from error
        raise
    now = timezone.now()
    Payment.objects.filter(pk=payment.pk).update(cashier_opened_at=now, updated_at=now)
    payment.cashier_opened_at = now
    return payment, redirect_url


# --- Recording what the gateway says ---------------------------------------------------


def _paid_apply(payment: Payment, trades: list[Payment], state: TradeState, *, via: str) -> None:
    """Record the payment as paid (the payable's trades are locked): the money enters
    escrow, then the payable is asked whether it takes it. A payable that already has
    a payment, or would not take one, gets this one back in full."""
    already_accepted = [trade for trade in trades if trade.pk != payment.pk and trade.is_accepted]
    payment.status = PaymentStatus.PAID
    payment.gateway_trade_no = state.trade_no[:64]
    payment.buyer_id = state.buyer_id[:32]
    payment.paid_at = state.paid_at or timezone.now()
    payment.duplicate = bool(already_accepted)
    payment.save(
        update_fields=[
            "status",
            "gateway_trade_no",
            "buyer_id",
            "paid_at",
            "duplicate",
            "updated_at",
        ]
    )
    ledger.entry_record(
        payment=payment,
        kind=JournalKind.PAYMENT,
        from_account=ledger.payer_account(payment.payer_id),
        to_account=ledger.ESCROW,
        amount_fen=payment.amount_fen,
    )
    event_record(
        payment=payment,
        kind=K.PAID,
        payload={"via": via, "trade_no": payment.gateway_trade_no, "notify_id": state.notify_id},
    )
    if not payment.duplicate:
        accepted = payable_handler(payment.purpose).on_paid(
            payable_id=payment.payable_id, payment=payment
        )
        if not accepted:
            payment.duplicate = True
            payment.save(update_fields=["duplicate", "updated_at"])
    if payment.duplicate:
        event_record(
            payment=payment,
            kind=K.DUPLICATE,
            payload={"accepted_payment": already_accepted[0].pk if already_accepted else None},
        )
        # Optional: the payable may tell its own people (the citizen's timeline).
        on_duplicate = getattr(payable_handler(payment.purpose), "on_duplicate", None)
        if on_duplicate is not None:
            on_duplicate(payable_id=payment.payable_id, payment=payment)
        refund_issue(
            actor=None,
            payment=payment,
            amount_fen=payment.amount_fen,
            reason="",
            kind=RefundKind.DUPLICATE_PAYMENT,
        )


def _trade_state_apply(
    payment: Payment, trades: list[Payment], state: TradeState, *, via: str
) -> tuple[str, str]:
    """Apply a verified trade state to our locked trade: (outcome, detail)."""
    if state.total_fen != payment.amount_fen:
        event_record(
            payment=payment,
            kind=K.AMOUNT_MISMATCH,
            payload={"via": via, "reported_fen": state.total_fen, "notify_id": state.notify_id},
        )
        return Outcome.REFUSED_AMOUNT, (
            f"gateway says {state.total_fen} fen, the trade is {payment.amount_fen} fen"
        )
    if state.trade_status in PAID_TRADE_STATUSES:
        if payment.status == PaymentStatus.PAID:
            return Outcome.REPEATED, state.trade_status
        # A trade we had closed (its cashier timed out, the gateway was down at start)
        # may still have been paid: the money was taken, so it is recorded all the same.
        _paid_apply(payment, trades, state, via=via)
        return Outcome.ACCEPTED, state.trade_status
    if state.trade_status == TRADE_CLOSED and payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.CLOSED
        payment.save(update_fields=["status", "updated_at"])
        event_record(payment=payment, kind=K.CLOSED, payload={"via": via})
    return Outcome.IGNORED_STATUS, state.trade_status


def _notification_log(
    *,
    provider_code: str,
    params: Mapping[str, str],
    outcome: str,
    detail: str = "",
    payment_id: int | None = None,
    channel: str = NotificationChannel.NOTIFY,
) -> PaymentNotification:
    if outcome not in ANSWERED_SUCCESS:
        logger.warning(
            "payment %s from %s refused (%s): %s trade %s",
            channel,
            provider_code,
            outcome,
            detail,
            params.get("out_trade_no", ""),
        )
    return PaymentNotification.objects.create(
        provider=provider_code[:32],
        channel=channel,
        notify_id=str(params.get("notify_id", ""))[:128],
        out_trade_no=str(params.get("out_trade_no", ""))[:64],
        params=dict(params),
        outcome=outcome,
        detail=detail[:300],
        payment_id=payment_id,
        needs_attention=outcome == Outcome.REFUSED_AMOUNT,
    )


def notification_receive(*, provider_code: str, params: Mapping[str, str]) -> str:
    """Handle one asynchronous notification from the gateway and give the body to answer:
    "success" when it is handled (now or before), "failure" otherwise, so the gateway
    sends it again. Every call leaves a PaymentNotification row, forged ones included.

    Checked in order: the gateway's signature, app_id, seller_id, that the trade is
    ours, and total_amount to the fen. Only TRADE_SUCCESS and TRADE_FINISHED pay.
    Idempotent on notify_id and on the trade: a replay changes nothing.
    """
    params = {str(key): str(value) for key, value in params.items()}

    def log(outcome: str, detail: str = "", payment_id: int | None = None) -> str:
        _notification_log(
            provider_code=provider_code,
            params=params,
            outcome=outcome,
            detail=detail,
            payment_id=payment_id,
        )
        return SUCCESS if outcome in ANSWERED_SUCCESS else FAILURE

    try:
        provider = get_provider(provider_code)
    except GatewayError:
        return log(Outcome.REFUSED_SIGNATURE, "no such provider")
    try:
        state = provider.verify_notification(params)
    except SignatureInvalid as error:
        return log(Outcome.REFUSED_SIGNATURE, str(error) or "signature does not verify")
    except (ValueError, KeyError) as error:
        # Signed or not, a value we cannot read (an amount like "1e3") is not acted on.
        return log(Outcome.REFUSED_SIGNATURE, f"unreadable: {error}")
    if state.app_id != provider.app_id:
        return log(Outcome.REFUSED_APP, f"app_id {state.app_id!r}")
    if state.seller_id != provider.seller_id:
        return log(Outcome.REFUSED_SELLER, f"seller_id {state.seller_id!r}")
    known = (
        Payment.objects.filter(out_trade_no=state.out_trade_no, provider=provider.code)
        .values_list("pk", flat=True)
        .first()
    )
    if known is None:
        return log(Outcome.REFUSED_UNKNOWN_TRADE, f"out_trade_no {state.out_trade_no!r}")
    if (
        state.notify_id
        and PaymentNotification.objects.filter(
            provider=provider.code, notify_id=state.notify_id, outcome=Outcome.ACCEPTED
        ).exists()
    ):
        return log(Outcome.REPEATED, "notify_id already accepted", known)
    try:
        with transaction.atomic():
            payment, trades = _lock_trade(known)
            outcome, detail = _trade_state_apply(payment, trades, state, via="notification")
            _notification_log(
                provider_code=provider.code,
                params=params,
                outcome=outcome,
                detail=detail,
                payment_id=payment.pk,
            )
    except Exception as error:
        logger.exception("payment notification for %s not recorded", state.out_trade_no)
        return log(Outcome.FAILED, _error_text(error), known)
    return SUCCESS if outcome in ANSWERED_SUCCESS else FAILURE


def payment_confirm(*, payment_id: int) -> Payment:
    """Ask the gateway about the trade and record what it says: paid (exactly as a
    notification would), or closed. For the browser's return and for notifications
    that are late. Raises GatewayUnavailable when the gateway cannot be asked."""
    payment = Payment.objects.get(pk=payment_id)
    provider = get_provider(payment.provider)
    state = provider.query_trade(payment.out_trade_no)
    if state is None:
        opened = payment.cashier_opened_at or payment.created_at
        abandoned = opened < timezone.now() - datetime.timedelta(
            minutes=2 * CASHIER_TIMEOUT_MINUTES
        )
        if payment.status == PaymentStatus.PENDING and abandoned:
            # The gateway never heard of it and its cashier has long timed out.
            with transaction.atomic():
                payment, _trades = _lock_trade(payment.pk)
                if payment.status == PaymentStatus.PENDING:
                    payment.status = PaymentStatus.CLOSED
                    payment.save(update_fields=["status", "updated_at"])
                    event_record(payment=payment, kind=K.CLOSED, payload={"via": "query"})
        return payment
    with transaction.atomic():
        payment, trades = _lock_trade(payment.pk)
        outcome: str
        if state.app_id and state.app_id != provider.app_id:
            outcome, detail = Outcome.REFUSED_APP, f"app_id {state.app_id!r}"
        elif state.seller_id and state.seller_id != provider.seller_id:
            outcome, detail = Outcome.REFUSED_SELLER, f"seller_id {state.seller_id!r}"
        else:
            outcome, detail = _trade_state_apply(payment, trades, state, via="query")
        if outcome not in ANSWERED_SUCCESS:
            _notification_log(
                provider_code=provider.code,
                params={"out_trade_no": payment.out_trade_no, "trade_status": state.trade_status},
                outcome=outcome,
                detail=detail,
                payment_id=payment.pk,
                channel=NotificationChannel.QUERY,
            )
    return payment


def payment_return_verify(*, provider_code: str, params: Mapping[str, str]) -> Payment | None:
    """The payer's browser back from the cashier with signed parameters. A return is
    not proof of payment: a valid one leads to a query to the gateway (payment_confirm).
    None when the signature does not hold or the trade is not ours (logged). The caller
    checks that the payment belongs to whoever is looking."""
    params = {str(key): str(value) for key, value in params.items()}

    def refuse(outcome: str, detail: str) -> None:
        _notification_log(
            provider_code=provider_code,
            params=params,
            outcome=outcome,
            detail=detail,
            channel=NotificationChannel.RETURN,
        )

    try:
        provider = get_provider(provider_code)
        out_trade_no = provider.verify_return(params)
    except (GatewayError, ValueError, KeyError) as error:
        refuse(Outcome.REFUSED_SIGNATURE, str(error) or "signature does not verify")
        return None
    payment = Payment.objects.filter(out_trade_no=out_trade_no, provider=provider.code).first()
    if payment is None:
        refuse(Outcome.REFUSED_UNKNOWN_TRADE, f"out_trade_no {out_trade_no!r}")
        return None
    if payment.status != PaymentStatus.PAID:
        try:
            payment = payment_confirm(payment_id=payment.pk)
        except GatewayError as error:
            # The notification will come, or the late sweep will ask again.
            logger.info("return for %s: gateway not asked: %s", out_trade_no, error)
    return payment


# --- Refunds ---------------------------------------------------------------------------


def refund_issue(
    *, actor: User | None, payment: Payment, amount_fen: int, reason: str, kind: str
) -> Refund:
    """Order a refund of part or all of a paid payment. The refund row is written now and
    sent to the gateway after commit (task refund_attempt), retried until it succeeds.
    What is refunded or being refunded never exceeds what was paid. The caller checks
    who may order it (refund_order does, for supervisors)."""
    amount_fen = _require_amount(amount_fen)
    if kind not in RefundKind.values:
        raise ValueError(f"unknown refund kind {kind!r}")
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        payment, _trades = _lock_trade(payment.pk)
        if payment.status != PaymentStatus.PAID:
            raise ValidationError(_("Only a paid payment can be refunded."), code="not_paid")
        left = payment.amount_fen - _refunds_committed(payment)
        if amount_fen > left:
            raise ValidationError(
                {
                    "amount_fen": [
                        _("At most %(amount)s can still be refunded on this payment.")
                        % {"amount": f"¥{left // 100}.{left % 100:02d}"}
                    ]
                },
                code="too_much",
            )
        number = payment.refunds.count() + 1
        refund = Refund.objects.create(
            payment=payment,
            out_request_no=f"{payment.out_trade_no}R{number:02d}",
            amount_fen=amount_fen,
            reason=reason,
            kind=kind,
            source_account=(
                ledger.agency_account(payment.agency_id) if payment.settled_at else ledger.ESCROW
            ),
            next_attempt_at=timezone.now(),
            ordered_by=actor,
        )
        event_record(
            payment=payment,
            kind=K.REFUND_ORDERED,
            actor=actor,
            payload={"refund_id": refund.pk, "amount_fen": amount_fen, "kind": kind},
        )
        refund_id = refund.pk

        def send() -> None:
            from govstore.payments.tasks import refund_attempt as refund_attempt_task

            refund_attempt_task.delay(refund_id)

        transaction.on_commit(send)
    return refund


def refund_retry_delay(attempts: int) -> datetime.timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 5, 15, 60 minutes, then
    every hour."""
    index = max(attempts, 1) - 1
    minutes = REFUND_RETRY_MINUTES[index] if index < len(REFUND_RETRY_MINUTES) else 60
    return datetime.timedelta(minutes=minutes)


def _gateway_reason(refund: Refund) -> str:
    if refund.reason:
        return refund.reason
    with translation.override("zh-hans"):
        return str(RefundKind(refund.kind).label)


def refund_attempt(*, refund_id: int) -> Refund:
    """Send the refund to the gateway (again: its out_request_no makes a repeat refund
    once) and record the answer. A failure is recorded with the next try's time; the
    refund stays open on the staff's refunds page until it succeeds."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    payment = refund.payment
    try:
        done = get_provider(payment.provider).refund(
            out_trade_no=payment.out_trade_no,
            out_request_no=refund.out_request_no,
            amount_fen=refund.amount_fen,
            reason=_gateway_reason(refund),
        )
    except GatewayError as error:
        return _refund_failed(refund_id, error)
    logger.info(
        "refund %s done; gateway total refunded %s fen",
        refund.out_request_no,
        done.refunded_total_fen,
    )
    return _refund_succeeded(refund_id)


def _refund_succeeded(refund_id: int) -> Refund:
    with transaction.atomic():
        payment_id = Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id)
        payment, _trades = _lock_trade(payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        now = timezone.now()
        refund.status = RefundStatus.SUCCEEDED
        refund.succeeded_at = now
        refund.attempts += 1
        refund.last_error = ""
        refund.next_attempt_at = None
        refund.save(
            update_fields=["status", "succeeded_at", "attempts", "last_error", "next_attempt_at"]
        )
        ledger.entry_record(
            payment=payment,
            refund=refund,
            kind=JournalKind.REFUND,
            from_account=refund.source_account,
            to_account=ledger.payer_account(payment.payer_id),
            amount_fen=refund.amount_fen,
        )
        Payment.objects.filter(pk=payment.pk).update(
            refunded_fen=F("refunded_fen") + refund.amount_fen, updated_at=now
        )
        payment.refresh_from_db(fields=["refunded_fen", "updated_at"])
        refund.payment = payment
        event_record(
            payment=payment,
            kind=K.REFUND_SUCCEEDED,
            payload={"refund_id": refund.pk, "amount_fen": refund.amount_fen},
        )
        if payment.is_accepted:
            payable_handler(payment.purpose).on_refunded(
                payable_id=payment.payable_id, refund=refund
            )
    return refund


def _refund_failed(refund_id: int, error: GatewayError) -> Refund:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        refund.attempts += 1
        refund.last_error = _error_text(error)
        refund.next_attempt_at = timezone.now() + refund_retry_delay(refund.attempts)
        refund.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        event_record(
            payment=refund.payment,
            kind=K.REFUND_FAILED,
            payload={
                "refund_id": refund.pk,
                "attempts": refund.attempts,
                "error": refund.last_error,
            },
        )
    logger.warning("refund %s failed (try %d): %s", refund.out_request_no, refund.attempts, error)
    return refund


def refund_order(
    *, actor: User, purpose: str, payable_id: str, amount_fen: int, reason: str
) -> Refund:
    """A supervisor orders a refund after a complaint: part or all of what the payable's
    accepted payment has left, even after it was settled to the agency (then the money
    comes back from the agency's account)."""
    if (
        not actor.is_authenticated
        or not actor.is_active
        or getattr(actor, "kind", None) != AccountKind.SUPERVISOR
    ):
        raise PermissionDenied(_("Only a supervisor can order a refund after a complaint."))
    reason = _clean_reason(reason, required=True)
    from govstore.payments.selectors import payment_accepted_for

    payment = payment_accepted_for(purpose=purpose, payable_id=str(payable_id))
    if payment is None:
        raise ValidationError(_("Nothing has been paid for this, so nothing can be refunded."))
    return refund_issue(
        actor=actor,
        payment=payment,
        amount_fen=amount_fen,
        reason=reason,
        kind=RefundKind.COMPLAINT,
    )


# --- Settlement ------------------------------------------------------------------------


def payment_settle(*, purpose: str, payable_id: str) -> JournalEntry | None:
    """On completion, pay the agency what escrow holds for the payable's accepted
    payment (its amount less what is refunded or being refunded). Idempotent: a second
    call returns the same entry. None when nothing was paid or nothing remains."""
    with transaction.atomic():
        trades = _lock_payable(purpose, str(payable_id))
        payment = next((trade for trade in trades if trade.is_accepted), None)
        if payment is None:
            return None
        if payment.settled_at is not None:
            return payment.journal.filter(kind=JournalKind.SETTLEMENT).first()
        remaining = payment.amount_fen - _refunds_committed(payment)
        payment.settled_at = timezone.now()
        payment.save(update_fields=["settled_at", "updated_at"])
        entry = None
        if remaining > 0:
            entry = ledger.entry_record(
                payment=payment,
                kind=JournalKind.SETTLEMENT,
                from_account=ledger.ESCROW,
                to_account=ledger.agency_account(payment.agency_id),
                amount_fen=remaining,
            )
        event_record(payment=payment, kind=K.SETTLED, payload={"amount_fen": remaining})
    return entry


# --- Sweeps ----------------------------------------------------------------------------


def refunds_retry_due_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queue another attempt for every open refund whose next try is due."""
    from govstore.payments.tasks import refund_attempt as refund_attempt_task

    now = now or timezone.now()
    due = list(
        Refund.objects.filter(status=RefundStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    for refund_id in due:
        refund_attempt_task.delay(refund_id)
    return len(due)


def payments_query_late_sweep(*, now: datetime.datetime | None = None) -> int:
    """Ask the gateway about trades sent to the cashier a while ago whose notification
    has not come: a lost notification must not leave a paid payable unpaid."""
    now = now or timezone.now()
    late = datetime.timedelta(minutes=int(settings.PAYMENTS_LATE_NOTIFICATION_MINUTES))
    pending = list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING,
            cashier_opened_at__lte=now - late,
            cashier_opened_at__gte=now - LATE_QUERY_MAX_AGE,
        )
        .order_by("cashier_opened_at", "pk")
        .values_list("pk", flat=True)
    )
    asked = 0
    for payment_id in pending:
        try:
            payment_confirm(payment_id=payment_id)
        except GatewayError as error:
            logger.warning("late payment %s not asked: %s", payment_id, error)
            continue
        asked += 1
    return asked
