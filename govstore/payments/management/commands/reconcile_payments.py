"""Compare our trades with the gateway for a range of days and print the differences.

    manage.py reconcile_payments                         # yesterday and today
    manage.py reconcile_payments --since 2026-11-01 --until 2026-11-24

Exits with status 1 when there are differences, so a scheduled run can alert.
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from govstore.payments.reconciliation import reconcile


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-11-24") from None


class Command(BaseCommand):
    help = "Compare payments with the gateway for a range of days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=_date)
        parser.add_argument("--until", type=_date)
        parser.add_argument("--provider", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        since = options["since"] or today - datetime.timedelta(days=1)
        until = options["until"] or today
        try:
            result = reconcile(since=since, until=until, provider_code=options["provider"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        for difference in result.differences:
            self.stdout.write(
                f"{difference.out_trade_no}\t{difference.what}\t"
                f"ours: {difference.ours}\tgateway: {difference.gateway}"
            )
        summary = (
            f"{result.checked} trades from {since} to {until} checked, "
            f"{len(result.differences)} differences"
            + (" (range truncated: run it for fewer days)" if result.truncated else "")
        )
        if result.differences:
            self.stderr.write(summary)
            raise SystemExit(1)
        self.stdout.write(summary)
