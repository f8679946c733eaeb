"""Whether a service's definition holds together: what the admin forms and
service_publish both check, so a broken definition can never go on sale."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from govstore.catalog.constants import FieldType
from govstore.catalog.models import Service


def eligibility_checks() -> Mapping[str, Any]:
    """The registry's catalogue of named checks. Imported on use: the catalogue depends
    on the registry's vocabulary, never the other way round."""
    from govstore.registry.checks import CHECKS

    return CHECKS


def eligibility_check_choices() -> list[tuple[str, Any]]:
    """(name, description) pairs from the registry, for a select of checks."""
    from govstore.registry.checks import check_choices

    return check_choices()


def check_name_error(check_name: str) -> str | None:
    if check_name not in eligibility_checks():
        return _("“%(name)s” is not one of the registry's eligibility checks.") % {
            "name": check_name
        }
    return None


def choice_values(choices: Iterable[Mapping[str, Any]] | None) -> set[str]:
    return {str(choice.get("value")) for choice in choices or [] if isinstance(choice, Mapping)}


def fee_condition_error(
    *, field_key: str, value: str, choice_fields: Mapping[str, set[str]]
) -> str | None:
    """A conditional fee line must name one of the service's choice questions and one
    of that question's answers, or it could never apply (or apply by typo)."""
    if not field_key and not value:
        return None
    if not field_key or not value:
        return _("Give both the question and the answer the fee depends on, or neither.")
    if field_key not in choice_fields:
        return _(
            "“%(field)s” is not a choice question on this service's form; a fee can only "
            "depend on a choice question."
        ) % {"field": field_key}
    if value not in choice_fields[field_key]:
        return _("“%(value)s” is not one of the answers to “%(field)s” (%(answers)s).") % {
            "value": value,
            "field": field_key,
            "answers": ", ".join(sorted(choice_fields[field_key])),
        }
    return None


def choice_field_errors(*, key: str, field_type: str, choices: Any) -> list[str]:
    if field_type != FieldType.CHOICE:
        return []
    if not isinstance(choices, list) or not choices:
        return [_("A choice question “%(key)s” needs at least one answer.") % {"key": key}]
    errors = []
    for choice in choices:
        if not (
            isinstance(choice, Mapping)
            and str(choice.get("value") or "").strip()
            and choice.get("label_zh")
            and choice.get("label_en")
        ):
            errors.append(
                _(
                    "Each answer to “%(key)s” needs a value, a Chinese label and an English "
                    'label, e.g. {"value": "car", "label_zh": "汽车", "label_en": "Car"}.'
                )
                % {"key": key}
            )
            break
    return errors


def service_definition_errors(service: Service) -> list[str]:
    """Everything wrong with the service's saved definition, in words an operator can
    act on; empty when it may be published."""
    errors: list[str] = []
    fields = list(service.form_fields.all())
    for field in fields:
        errors += choice_field_errors(
            key=field.key, field_type=field.field_type, choices=field.choices
        )
    choice_fields = {
        field.key: choice_values(field.choices)
        for field in fields
        if field.field_type == FieldType.CHOICE
    }
    for line in service.fee_lines.all():
        error = fee_condition_error(
            field_key=line.applies_when_field,
            value=line.applies_when_value,
            choice_fields=choice_fields,
        )
        if error:
            errors.append(error)
    for rule in service.eligibility_rules.all():
        error = check_name_error(rule.check_name)
        if error:
            errors.append(error)
    if not service.delivery_methods():
        errors.append(_("Offer at least one way to deliver the result."))
    return errors
