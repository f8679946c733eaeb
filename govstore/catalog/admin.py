from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govstore.accounts.models import User
from govstore.catalog.constants import FieldType
from govstore.catalog.models import (
    CalendarDay,
    CatalogEvent,
    EligibilityRule,
    FeeItem,
    FeeStandard,
    FormField,
    RequiredDocument,
    Service,
    ServiceFeeLine,
)
from govstore.catalog.services import fee_standard_publish, fee_standard_validate
from govstore.catalog.validation import (
    check_name_error,
    choice_field_errors,
    choice_values,
    eligibility_check_choices,
    fee_condition_error,
)

LEGAL_BASIS_REQUIRED = _(
    "A fee line must cite the document that approved it, e.g. 发改价格〔2004〕2831号."
)


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "unit_zh", "unit_en"]
    search_fields = ["code", "name_zh", "name_en"]


class FeeStandardForm(forms.ModelForm):
    class Meta:
        model = FeeStandard
        fields = [
            "item",
            "region",
            "amount_fen",
            "legal_basis",
            "effective_from",
            "note_zh",
            "note_en",
        ]
        error_messages = {"legal_basis": {"required": LEGAL_BASIS_REQUIRED}}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            cleaned.update(
                fee_standard_validate(
                    item=cleaned.get("item"),
                    region=cleaned.get("region"),
                    amount_fen=cleaned.get("amount_fen"),
                    legal_basis=cleaned.get("legal_basis") or "",
                    effective_from=cleaned.get("effective_from"),
                    note_zh=cleaned.get("note_zh") or "",
                    note_en=cleaned.get("note_en") or "",
                )
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(FeeStandard)
class FeeStandardAdmin(admin.ModelAdmin):
    """Add-only: a changed fee is a new version with a later date, so existing rows are
    shown read-only and every past price can still be explained."""

    form = FeeStandardForm
    list_display = ["item", "region", "amount_fen", "legal_basis", "effective_from", "created_at"]
    list_filter = ["item", "region"]
    search_fields = ["item__code", "item__name_zh", "legal_basis"]
    list_select_related = ["item", "region"]
    date_hierarchy = "effective_from"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User), "the admin is only open to signed-in accounts"
        standard = fee_standard_publish(
            actor=actor,
            item=obj.item,
            region=obj.region,
            amount_fen=obj.amount_fen,
            legal_basis=obj.legal_basis,
            effective_from=obj.effective_from,
            note_zh=obj.note_zh,
            note_en=obj.note_en,
        )
        # The admin's response and log entry need the primary key of what was created.
        obj.pk, obj.created_at = standard.pk, standard.created_at
        obj._state.adding = False


class SiblingAwareFormSet(BaseInlineFormSet):
    """An inline formset that can read the other inlines on the same service page, so a
    fee condition is checked against the questions being saved with it."""

    siblings: list[BaseInlineFormSet]

    def sibling(self, model: type) -> BaseInlineFormSet | None:
        for formset in getattr(self, "siblings", []):
            if formset.model is model:
                return formset
        return None

    @staticmethod
    def live_rows(formset: BaseInlineFormSet) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in formset.forms
            if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class FormFieldFormSet(SiblingAwareFormSet):
    def clean(self) -> None:
        super().clean()
        errors: list[str] = []
        for row in self.live_rows(self):
            errors += choice_field_errors(
                key=row.get("key", ""),
                field_type=row.get("field_type", ""),
                choices=row.get("choices"),
            )
        if errors:
            raise ValidationError(errors)


class FeeLineFormSet(SiblingAwareFormSet):
    def clean(self) -> None:
        super().clean()
        fields = self.sibling(FormField)
        rows = self.live_rows(fields) if fields is not None else []
        choice_fields = {
            row["key"]: choice_values(row.get("choices"))
            for row in rows
            if row.get("field_type") == FieldType.CHOICE
        }
        errors = [
            error
            for row in self.live_rows(self)
            if (
                error := fee_condition_error(
                    field_key=row.get("applies_when_field", ""),
                    value=row.get("applies_when_value", ""),
                    choice_fields=choice_fields,
                )
            )
        ]
        if errors:
            raise ValidationError(errors)


class FormFieldInline(admin.StackedInline):
    model = FormField
    formset = FormFieldFormSet
    extra = 0


class RequiredDocumentInline(admin.StackedInline):
    model = RequiredDocument
    extra = 0


class EligibilityRuleForm(forms.ModelForm):
    class Meta:
        model = EligibilityRule
        fields = ["check_name", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["check_name"] = forms.ChoiceField(
            label=_("Eligibility check"),
            choices=[("", "---------"), *check_choices()],
            help_text=_("A named check the registry runs when someone applies."),
        )

    def clean_check_name(self) -> str:
        name = self.cleaned_data["check_name"]
        error = check_name_error(name)
        if error:
            raise ValidationError(error)
        return name


def check_choices() -> list[tuple[str, str]]:
    return [(name, f"{description} ({name})") for name, description in eligibility_check_choices()]


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    form = EligibilityRuleForm
    extra = 0


class ServiceFeeLineInline(admin.TabularInline):
    model = ServiceFeeLine
    formset = FeeLineFormSet
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "store", "processing_working_days", "is_published", "position"]
    list_filter = ["is_published", "store"]
    search_fields = ["name_zh", "name_en", "slug"]
    list_select_related = ["store"]
    inlines = [FormFieldInline, RequiredDocumentInline, EligibilityRuleInline, ServiceFeeLineInline]

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        # Django builds the inline formsets independently; handing each the others
        # lets a fee line be checked against the questions saved with it.
        formsets, inline_instances = super()._create_formsets(  # type: ignore[misc]
            request, obj, change
        )
        for formset in formsets:
            formset.siblings = formsets
        return formsets, inline_instances


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "region", "kind", "name_zh", "name_en"]
    list_filter = ["kind", "region"]
    date_hierarchy = "date"
    list_select_related = ["region"]


@admin.register(CatalogEvent)
class CatalogEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "actor", "service", "fee_standard"]
    list_filter = ["kind"]
    list_select_related = ["actor", "service", "fee_standard__item"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
