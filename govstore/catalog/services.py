"""Writes to the regulated catalogue: publishing fee standards and services."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.catalog.constants import (
    FEE_AMOUNT_MAX_FEN,
    LEGAL_BASIS_MAX_LENGTH,
    CatalogEventKind,
)
from govstore.catalog.models import CatalogEvent, FeeItem, FeeStandard, Service
from govstore.catalog.validation import service_definition_errors
from govstore.core.money import format_fen
from govstore.stores.constants import StaffRole
from govstore.stores.models import Region
from govstore.stores.selectors import user_has_store_role

NOTE_MAX_LENGTH = 200


def _is_platform_operator(actor: User) -> bool:
    return bool(
        actor.is_authenticated
        and actor.is_active
        and (actor.is_superuser or actor.kind == AccountKind.OPERATOR)
    )


def fee_standard_validate(
    *,
    item: FeeItem | None,
    region: Region | None,
    amount_fen: Any,
    legal_basis: str,
    effective_from: datetime.date | None,
    note_zh: str = "",
    note_en: str = "",
) -> dict[str, Any]:
    """The cleaned values of a new fee standard, or ValidationError keyed by field with
    messages that say how to fix each one."""
    errors: dict[str, list[str]] = {}
    legal_basis = (legal_basis or "").strip()
    if not legal_basis:
        errors["legal_basis"] = [
            _("A fee line must cite the document that approved it, e.g. 发改价格〔2004〕2831号.")
        ]
    elif len(legal_basis) > LEGAL_BASIS_MAX_LENGTH:
        errors["legal_basis"] = [
            _("Cite the approving document in at most %(max)d characters.")
            % {"max": LEGAL_BASIS_MAX_LENGTH}
        ]
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        errors["amount_fen"] = [_("Enter the amount in fen as a whole number, e.g. 1000 for ¥10.")]
    elif amount_fen < 0:
        errors["amount_fen"] = [_("A fee cannot be negative.")]
    elif amount_fen > FEE_AMOUNT_MAX_FEN:
        errors["amount_fen"] = [
            _(
                "%(amount)s is more than any regulated fee for one item (at most %(max)s). "
                "Amounts are in fen: ¥10 is 1000."
            )
            % {"amount": format_fen(amount_fen), "max": format_fen(FEE_AMOUNT_MAX_FEN)}
        ]
    if item is None:
        errors["item"] = [_("Choose the fee item.")]
    if region is None:
        errors["region"] = [_("Choose the region the fee applies in.")]
    if effective_from is None:
        errors["effective_from"] = [_("Enter the date the fee takes effect.")]
    note_zh, note_en = (note_zh or "").strip(), (note_en or "").strip()
    for name, note in (("note_zh", note_zh), ("note_en", note_en)):
        if len(note) > NOTE_MAX_LENGTH:
            errors[name] = [
                _("Keep the note to at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH}
            ]
    if (
        not errors
        and effective_from is not None
        and FeeStandard.objects.filter(
            item=item, region=region, effective_from=effective_from
        ).exists()
    ):
        errors["effective_from"] = [
            _(
                "A version of this fee for this region already takes effect on that date. "
                "Fees are never edited: publish the new amount with a later date."
            )
        ]
    if errors:
        raise ValidationError(errors)
    return {
        "item": item,
        "region": region,
        "amount_fen": amount_fen,
        "legal_basis": legal_basis,
        "effective_from": effective_from,
        "note_zh": note_zh,
        "note_en": note_en,
    }


def fee_standard_publish(
    *,
    actor: User,
    item: FeeItem,
    region: Region,
    amount_fen: int,
    legal_basis: str,
    effective_from: datetime.date,
    note_zh: str = "",
    note_en: str = "",
) -> FeeStandard:
    """Add a new version of a fee. Existing versions are never touched, so a price
    quoted on any past date can still be explained by the standard then in force."""
    if not _is_platform_operator(actor):
        raise PermissionDenied(_("Only the platform operator publishes fee standards."))
    with transaction.atomic():
        # Locking the item serialises two operators publishing the same fee at once.
        FeeItem.objects.select_for_update().get(pk=item.pk)
        values = fee_standard_validate(
            item=item,
            region=region,
            amount_fen=amount_fen,
            legal_basis=legal_basis,
            effective_from=effective_from,
            note_zh=note_zh,
            note_en=note_en,
        )
        standard = FeeStandard.objects.create(**values)
        CatalogEvent.objects.create(
            actor=actor,
            kind=CatalogEventKind.FEE_STANDARD_PUBLISHED,
            fee_standard=standard,
            payload={
                "item": item.code,
                "region": region.code,
                "amount_fen": standard.amount_fen,
                "legal_basis": standard.legal_basis,
                "effective_from": standard.effective_from.isoformat(),
            },
        )
    return standard


def _require_may_publish(actor: User, service: Service) -> None:
    if _is_platform_operator(actor) or user_has_store_role(
        actor, service.store, StaffRole.STORE_ADMIN
    ):
        return
    raise PermissionDenied(
        _("Only the platform operator or the store's administrator may publish its services.")
    )


def service_publish(*, actor: User, service: Service) -> Service:
    """Put a service on sale once its definition holds together: fee conditions name a
    choice question and one of its answers, and every eligibility check exists."""
    _require_may_publish(actor, service)
    with transaction.atomic():
        locked = Service.objects.select_for_update().select_related("store").get(pk=service.pk)
        errors = service_definition_errors(locked)
        if errors:
            raise ValidationError(errors)
        if not locked.is_published:
            locked.is_published = True
            locked.save(update_fields=["is_published"])
            CatalogEvent.objects.create(
                actor=actor, kind=CatalogEventKind.SERVICE_PUBLISHED, service=locked
            )
    service.is_published = locked.is_published
    return locked


def service_unpublish(*, actor: User, service: Service) -> Service:
    """Take a service off sale; its page and definition stay for the record."""
    _require_may_publish(actor, service)
    with transaction.atomic():
        locked = Service.objects.select_for_update().select_related("store").get(pk=service.pk)
        if locked.is_published:
            locked.is_published = False
            locked.save(update_fields=["is_published"])
            CatalogEvent.objects.create(
                actor=actor, kind=CatalogEventKind.SERVICE_UNPUBLISHED, service=locked
            )
    service.is_published = locked.is_published
    return locked
