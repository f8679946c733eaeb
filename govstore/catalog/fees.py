"""What a service costs: the fee standards in force in the store's region, line by line.

A fee is never typed into a service. Each line names a fee item; the amount comes from
the newest standard already in force in the nearest region that has one (the city, then
the province, then the national standard), so every amount shown can be traced to the
document that approved it.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from govstore.catalog.constants import FieldType
from govstore.catalog.models import FeeItem, FeeStandard, FormField, Service, ServiceFeeLine
from govstore.catalog.regions import lineage_codes
from govstore.core.i18n import localized
from govstore.stores.models import Region


class FeeNotPublished(Exception):
    """No standard for a fee item is in force in the region on the date: the service
    cannot be priced, so it must not be sold."""

    def __init__(self, *, item: FeeItem, region: Region, on: datetime.date) -> None:
        self.item, self.region, self.on = item, region, on
        super().__init__(
            f"No fee standard for {item.code!r} is in force in region {region.code} on {on}."
        )

    @property
    def message(self) -> str:
        return _("The fee for “%(item)s” is not yet published for %(region)s.") % {
            "item": localized(self.item, "name"),
            "region": localized(self.region, "name"),
        }


@dataclass(frozen=True)
class PriceLine:
    item_code: str
    item_name_zh: str
    item_name_en: str
    unit_zh: str
    unit_en: str
    quantity: int
    unit_amount_fen: int
    line_total_fen: int
    legal_basis: str
    effective_from: datetime.date
    fee_standard_pk: int
    region_code: str
    region_name_zh: str
    region_name_en: str
    note_zh: str
    note_en: str
    # Empty for a line that always applies; otherwise the form answer it depends on.
    condition_field: str
    condition_value: str
    condition_label_zh: str
    condition_label_en: str

    @property
    def is_conditional(self) -> bool:
        return bool(self.condition_field)


@dataclass(frozen=True)
class PriceVariant:
    """The total for one answer to the question the price depends on."""

    label_zh: str
    label_en: str
    total_fen: int


@dataclass(frozen=True)
class ServicePrice:
    """A service's price on a date.

    Priced without answers, every line is listed (plates for a car and for a
    motorcycle); total_fen is then the cheapest combination of answers, shown as
    "from", and max_total_fen the dearest. Priced with answers, only the lines that
    apply are listed and total_fen is what the applicant pays.
    """

    on: datetime.date
    lines: tuple[PriceLine, ...]
    total_fen: int
    max_total_fen: int
    depends_on_answers: bool
    variants: tuple[PriceVariant, ...] = ()
    variant_question_zh: str = ""
    variant_question_en: str = ""

    @property
    def is_free(self) -> bool:
        return self.max_total_fen == 0


def _standards_in_force(
    *, item_ids: Iterable[int], region: Region, on: datetime.date
) -> dict[int, FeeStandard]:
    """For each item, the standard that applies: the nearest region that has one in
    force wins, and within that region the latest version already in force."""
    codes = lineage_codes(region)
    nearness = {code: rank for rank, code in enumerate(codes)}
    best: dict[int, tuple[tuple[int, int], FeeStandard]] = {}
    rows = FeeStandard.objects.filter(
        item_id__in=set(item_ids), region__code__in=codes, effective_from__lte=on
    ).select_related("region", "item")
    for standard in rows:
        key = (nearness[standard.region.code], -standard.effective_from.toordinal())
        held = best.get(standard.item_id)
        if held is None or key < held[0]:
            best[standard.item_id] = (key, standard)
    return {item_id: standard for item_id, (_key, standard) in best.items()}


def fee_standard_current(*, item: FeeItem, region: Region, on: datetime.date) -> FeeStandard:
    """The standard for the item in force in the region on the date, or FeeNotPublished."""
    standard = _standards_in_force(item_ids=[item.pk], region=region, on=on).get(item.pk)
    if standard is None:
        raise FeeNotPublished(item=item, region=region, on=on)
    return standard


def _choice_labels(field: FormField | None, value: str) -> tuple[str, str]:
    for choice in field.choices if field is not None else []:
        if str(choice.get("value")) == value:
            return str(choice.get("label_zh") or value), str(choice.get("label_en") or value)
    return value, value


def _condition_labels(field: FormField | None, value: str, key: str) -> tuple[str, str]:
    choice_zh, choice_en = _choice_labels(field, value)
    question_zh = field.label_zh if field is not None else key
    question_en = field.label_en if field is not None else key
    return f"{question_zh}：{choice_zh}", f"{question_en}: {choice_en}"


def _line_applies(line: ServiceFeeLine, answers: Mapping[str, object]) -> bool:
    if not line.applies_when_field:
        return True
    return str(answers.get(line.applies_when_field, "")) == line.applies_when_value


def service_price(
    *,
    service: Service,
    on: datetime.date | None = None,
    answers: Mapping[str, object] | None = None,
) -> ServicePrice:
    """Price the service in its store's region on the date (today by default). Raises
    FeeNotPublished when a line that counts has no standard in force."""
    on = on or timezone.localdate()
    region = service.store.agency.region
    fields = {field.key: field for field in service.form_fields.all()}
    fee_lines = [
        line for line in service.fee_lines.all() if answers is None or _line_applies(line, answers)
    ]
    standards = _standards_in_force(
        item_ids=[line.item_id for line in fee_lines], region=region, on=on
    )
    lines = []
    for fee_line in fee_lines:
        standard = standards.get(fee_line.item_id)
        if standard is None:
            raise FeeNotPublished(item=fee_line.item, region=region, on=on)
        label_zh, label_en = (
            _condition_labels(
                fields.get(fee_line.applies_when_field),
                fee_line.applies_when_value,
                fee_line.applies_when_field,
            )
            if fee_line.applies_when_field
            else ("", "")
        )
        lines.append(
            PriceLine(
                item_code=fee_line.item.code,
                item_name_zh=fee_line.item.name_zh,
                item_name_en=fee_line.item.name_en,
                unit_zh=fee_line.item.unit_zh,
                unit_en=fee_line.item.unit_en,
                quantity=fee_line.quantity,
                unit_amount_fen=standard.amount_fen,
                line_total_fen=standard.amount_fen * fee_line.quantity,
                legal_basis=standard.legal_basis,
                effective_from=standard.effective_from,
                fee_standard_pk=standard.pk,
                region_code=standard.region.code,
                region_name_zh=standard.region.name_zh,
                region_name_en=standard.region.name_en,
                note_zh=standard.note_zh,
                note_en=standard.note_en,
                condition_field=fee_line.applies_when_field,
                condition_value=fee_line.applies_when_value,
                condition_label_zh=label_zh,
                condition_label_en=label_en,
            )
        )
    if answers is not None:
        total = sum(line.line_total_fen for line in lines)
        return ServicePrice(
            on=on,
            lines=tuple(lines),
            total_fen=total,
            max_total_fen=total,
            depends_on_answers=False,
        )
    return _price_over_all_answers(on=on, lines=lines, fields=fields)


def _price_over_all_answers(
    *, on: datetime.date, lines: list[PriceLine], fields: Mapping[str, FormField]
) -> ServicePrice:
    base = sum(line.line_total_fen for line in lines if not line.is_conditional)
    # Each line depends on one answer, so the cheapest (dearest) price is the base plus,
    # per question, the cheapest (dearest) answer's lines.
    by_question: dict[str, dict[str, int]] = {}
    for line in lines:
        if line.is_conditional:
            sums = by_question.setdefault(line.condition_field, {})
            sums[line.condition_value] = sums.get(line.condition_value, 0) + line.line_total_fen
    cheapest, dearest = base, base
    for key, sums in by_question.items():
        field = fields.get(key)
        if field is not None and field.field_type == FieldType.CHOICE and field.choices:
            totals = [sums.get(str(choice.get("value")), 0) for choice in field.choices]
        else:
            # An answer matching no line is possible when the question is free text.
            totals = [*sums.values(), 0]
        cheapest += min(totals)
        dearest += max(totals)

    variants: tuple[PriceVariant, ...] = ()
    question_zh = question_en = ""
    if len(by_question) == 1:
        ((key, sums),) = by_question.items()
        field = fields.get(key)
        if field is not None and field.choices:
            question_zh, question_en = field.label_zh, field.label_en
            variants = tuple(
                PriceVariant(
                    label_zh=str(choice.get("label_zh") or choice.get("value")),
                    label_en=str(choice.get("label_en") or choice.get("value")),
                    total_fen=base + sums.get(str(choice.get("value")), 0),
                )
                for choice in field.choices
            )
    return ServicePrice(
        on=on,
        lines=tuple(lines),
        total_fen=cheapest,
        max_total_fen=dearest,
        depends_on_answers=bool(by_question),
        variants=variants,
        variant_question_zh=question_zh,
        variant_question_en=question_en,
    )
