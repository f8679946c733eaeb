"""Every change made through the admin leaves an AdminAuditEntry.

The admin site itself does it: `AuditedAdminSite.register` gives every model admin
(ours and third parties') the `AuditedModelAdmin` behaviour, so no admin class can
forget it. Adds and changes are written where Django writes its own log entry, inside
the same transaction as the change; deletions just before the rows go; bulk actions run
in one transaction with their entry. A change lists each changed field with its value
before and after, except secrets, which are only said to have changed.
"""

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db import models, transaction
from django.forms import BaseForm, ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest

from govstore.accounts.constants import AdminAuditAction
from govstore.core.masking import mask_id_number

# Values never written into the trail, only that they changed.
SECRET_FIELDS = frozenset(
    {"password", "password1", "password2", "key", "secret", "token", "bin_key", "otp_token"}
)
# Personal numbers are kept masked, as everywhere else people read them.
MASKED_FIELDS = {"id_number": mask_id_number}
HIDDEN = "••••••"
VALUE_MAX_LENGTH = 300
# A bulk action on more objects than this records how many, and the first ones.
ACTION_OBJECTS_MAX = 200

_PENDING = "_admin_audit_changes"


def _text(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)[:VALUE_MAX_LENGTH]
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted(str(item)[:VALUE_MAX_LENGTH] for item in value)
    if hasattr(value, "name") and hasattr(value, "read"):  # an uploaded file
        return str(value.name)[:VALUE_MAX_LENGTH]
    return str(value)[:VALUE_MAX_LENGTH]


def _readable(form: BaseForm, name: str, value: Any) -> Any:
    """A field's value as a person reads it: related objects by their name, not key."""
    field = form.fields.get(name)
    if isinstance(field, ModelMultipleChoiceField):
        if isinstance(value, models.QuerySet):
            return _text(value)
        keys = [getattr(item, "pk", item) for item in (value or [])]
        return _text(field.queryset.filter(pk__in=keys))  # type: ignore[union-attr]
    if isinstance(field, ModelChoiceField):
        if value in (None, "") or isinstance(value, models.Model):
            return _text(value)
        found = field.queryset.filter(pk=value).first()  # type: ignore[union-attr]
        return _text(found if found is not None else value)
    return _text(value)


def form_changes(form: BaseForm) -> dict[str, dict[str, Any]]:
    """{field: {"from": before, "to": after}} for each field the form changed."""
    changes: dict[str, dict[str, Any]] = {}
    for name in form.changed_data:
        if name in SECRET_FIELDS:
            changes[name] = {"from": HIDDEN, "to": HIDDEN}
            continue
        field = form.fields[name]
        before = _readable(form, name, form.get_initial_for_field(field, name))
        after = _readable(form, name, form.cleaned_data.get(name))
        if name in MASKED_FIELDS:
            mask = MASKED_FIELDS[name]
            before = mask(before) if before else before
            after = mask(after) if after else after
        changes[name] = {"from": before, "to": after}
    return changes


def _formset_changes(formsets: Iterable[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for formset in formsets or []:
        label = str(formset.model._meta.verbose_name)
        for obj in getattr(formset, "new_objects", []):
            rows.append({"model": label, "object": _text(obj), "action": "add"})
        for obj, _changed in getattr(formset, "changed_objects", []):
            form = next((f for f in formset.forms if f.instance.pk == obj.pk), None)
            rows.append(
                {
                    "model": label,
                    "object": _text(obj),
                    "action": "change",
                    "fields": form_changes(form) if form is not None else {},
                }
            )
        for obj in getattr(formset, "deleted_objects", []):
            rows.append({"model": label, "object": _text(obj), "action": "delete"})
    return rows


def admin_audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    changes: dict[str, Any] | None = None,
    action_name: str = "",
) -> Any:
    from django.contrib.contenttypes.models import ContentType

    entry_model = apps.get_model("accounts", "AdminAuditEntry")
    target_model = model or (type(obj) if obj is not None else None)
    return entry_model.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        action_name=action_name,
        content_type=(
            ContentType.objects.get_for_model(target_model, for_concrete_model=False)
            if target_model is not None
            else None
        ),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(_text(obj) or "") if obj is not None else "",
        changes=changes or {},
    )


class AuditedModelAdmin(admin.ModelAdmin):
    """Mixed into every registered model admin by AuditedAdminSite."""

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # The form still knows each field's value before the change; the log methods
        # that follow only see the saved object.
        changes: dict[str, Any] = {"fields": form_changes(form)}
        inline_rows = _formset_changes(formsets)
        if inline_rows:
            changes["inlines"] = inline_rows
        setattr(request, _PENDING, changes)
        return super().construct_change_message(request, form, formsets, add)

    def _pending(self, request: HttpRequest) -> dict[str, Any]:
        changes = getattr(request, _PENDING, None) or {}
        if hasattr(request, _PENDING):
            delattr(request, _PENDING)
        return changes

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        admin_audit_record(
            actor=request.user, action=AdminAuditAction.ADD, obj=obj, changes=self._pending(request)
        )
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        admin_audit_record(
            actor=request.user,
            action=AdminAuditAction.CHANGE,
            obj=obj,
            changes=self._pending(request),
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            admin_audit_record(actor=request.user, action=AdminAuditAction.DELETE, obj=obj)
        return entries

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        return {
            name: (_audited_action(func, name), name, description)
            for name, (func, _name, description) in actions.items()
        }


def _audited_action(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    def run(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
        with transaction.atomic():
            if name != "delete_selected":
                # Deleting writes one entry per object itself, once confirmed.
                keys = list(queryset.values_list("pk", flat=True)[: ACTION_OBJECTS_MAX + 1])
                admin_audit_record(
                    actor=request.user,
                    action=AdminAuditAction.ACTION,
                    model=queryset.model,
                    action_name=name,
                    changes={
                        "objects": [str(key) for key in keys[:ACTION_OBJECTS_MAX]],
                        "count": queryset.count(),
                    },
                )
            return func(modeladmin, request, queryset)

    run.__name__ = getattr(func, "__name__", name)
    for attribute in ("allowed_permissions", "short_description"):
        if hasattr(func, attribute):
            setattr(run, attribute, getattr(func, attribute))
    return run


class AuditedAdminSite(admin.AdminSite):
    """The operator's admin. Registering a model admin here makes it audited; with
    TWO_FACTOR_REQUIRED, only a session that passed the code step may use it (the
    middleware already sends others to the code, this holds even without it)."""

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedModelAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        from govstore.accounts.selectors import two_factor_satisfied

        return super().has_permission(request) and two_factor_satisfied(request.user)
