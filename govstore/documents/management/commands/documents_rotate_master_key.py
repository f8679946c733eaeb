"""Re-wrap every document's data key under a new master key; files are not touched.

    manage.py documents_rotate_master_key --new-key-file /run/secrets/new-master.key
    manage.py documents_rotate_master_key --new-key-env NEW_DOCUMENTS_MASTER_KEY
    manage.py documents_rotate_master_key            # onto DOCUMENTS_MASTER_KEY itself
    manage.py documents_rotate_master_key --dry-run  # count, and prove every key opens

The old key is the configured one (DOCUMENTS_MASTER_KEY, and DOCUMENTS_MASTER_KEY_PREVIOUS
if set). Keys are read, never printed. Safe to interrupt and run again. The procedure is
in docs/privacy.md, "Master key".
"""

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govstore.documents.crypto import decode_key, read_key_file
from govstore.documents.rotation import DEFAULT_BATCH_SIZE, master_key_rotate


class Command(BaseCommand):
    help = "Re-wrap every document's data key under a new master key (files untouched)."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--new-key-file", type=Path, help="A file holding the new key (base64 of 32 bytes)."
        )
        source.add_argument(
            "--new-key-env", help="The name of an environment variable holding the new key."
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Write nothing; count the documents and check every data key opens.",
        )

    def _new_key(self, options: dict[str, Any]) -> bytes | None:
        if options["new_key_file"] is not None:
            return read_key_file(options["new_key_file"])
        name = options["new_key_env"]
        if name is not None:
            value = os.environ.get(name, "")
            if not value:
                raise CommandError(f"The environment variable {name} is not set.")
            return decode_key(value, source=f"The environment variable {name}")
        return None

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        dry_run = options["dry_run"]
        try:
            new_key = self._new_key(options)

            def progress(done: int, pending: int) -> None:
                share = 100 if pending == 0 else done * 100 // pending
                verb = "Checked" if dry_run else "Re-wrapped"
                self.stdout.write(f"{verb} {done} of {pending} documents ({share}%)")

            result = master_key_rotate(
                new_key=new_key,
                batch_size=options["batch_size"],
                dry_run=dry_run,
                progress=progress,
            )
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from None
        if dry_run:
            self.stdout.write(
                f"Dry run: {result.rewrapped} documents would be re-wrapped"
                + (f" under master key version {result.version}." if result.version else ".")
            )
        else:
            self.stdout.write(
                f"{result.rewrapped} documents re-wrapped; every unpurged document is now "
                f"under master key version {result.version}."
                if not result.unreadable
                else f"{result.rewrapped} documents re-wrapped under master key version "
                f"{result.version}."
            )
        if result.unreadable:
            raise CommandError(
                f"{len(result.unreadable)} documents have a data key no configured key "
                "opens (tampered or damaged rows); they were left as they are: "
                + ", ".join(result.unreadable[:20])
            )
        if not dry_run and new_key is not None:
            self.stdout.write(
                "Next: set DOCUMENTS_MASTER_KEY to the new key, remove the old one, and "
                "restart the web and worker processes."
            )
