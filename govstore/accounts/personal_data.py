"""A person's copy of everything the platform holds about them, as one ZIP file.

Each context knows its own data, so each keeps a `personal_data` module that registers
the sections it contributes:

    @register(key="ratings", title=_("Your ratings"), description=_("..."))
    def ratings(user: User) -> SectionContent:
        return SectionContent(rows=[...])

Accounts knows none of them (dependencies point towards accounts): the modules are
found with autodiscover_modules, the way the admin finds admin.py files.

The archive holds a README in Chinese and English, one JSON file per section, and the
files a section hands over (the person's own photos and PDFs, decrypted).
"""

import datetime
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from govstore.accounts.constants import AccountEventKind, Language
from govstore.accounts.events import account_event_record
from govstore.accounts.models import AccountEvent, User

# Wrong passwords on the download page are counted like sign-in failures: after this
# many in the window, the page refuses without checking, so the archive cannot be used
# to guess a password on an unlocked phone.
WRONG_PASSWORD_LIMIT = 5
WRONG_PASSWORD_WINDOW = datetime.timedelta(minutes=15)
# A file above this stays in memory; larger archives (many photos) spill to disk.
IN_MEMORY_LIMIT = 16 * 1024 * 1024

Text = str | Promise


@dataclass(frozen=True)
class ArchiveFile:
    """A file handed over as it is stored, under files/<section>/<name>."""

    name: str
    content: bytes


@dataclass(frozen=True)
class SectionContent:
    # Each row a dict of JSON-able values (datetimes and dates are written as ISO text).
    rows: list[dict[str, Any]]
    files: list[ArchiveFile] = field(default_factory=list)


Collector = Callable[[User], SectionContent]


@dataclass(frozen=True)
class Section:
    key: str
    title: Text
    description: Text
    order: int
    collect: Collector


_sections: dict[str, Section] = {}
_discovered = False


def register(
    *, key: str, title: Text, description: Text, order: int = 100
) -> Callable[[Collector], Collector]:
    """Register a section. `key` names its JSON file; registering a key again replaces
    the section (a module imported twice must not add it twice)."""
    if not key.replace("_", "").isalnum():
        raise ValueError(f"A section key is a plain file name, not {key!r}.")

    def decorator(collect: Collector) -> Collector:
        _sections[key] = Section(
            key=key, title=title, description=description, order=order, collect=collect
        )
        return collect

    return decorator


def registered_sections() -> list[Section]:
    """Every registered section, in the order the page and the README list them."""
    global _discovered
    if not _discovered:
        autodiscover_modules("personal_data")
        _discovered = True
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def moment(value: datetime.datetime | None) -> str | None:
    """A time as the person would read it: local time with its offset."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def _bilingual(render: Callable[[], str]) -> str:
    """The same text in Chinese, then in English."""
    parts = []
    for language in (Language.ZH_HANS, Language.EN):
        with translation.override(language):
            parts.append(render())
    return ("\n\n" + "=" * 60 + "\n\n").join(parts)


def _readme(
    *, user: User, made_at: datetime.datetime, contents: list[tuple[Section, SectionContent]]
) -> str:
    def render() -> str:
        lines = [
            _("Your personal data on govstore"),
            "",
            _("Made for account %(mobile)s on %(when)s.")
            % {"mobile": user.masked_mobile, "when": moment(made_at)},
            "",
            _(
                "Each section below is one JSON file in this archive. Times are local "
                "times with their offset from UTC (+08:00 is China Standard Time). Files "
                "you handed over (photos, PDFs) are in the folder files/, decrypted, "
                "exactly as the platform stores them."
            ),
            _(
                "Staff are named by their store and staff number, as on every page of "
                "the platform. If something here is wrong, write to the store concerned "
                "or to the platform operator."
            ),
            "",
        ]
        for section, content in contents:
            lines.append(f"{section.key}.json: {section.title}")
            lines.append(f"    {section.description}")
            count = ngettext("%(count)d entry", "%(count)d entries", len(content.rows)) % {
                "count": len(content.rows)
            }
            if content.files:
                count += ", " + ngettext(
                    "%(count)d file", "%(count)d files", len(content.files)
                ) % {"count": len(content.files)}
            lines.append(f"    {count}")
        return "\n".join(lines)

    return _bilingual(render).strip() + "\n"


@dataclass(frozen=True)
class PersonalDataArchive:
    filename: str
    file: IO[bytes]
    size: int


def _write_archive(
    *, user: User, made_at: datetime.datetime, contents: list[tuple[Section, SectionContent]]
) -> tuple[IO[bytes], int, int]:
    """The ZIP file (positioned at its start), its size and how many files it hands over."""
    from tempfile import SpooledTemporaryFile

    target: IO[bytes] = SpooledTemporaryFile(max_size=IN_MEMORY_LIMIT)  # noqa: SIM115
    file_count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(user=user, made_at=made_at, contents=contents))
        for section, content in contents:
            document = {
                "section": str(section.title),
                "description": str(section.description),
                "rows": content.rows,
            }
            archive.writestr(
                f"{section.key}.json",
                json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            for item in content.files:
                # Photos are JPEG already: storing them saves time and nothing else.
                archive.writestr(
                    f"files/{section.key}/{item.name}",
                    item.content,
                    compress_type=zipfile.ZIP_STORED,
                )
                file_count += 1
    size = target.tell()
    target.seek(0)
    return target, size, file_count


def _recent_refusals(user: User, now: datetime.datetime) -> int:
    return AccountEvent.objects.filter(
        user=user,
        kind=AccountEventKind.PERSONAL_DATA_REFUSED,
        created_at__gte=now - WRONG_PASSWORD_WINDOW,
    ).count()


def personal_data_archive_download(
    *, actor: User, password: str, now: datetime.datetime | None = None
) -> PersonalDataArchive:
    """The actor's own archive, after they typed their password again (a phone left
    signed in must not hand the whole history to whoever holds it). Each download and
    each refusal is written to the account history."""
    now = now or timezone.now()
    refusal = ""
    if not actor.is_authenticated or not actor.is_active:
        refusal = "inactive"
    elif _recent_refusals(actor, now) >= WRONG_PASSWORD_LIMIT:
        refusal = "too_many_attempts"
    elif not actor.check_password(password):
        refusal = "wrong_password"
    if refusal:
        account_event_record(
            user=actor,
            actor=actor,
            kind=AccountEventKind.PERSONAL_DATA_REFUSED,
            payload={"reason": refusal},
        )
        if refusal == "too_many_attempts":
            raise ValidationError(
                _("The password was wrong too many times. Try again in %(minutes)d minutes.")
                % {"minutes": WRONG_PASSWORD_WINDOW.seconds // 60},
                code=refusal,
            )
        raise ValidationError(
            _("That is not your password. Type the password you sign in with."), code=refusal
        )

    with transaction.atomic():
        # One download at a time per person, and the event row goes with it.
        user = User.objects.select_for_update().get(pk=actor.pk)
        contents = [(section, section.collect(user)) for section in registered_sections()]
        file, size, file_count = _write_archive(user=user, made_at=now, contents=contents)
        account_event_record(
            user=user,
            actor=user,
            kind=AccountEventKind.PERSONAL_DATA_DOWNLOADED,
            payload={
                "sections": {section.key: len(content.rows) for section, content in contents},
                "files": file_count,
                "bytes": size,
            },
        )
    local = timezone.localtime(now)
    return PersonalDataArchive(
        filename=f"govstore-personal-data-{local:%Y%m%d-%H%M}.zip", file=file, size=size
    )


# --- The account's own sections -------------------------------------------------------


@register(
    key="account",
    title=gettext_lazy("Your account"),
    description=gettext_lazy(
        "Mobile number, real name and resident ID number as verified, language, and when "
        "the account was made."
    ),
    order=0,
)
def _account(user: User) -> SectionContent:
    return SectionContent(
        rows=[
            {
                "mobile": user.mobile,
                "real_name": user.real_name,
                "id_number": user.id_number or "",
                "real_name_verified_at": moment(user.real_name_verified_at),
                "kind": user.kind,
                "language": user.language,
                "date_joined": moment(user.date_joined),
                "last_login": moment(user.last_login),
            }
        ]
    )


@register(
    key="account_history",
    title=gettext_lazy("Your account history"),
    description=gettext_lazy(
        "Sign-up, real-name verification, language and password changes, and downloads "
        "of this archive."
    ),
    order=1,
)
def _account_history(user: User) -> SectionContent:
    from govstore.accounts.events import account_event_sentence

    return SectionContent(
        rows=[
            {
                "at": moment(event.created_at),
                "kind": event.kind,
                "what_happened": account_event_sentence(event),
            }
            for event in AccountEvent.objects.filter(user=user).order_by("created_at", "pk")
        ]
    )


__all__ = [
    "ArchiveFile",
    "PersonalDataArchive",
    "Section",
    "SectionContent",
    "moment",
    "personal_data_archive_download",
    "register",
    "registered_sections",
]
