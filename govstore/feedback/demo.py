"""Six months of past work for the demo store, so the supervision dashboards, the
store's public figures and its ratings have something to show: finished applications
(most inside their promise, some late, a few rejected), a handful still in the queue
(two overdue), ratings with their comments and replies, and complaints at every stage.

The rows are written directly with their past dates (the services stamp the present
time), from a fixed random seed, so every demo shows the same history. They belong to
demo citizens of their own (mobiles 1370000xxxx), never to the accounts people sign in
with, so the demo journeys start from a clean slate. Loading again changes nothing.
"""

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.applications.constants import ApplicationEventKind, ApplicationStatus
from govstore.applications.models import Application, ApplicationEvent
from govstore.applications.services import (
    fee_snapshot_build,
    form_snapshot_build,
    service_snapshot_build,
)
from govstore.catalog.calendar import add_working_days
from govstore.catalog.fees import service_price
from govstore.catalog.models import Service
from govstore.feedback.constants import (
    ACKNOWLEDGE_WORKING_DAYS,
    ANSWER_WORKING_DAYS,
    FOLLOW_UP_AT_OR_BELOW,
    ComplaintCategory,
    ComplaintEventKind,
    ComplaintResolution,
    ComplaintStatus,
    FollowUpStatus,
)
from govstore.feedback.models import Complaint, ComplaintEvent, FollowUp, Rating
from govstore.feedback.services import store_rating_refresh
from govstore.stores.models import Store

REFERENCE_PREFIX = "GS-H"
CITIZEN_MOBILE_PREFIX = "1370000"
CITIZENS = 60
DAYS = 182
SEED = 2013  # the year the first government store opened on a marketplace

_COMMENTS = (
    ("办理很快，快递第二天就到了。", "Quick: the courier brought it the next day."),
    (
        "客服回复及时，照片要求讲得很清楚。",
        "Customer service answered fast and explained the photos.",
    ),
    ("比去窗口排队方便多了。", "Much easier than queuing at the counter."),
    ("等了很久才审核。", "The review took a long time."),
    ("", ""),
)
_REPLY = "感谢您的评价，我们会继续改进。"
_COMPLAINTS = (
    (ComplaintCategory.DELAY, "承诺5个工作日，实际用了9个工作日才寄出。"),
    (ComplaintCategory.STAFF_CONDUCT, "客服在聊天中语气不耐烦。"),
    (ComplaintCategory.FEE_NOT_AS_PUBLISHED, "快递费比页面上写的多了2元。"),
    (ComplaintCategory.WRONG_OR_DAMAGED, "收到的号牌边角有划痕。"),
    (ComplaintCategory.OTHER, "希望增加周末自取时间。"),
    (ComplaintCategory.PERSONAL_DATA, "我没有同意却收到了营销短信。"),
    (ComplaintCategory.DELAY, "审核超过了承诺时间。"),
)


def _answers_for(service: Service) -> dict[str, str]:
    """Answers that pick one price variant (car plates rather than motorcycle ones)."""
    conditional = [line for line in service_price(service=service).lines if line.is_conditional]
    if not conditional:
        return {}
    return {conditional[0].condition_field: conditional[0].condition_value}


def _citizens() -> list[User]:
    people = []
    for n in range(1, CITIZENS + 1):
        mobile = f"{CITIZEN_MOBILE_PREFIX}{n:04d}"
        user = User.objects.filter(mobile=mobile).first()
        if user is None:
            # No password: these people exist only so the history has applicants.
            user = User.objects.create_user(mobile, None, kind=AccountKind.CITIZEN)
        people.append(user)
    return people


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time during office hours on that day."""
    moment = datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
    return timezone.make_aware(moment)


def load_history_demo(*, store: Store, today: datetime.date | None = None) -> int:
    """Write the history once; returns how many applications it added (0 when loaded)."""
    if Application.objects.filter(reference__startswith=REFERENCE_PREFIX).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    region = store.agency.region
    services = list(Service.objects.filter(store=store).order_by("pk"))
    if not services:
        return 0
    priced = {}
    for service in services:
        answers = _answers_for(service)
        lines, total = fee_snapshot_build(service, answers)
        priced[service.pk] = (answers, lines, total, service_snapshot_build(service))
    with transaction.atomic():
        people = _citizens()
        made = 0
        for back in range(DAYS, 0, -1):
            day = today - datetime.timedelta(days=back)
            if day.weekday() >= 5 and rng.random() < 0.7:
                continue
            for _n in range(rng.choice((0, 1, 1, 2, 2, 3))):
                made += 1
                _application(
                    store=store,
                    service=rng.choice(services),
                    citizen=rng.choice(people),
                    day=day,
                    today=today,
                    number=made,
                    priced=priced,
                    region=region,
                    rng=rng,
                )
        _complaints(store=store, today=today, region=region, rng=rng)
        store_rating_refresh(store=Store.objects.select_for_update().get(pk=store.pk))
        store.completed_deal_count = Application.objects.filter(
            store=store, status=ApplicationStatus.COMPLETED
        ).count()
        Store.objects.filter(pk=store.pk).update(completed_deal_count=store.completed_deal_count)
    return made


def _application(
    *,
    store: Store,
    service: Service,
    citizen: User,
    day: datetime.date,
    today: datetime.date,
    number: int,
    priced: dict[int, Any],
    region: Any,
    rng: random.Random,
) -> None:
    answers, lines, total, snapshot = priced[service.pk]
    submitted_at = _at(day, rng)
    promise = service.processing_working_days
    due_on = add_working_days(region, day, promise)
    # Most cases are made inside the promise; about one in eight runs late.
    took = rng.randint(1, promise) if rng.random() > 0.12 else promise + rng.randint(1, 4)
    ready_on = add_working_days(region, day, took)
    rejected = rng.random() < 0.05
    status: str = ApplicationStatus.COMPLETED
    made_at = _at(ready_on, rng)
    ready_at: datetime.datetime | None = made_at
    completed_at: datetime.datetime | None = made_at + datetime.timedelta(days=rng.randint(1, 3))
    if rejected:
        status, completed_at = ApplicationStatus.REJECTED, None
    elif ready_on >= today:
        # Still in the queue: not made yet.
        status, ready_at, completed_at = ApplicationStatus.IN_PRODUCTION, None, None
    elif completed_at is not None and completed_at.date() >= today:
        status, completed_at = ApplicationStatus.READY_FOR_PICKUP, None
    application = Application.objects.create(
        reference=f"{REFERENCE_PREFIX}-{day:%Y%m%d}-{number:05d}",
        citizen=citizen,
        service=service,
        store=store,
        status=status,
        service_snapshot=snapshot,
        form_snapshot=form_snapshot_build(service),
        fee_snapshot=lines,
        total_fen=total,
        answers=answers,
        delivery_method="pickup",
        due_on=due_on,
        payment_requested_at=submitted_at - datetime.timedelta(minutes=5),
        submitted_at=submitted_at,
        ready_at=ready_at,
        completed_at=completed_at,
        decision_reason="照片与身份证信息不一致。" if rejected else "",
    )
    Application.objects.filter(pk=application.pk).update(created_at=submitted_at)
    events: list[tuple[str, str, str, datetime.datetime]] = [
        (ApplicationEventKind.PAID, "", ApplicationStatus.SUBMITTED, submitted_at)
    ]
    if ready_at is not None:
        end = ApplicationEventKind.REJECTED if rejected else ApplicationEventKind.PRODUCTION_DONE
        events.append((end, "", status if rejected else "ready_for_pickup", ready_at))
    if completed_at is not None:
        events.append((ApplicationEventKind.COMPLETED, "ready_for_pickup", status, completed_at))
    for kind, from_status, to_status, at in events:
        event = ApplicationEvent.objects.create(
            application=application, kind=kind, from_status=from_status, to_status=to_status
        )
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=at)
    if completed_at is not None and rng.random() < 0.6:
        _rating(application, completed_at=completed_at, late=took > promise, rng=rng)


def _rating(
    application: Application, *, completed_at: datetime.datetime, late: bool, rng: random.Random
) -> None:
    store = application.store
    month = completed_at.replace(day=1, hour=0, minute=0)
    if (
        Rating.objects.filter(
            citizen=application.citizen, store=store, created_at__gte=month
        ).count()
        >= 3
    ):
        return
    good = (5, 5, 5, 4, 4, 3)
    delivery = rng.choice((2, 3, 1)) if late else rng.choice(good)
    comment = rng.choice(_COMMENTS[3:] if late else _COMMENTS)[0]
    created_at = min(
        completed_at + datetime.timedelta(hours=rng.randint(2, 72)),
        timezone.now() - datetime.timedelta(hours=1),
    )
    rating = Rating.objects.create(
        application=application,
        store=store,
        citizen=application.citizen,
        description=rng.choice(good),
        service=rng.choice(good),
        delivery=delivery,
        comment=comment,
        created_at=created_at,
        reply=_REPLY if comment and rng.random() < 0.5 else "",
        replied_at=created_at + datetime.timedelta(days=1) if comment else None,
    )
    if rating.lowest <= FOLLOW_UP_AT_OR_BELOW:
        old = created_at < timezone.now() - datetime.timedelta(days=20)
        FollowUp.objects.create(
            rating=rating,
            store=store,
            created_at=created_at,
            status=FollowUpStatus.CLOSED if old else FollowUpStatus.OPEN,
            closed_at=created_at + datetime.timedelta(days=2) if old else None,
            note="已致电申请人说明原因并道歉。" if old else "",
        )


def _complaints(*, store: Store, today: datetime.date, region: Any, rng: random.Random) -> None:
    finished = list(
        Application.objects.filter(
            store=store,
            reference__startswith=REFERENCE_PREFIX,
            status=ApplicationStatus.COMPLETED,
        ).order_by("submitted_at")
    )
    if not finished:
        return
    step = max(1, len(finished) // (len(_COMPLAINTS) + 1))
    for index, (category, text) in enumerate(_COMPLAINTS):
        # The last two go to the most recent cases, so some complaints are still open.
        last = len(_COMPLAINTS) - index
        position = len(finished) - last if last <= 2 else (index + 1) * step
        application = finished[max(0, min(len(finished) - 1, position))]
        assert application.completed_at is not None
        filed_at = min(
            application.completed_at + datetime.timedelta(days=1),
            timezone.now() - datetime.timedelta(hours=1),
        )
        filed_on = timezone.localdate(filed_at)
        complaint = Complaint(
            reference=f"TS-H-{filed_on:%Y%m%d}-{index + 1:04d}",
            citizen=application.citizen,
            store=store,
            application=application,
            category=category,
            text=text,
            filed_at=filed_at,
            acknowledge_due_on=add_working_days(region, filed_on, ACKNOWLEDGE_WORKING_DAYS),
            answer_due_on=add_working_days(region, filed_on, ANSWER_WORKING_DAYS),
        )
        recent = filed_on > today - datetime.timedelta(days=10)
        if not recent:
            took = rng.randint(1, 7)
            complaint.acknowledged_at = filed_at + datetime.timedelta(hours=rng.randint(2, 20))
            complaint.answer = "已核实情况，向您致歉，并已改进流程。"
            complaint.answered_at = filed_at + datetime.timedelta(days=took)
            complaint.status = ComplaintStatus.CLOSED
            complaint.resolution = ComplaintResolution.ACCEPTED
            complaint.closed_at = complaint.answered_at + datetime.timedelta(days=1)
        elif index % 2:
            complaint.acknowledged_at = filed_at + datetime.timedelta(hours=3)
            complaint.status = ComplaintStatus.ACKNOWLEDGED
        complaint.save()
        steps: list[tuple[str, str, str, datetime.datetime, User | None]] = [
            (ComplaintEventKind.FILED, "", ComplaintStatus.FILED, filed_at, complaint.citizen)
        ]
        if complaint.acknowledged_at is not None:
            steps.append(
                (
                    ComplaintEventKind.ACKNOWLEDGED,
                    ComplaintStatus.FILED,
                    ComplaintStatus.ACKNOWLEDGED,
                    complaint.acknowledged_at,
                    None,
                )
            )
        for kind, from_status, to_status, at, actor in steps:
            event = ComplaintEvent.objects.create(
                complaint=complaint,
                kind=kind,
                from_status=from_status,
                to_status=to_status,
                actor=actor,
            )
            ComplaintEvent.objects.filter(pk=event.pk).update(created_at=at)
