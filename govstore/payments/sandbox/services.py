"""What the sandbox gateway does, in Alipay's terms: open a trade from a signed page-pay
request, take the citizen's payment at the cashier, answer trade queries, refunds and
closes, and notify the merchant until it answers "success".

Every answer the merchant gets is signed with the gateway's key and every request it
sends is checked against the merchant's public key, so the merchant's code runs the same
path against the sandbox as against Alipay."""

import datetime
import json
import logging
import secrets
import urllib.parse
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from govstore.core import http
from govstore.payments import alipay
from govstore.payments.sandbox.models import (
    SandboxNotification,
    SandboxRefund,
    SandboxRefusal,
    SandboxTrade,
    TradeStatus,
)

logger = logging.getLogger(__name__)

# Alipay's notification schedule: the first try at once, then these gaps (8 tries in
# all, about 25 hours).
RETRY_DELAYS = (
    datetime.timedelta(minutes=4),
    datetime.timedelta(minutes=10),
    datetime.timedelta(minutes=10),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=15),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DEFAULT_TIMEOUT = datetime.timedelta(minutes=90)
MAX_TIMEOUT = datetime.timedelta(days=15)
MAX_TOTAL_FEN = 100_000_000_00
DOWN_CACHE_KEY = "payments_sandbox:gateway_down"
API_METHODS = ("alipay.trade.query", "alipay.trade.refund", "alipay.trade.close")
PAGE_PAY_METHOD = "alipay.trade.page.pay"


class RequestRefused(Exception):
    """The gateway says no, as Alipay would: a code, a sub-code and a reason."""

    def __init__(self, code: str, sub_code: str, sub_msg: str) -> None:
        super().__init__(f"{code} {sub_code}: {sub_msg}")
        self.code = code
        self.sub_code = sub_code
        self.sub_msg = sub_msg

    @property
    def msg(self) -> str:
        return "Invalid Arguments" if self.code == "40002" else "Business Failed"

    def as_response(self) -> dict[str, str]:
        return {
            "code": self.code,
            "msg": self.msg,
            "sub_code": self.sub_code,
            "sub_msg": self.sub_msg,
        }


def _business(sub_code: str, sub_msg: str) -> RequestRefused:
    return RequestRefused("40004", sub_code, sub_msg)


# --- Outage switch -----------------------------------------------------------------------


def sandbox_gateway_set_down(down: bool) -> None:
    """Simulate an outage: while down, gateway.do answers 503 to everyone."""
    if down:
        cache.set(DOWN_CACHE_KEY, True, timeout=None)
    else:
        cache.delete(DOWN_CACHE_KEY)


def sandbox_gateway_is_down() -> bool:
    return bool(cache.get(DOWN_CACHE_KEY, False))


# --- Keys and signed messages ------------------------------------------------------------


def gateway_private_key() -> bytes:
    return alipay.sandbox_keys()[1][0]


def merchant_public_key() -> bytes:
    return alipay.sandbox_keys()[0][1]


def signed_gateway_message(params: Mapping[str, str]) -> dict[str, str]:
    """Params as the gateway sends them to the merchant (browser return, notification):
    no empty values, `sign_type` and `sign` added."""
    message = {key: value for key, value in params.items() if value != ""}
    message["sign_type"] = alipay.SIGN_TYPE
    message["sign"] = alipay.sign_notification(message, gateway_private_key())
    return message


def request_verify(params: Mapping[str, str], *, methods: tuple[str, ...]) -> dict[str, Any]:
    """Check a merchant's request and give its biz_content. Refusals are recorded."""
    method = params.get("method", "")
    try:
        if params.get("app_id") != settings.PAYMENTS_SANDBOX_APP_ID:
            raise RequestRefused("40002", "isv.invalid-app-id", "The app_id is not known.")
        if not alipay.verify_request(params, merchant_public_key()):
            raise RequestRefused(
                "40002", "isv.invalid-signature", "The request's signature does not hold."
            )
        if method not in methods:
            raise RequestRefused("40002", "isv.invalid-method", "This method is not offered.")
        try:
            biz = json.loads(params.get("biz_content", ""))
        except ValueError:
            biz = None
        if not isinstance(biz, dict):
            raise RequestRefused("40002", "isv.invalid-parameter", "biz_content is not JSON.")
    except RequestRefused as refusal:
        SandboxRefusal.objects.create(
            method=method[:64],
            app_id=params.get("app_id", "")[:32],
            sub_code=refusal.sub_code,
            params=dict(params),
        )
        logger.warning("Sandbox gateway refused a request: %s", refusal)
        raise
    return {key: str(value) for key, value in biz.items()}


def _amount(text: str, name: str) -> int:
    try:
        amount = alipay.yuan_to_fen(text)
    except ValueError:
        raise _business("ACQ.INVALID_PARAMETER", f"{name} is not an amount.") from None
    if not 0 < amount <= MAX_TOTAL_FEN:
        raise _business("ACQ.INVALID_PARAMETER", f"{name} is out of range.")
    return amount


def _timeout(text: str) -> datetime.timedelta:
    """Alipay's timeout_express: "90m", "2h", "1d" ("1c" = until midnight is not needed)."""
    if not text:
        return DEFAULT_TIMEOUT
    units = {"m": "minutes", "h": "hours", "d": "days"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) < 1:
        raise _business("ACQ.INVALID_PARAMETER", "timeout_express is not understood.")
    return min(datetime.timedelta(**{units[unit]: int(number)}), MAX_TIMEOUT)


def _new_trade_no() -> str:
    today = timezone.localdate().strftime("%Y%m%d")
    return f"{today}22001{secrets.randbelow(10**15):015d}"


def _new_buyer_id() -> str:
    return f"2088{secrets.randbelow(10**12):012d}"


# --- Cashier -----------------------------------------------------------------------------


def trade_open(*, params: Mapping[str, str]) -> SandboxTrade:
    """The cashier's first step: a verified page-pay request opens the trade (or finds the
    one opened before for the same out_trade_no, if it says the same thing)."""
    biz = request_verify(params, methods=(PAGE_PAY_METHOD,))
    out_trade_no = biz.get("out_trade_no", "")
    subject = biz.get("subject", "")
    if not out_trade_no or len(out_trade_no) > 64 or not subject:
        raise _business("ACQ.INVALID_PARAMETER", "out_trade_no and subject are required.")
    total_fen = _amount(biz.get("total_amount", ""), "total_amount")
    timeout = _timeout(biz.get("timeout_express", ""))
    return_url = params.get("return_url", "")
    if not return_url.startswith(("http://", "https://")):
        raise _business("ACQ.INVALID_PARAMETER", "return_url is required.")
    notify_url = params.get("notify_url", "")
    app_id = params["app_id"]
    with transaction.atomic():
        trade = (
            SandboxTrade.objects.select_for_update()
            .filter(app_id=app_id, out_trade_no=out_trade_no)
            .first()
        )
        if trade is None:
            try:
                with transaction.atomic():
                    return SandboxTrade.objects.create(
                        app_id=app_id,
                        out_trade_no=out_trade_no,
                        trade_no=_new_trade_no(),
                        total_fen=total_fen,
                        subject=subject[:256],
                        seller_id=settings.PAYMENTS_SANDBOX_SELLER_ID,
                        notify_url=notify_url,
                        return_url=return_url,
                        expires_at=timezone.now() + timeout,
                    )
            except IntegrityError:
                # The same request opened twice at once: the other one won.
                trade = SandboxTrade.objects.select_for_update().get(
                    app_id=app_id, out_trade_no=out_trade_no
                )
        if trade.total_fen != total_fen or trade.subject != subject[:256]:
            raise _business(
                "ACQ.CONTEXT_INCONSISTENT", "This out_trade_no was opened with other details."
            )
        return trade


def _expire_if_due(trade: SandboxTrade, now: datetime.datetime) -> None:
    """An unpaid trade past its timeout closes, as Alipay closes it."""
    if trade.status == TradeStatus.WAIT_BUYER_PAY and trade.expires_at <= now:
        trade.status = TradeStatus.TRADE_CLOSED
        trade.gmt_close = now
        trade.save(update_fields=["status", "gmt_close"])


def trade_pay(*, trade_no: str) -> tuple[SandboxTrade, str]:
    """The citizen pays at the cashier: the trade succeeds, a notification is queued for
    after commit, and the browser goes back to the merchant with signed return params.
    Raises RequestRefused when the trade can no longer be paid."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(trade_no=trade_no).first()
        if trade is None:
            raise _business(alipay.TRADE_NOT_EXIST, "No such trade.")
        now = timezone.now()
        _expire_if_due(trade, now)
        payable = trade.status == TradeStatus.WAIT_BUYER_PAY
        if payable:
            _trade_take_payment(trade, now)
    if not payable:
        # Raised outside the transaction so that closing an expired trade is kept.
        raise _business("ACQ.TRADE_STATUS_ERROR", "This trade cannot be paid.")
    return trade, _return_redirect(trade, now)


def _trade_take_payment(trade: SandboxTrade, now: datetime.datetime) -> None:
    """Inside the transaction that holds the trade's row lock."""
    trade.status = TradeStatus.TRADE_SUCCESS
    trade.buyer_id = _new_buyer_id()
    trade.gmt_payment = now
    trade.save(update_fields=["status", "buyer_id", "gmt_payment"])
    notification = _notification_queue(trade=trade, now=now)
    if notification is not None:
        notification_pk = notification.pk

        def deliver() -> None:
            # tasks.py builds on this module; importing it here avoids the cycle.
            from govstore.payments.sandbox.tasks import sandbox_notification_deliver

            sandbox_notification_deliver.delay(notification_pk)

        transaction.on_commit(deliver)


def _return_redirect(trade: SandboxTrade, now: datetime.datetime) -> str:
    message = signed_gateway_message(
        {
            "method": "alipay.trade.page.pay.return",
            "app_id": trade.app_id,
            "auth_app_id": trade.app_id,
            "charset": alipay.CHARSET,
            "version": alipay.VERSION,
            "timestamp": alipay.format_time(now),
            "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no,
            "total_amount": alipay.fen_to_yuan(trade.total_fen),
            "seller_id": trade.seller_id,
        }
    )
    return _with_query(trade.return_url, message)


def _with_query(url: str, params: Mapping[str, str]) -> str:
    separator = "&" if "?" in url else "?"
    return url + separator + urllib.parse.urlencode(params)


def trade_cancel(*, trade_no: str) -> str:
    """The citizen walks away from the cashier: nothing changes (the trade stays open
    until it times out or the merchant closes it) and the browser goes back to the
    merchant's return URL with nothing signed, as Alipay sends nothing either."""
    trade = SandboxTrade.objects.filter(trade_no=trade_no).first()
    if trade is None:
        raise _business(alipay.TRADE_NOT_EXIST, "No such trade.")
    return trade.return_url


# --- Notifications -----------------------------------------------------------------------


def _notification_queue(
    *, trade: SandboxTrade, now: datetime.datetime
) -> SandboxNotification | None:
    if not trade.notify_url:
        return None
    notify_id = secrets.token_hex(16)
    params = signed_gateway_message(
        {
            "notify_time": alipay.format_time(now),
            "notify_type": "trade_status_sync",
            "notify_id": notify_id,
            "app_id": trade.app_id,
            "auth_app_id": trade.app_id,
            "charset": alipay.CHARSET,
            "version": alipay.VERSION,
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_id": trade.buyer_id,
            "seller_id": trade.seller_id,
            "trade_status": trade.status,
            "total_amount": alipay.fen_to_yuan(trade.total_fen),
            "receipt_amount": alipay.fen_to_yuan(trade.total_fen),
            "buyer_pay_amount": alipay.fen_to_yuan(trade.total_fen),
            "subject": trade.subject,
            "gmt_create": alipay.format_time(trade.gmt_create),
            "gmt_payment": alipay.format_time(trade.gmt_payment or now),
        }
    )
    return SandboxNotification.objects.create(
        notify_id=notify_id,
        trade=trade,
        url=trade.notify_url,
        params=params,
        next_attempt_at=now,
    )


def notification_deliver(*, notification_id: int, now: datetime.datetime | None = None) -> bool:
    """One try at delivering a due notification. The try is claimed first by moving its
    next attempt to when the schedule says (a conditional update), so a sweep and the
    first on-commit try never post the same attempt twice and a try cut short by a crash
    is simply retried on schedule. True when the merchant answered "success"."""
    now = now or timezone.now()
    notification = SandboxNotification.objects.filter(pk=notification_id).first()
    if (
        notification is None
        or notification.delivered_at is not None
        or notification.next_attempt_at is None
        or notification.next_attempt_at > now
    ):
        return False
    attempt = notification.attempts + 1
    next_attempt_at = now + RETRY_DELAYS[attempt - 1] if attempt < MAX_ATTEMPTS else None
    claimed = SandboxNotification.objects.filter(
        pk=notification.pk,
        attempts=notification.attempts,
        delivered_at__isnull=True,
        next_attempt_at=notification.next_attempt_at,
    ).update(attempts=attempt, next_attempt_at=next_attempt_at, last_attempt_at=now)
    if not claimed:
        return False
    try:
        answer = http.post(notification.url, form=notification.params)
        outcome = answer.text if answer.status == 200 else f"HTTP {answer.status}"
    except http.HttpUnavailable as exc:
        outcome = f"unreachable: {exc}"
    delivered = outcome == "success"
    changes: dict[str, Any] = {"last_answer": outcome[:200]}
    if delivered:
        changes.update(delivered_at=now, next_attempt_at=None)
    SandboxNotification.objects.filter(pk=notification.pk).update(**changes)
    if not delivered:
        logger.info(
            "Notification %s try %s not accepted: %s", notification.notify_id, attempt, outcome
        )
    return delivered


def notifications_send_due(*, now: datetime.datetime | None = None) -> int:
    """Every notification due by `now` gets one try. Returns how many were delivered."""
    now = now or timezone.now()
    due = SandboxNotification.objects.filter(
        delivered_at__isnull=True, next_attempt_at__lte=now
    ).values_list("pk", flat=True)
    delivered = 0
    for notification_id in list(due.order_by("next_attempt_at", "pk")[:500]):
        try:
            delivered += notification_deliver(notification_id=notification_id, now=now)
        except Exception:
            # One merchant's broken endpoint must not hold up the others.
            logger.exception("Delivering sandbox notification %s failed.", notification_id)
    return delivered


# --- gateway.do API ----------------------------------------------------------------------


def _trade_for(app_id: str, biz: Mapping[str, str], *, lock: bool) -> SandboxTrade:
    trades = SandboxTrade.objects.filter(app_id=app_id)
    if lock:
        trades = trades.select_for_update()
    if biz.get("trade_no"):
        trade = trades.filter(trade_no=biz["trade_no"]).first()
    elif biz.get("out_trade_no"):
        trade = trades.filter(out_trade_no=biz["out_trade_no"]).first()
    else:
        raise _business("ACQ.INVALID_PARAMETER", "out_trade_no or trade_no is required.")
    if trade is None:
        raise _business(alipay.TRADE_NOT_EXIST, "No such trade.")
    return trade


def api_call(*, params: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """Answer one gateway.do API call: (response key, response object). Refusals are
    answered in the same shape, never raised."""
    method = params.get("method", "")
    key = (method.replace(".", "_") + "_response") if method else "error_response"
    try:
        biz = request_verify(params, methods=API_METHODS)
        app_id = params["app_id"]
        if method == "alipay.trade.query":
            return key, _trade_query(app_id, biz)
        if method == "alipay.trade.refund":
            return key, _trade_refund(app_id, biz)
        return key, _trade_close(app_id, biz)
    except RequestRefused as refusal:
        return key, refusal.as_response()


def _success(**fields: str) -> dict[str, str]:
    return {"code": alipay.SUCCESS_CODE, "msg": "Success", **fields}


def _trade_query(app_id: str, biz: Mapping[str, str]) -> dict[str, str]:
    with transaction.atomic():
        trade = _trade_for(app_id, biz, lock=True)
        _expire_if_due(trade, timezone.now())
    answer = _success(
        trade_no=trade.trade_no,
        out_trade_no=trade.out_trade_no,
        trade_status=trade.status,
        total_amount=alipay.fen_to_yuan(trade.total_fen),
        subject=trade.subject,
    )
    if trade.gmt_payment is not None:
        answer.update(
            buyer_user_id=trade.buyer_id,
            buyer_pay_amount=alipay.fen_to_yuan(trade.total_fen),
            receipt_amount=alipay.fen_to_yuan(trade.total_fen),
            send_pay_date=alipay.format_time(trade.gmt_payment),
        )
    return answer


def _trade_refund(app_id: str, biz: Mapping[str, str]) -> dict[str, str]:
    amount_fen = _amount(biz.get("refund_amount", ""), "refund_amount")
    # Alipay treats a refund without out_request_no as the full refund of the trade.
    out_request_no = biz.get("out_request_no") or ""
    with transaction.atomic():
        trade = _trade_for(app_id, biz, lock=True)
        request_no = out_request_no or trade.out_trade_no
        earlier = trade.refunds.filter(out_request_no=request_no).first()
        if earlier is not None:
            if earlier.amount_fen != amount_fen:
                raise _business(
                    "ACQ.INVALID_PARAMETER",
                    "This out_request_no was used for another amount.",
                )
            fund_change = "N"
        else:
            if trade.gmt_payment is None:
                raise _business("ACQ.TRADE_STATUS_ERROR", "The trade has not been paid.")
            if amount_fen > trade.remaining_fen:
                raise _business(
                    "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                    "The refund is more than what is left on the trade.",
                )
            SandboxRefund.objects.create(
                trade=trade,
                out_request_no=request_no,
                amount_fen=amount_fen,
                reason=biz.get("refund_reason", "")[:256],
            )
            trade.refunded_fen += amount_fen
            update = ["refunded_fen"]
            if trade.refunded_fen == trade.total_fen:
                trade.status = TradeStatus.TRADE_CLOSED
                trade.gmt_close = timezone.now()
                update += ["status", "gmt_close"]
            trade.save(update_fields=update)
            fund_change = "Y"
        refunded_at = (earlier.created_at if earlier else None) or timezone.now()
    return _success(
        trade_no=trade.trade_no,
        out_trade_no=trade.out_trade_no,
        buyer_user_id=trade.buyer_id,
        fund_change=fund_change,
        refund_fee=alipay.fen_to_yuan(trade.refunded_fen),
        gmt_refund_pay=alipay.format_time(refunded_at),
    )


def _trade_close(app_id: str, biz: Mapping[str, str]) -> dict[str, str]:
    with transaction.atomic():
        trade = _trade_for(app_id, biz, lock=True)
        if trade.status != TradeStatus.WAIT_BUYER_PAY:
            raise _business("ACQ.TRADE_STATUS_ERROR", "Only an unpaid trade can be closed.")
        trade.status = TradeStatus.TRADE_CLOSED
        trade.gmt_close = timezone.now()
        trade.save(update_fields=["status", "gmt_close"])
    return _success(trade_no=trade.trade_no, out_trade_no=trade.out_trade_no)
