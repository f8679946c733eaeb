"""Check a lot's bid log: that each entry carries the hash of the one before and its
own content's hash, that the last is the one the lot records, and that the bids follow
the rules (minimums, priority matches, the 5-minute extension, the winner).

    manage.py verify_bid_log PM2026030112345678      # from the database
    manage.py verify_bid_log --file bid-log.json      # a published copy

Exit status 0 when the log holds, 1 with each problem listed otherwise."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govstore.auctions import bidlog
from govstore.auctions.models import Lot


class Command(BaseCommand):
    help = "Verify a lot's hash-chained bid log and the bidding rules it records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("lot", nargs="?", help="the lot number (or its id)")
        parser.add_argument("--file", help="a published bid log (JSON) instead of the database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            document = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            if document.get("format") != bidlog.FORMAT:
                raise CommandError(f"not a bid log: format {document.get('format')!r}")
            reference = str(document["lot"])
            verdict = bidlog.verify(
                lot_reference=reference, entries=document["entries"], head=document.get("head")
            )
        else:
            key = options["lot"]
            if not key:
                raise CommandError("give a lot number, or --file")
            lot = Lot.objects.filter(reference=key).first()
            if lot is None and key.isdigit():
                lot = Lot.objects.filter(pk=int(key)).first()
            if lot is None:
                raise CommandError(f"no lot {key!r}")
            reference = lot.reference
            verdict = bidlog.verify_lot(lot)
        if not verdict.ok:
            for problem in verdict.problems:
                self.stderr.write(f"{reference}: {problem}")
            raise CommandError(
                f"{reference}: the bid log does NOT hold ({len(verdict.problems)} problems)",
                returncode=1,
            )
        self.stdout.write(f"{reference}: {verdict.entries} entries, chain and rules hold")
        self.stdout.write(f"last hash {verdict.head}")
