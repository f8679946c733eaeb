from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govstore.accounts.models import AccountEvent, AdminAuditEntry, User
from govstore.accounts.services import two_factor_reset
from govstore.accounts.validators import validate_mobile


class OperatorUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("mobile", "kind")

    def clean_mobile(self) -> str:
        return validate_mobile(self.cleaned_data["mobile"])


class OperatorUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("mobile", "kind", "language", "is_active", "is_staff", "is_superuser")

    def clean_mobile(self) -> str:
        return validate_mobile(self.cleaned_data["mobile"])


class AccountEventInline(admin.TabularInline):
    """The account's trail as recorded; append-only, so nothing here is editable."""

    model = AccountEvent
    fk_name = "user"
    fields = ("created_at", "kind", "actor", "payload")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = OperatorUserChangeForm
    add_form = OperatorUserCreationForm
    # Personal numbers stay masked even for the operator; real-name data is written only
    # by the verification service, never typed in here.
    list_display = ("masked_mobile", "masked_id_number", "kind", "verified", "is_active")
    list_display_links = ("masked_mobile",)
    list_filter = (
        "kind",
        "is_active",
        ("real_name_verified_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("mobile",)
    ordering = ("-date_joined",)
    readonly_fields = (
        "masked_real_name",
        "masked_id_number",
        "real_name_verified_at",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("mobile", "password", "kind", "language")}),
        (
            _("Real name"),
            {"fields": ("masked_real_name", "masked_id_number", "real_name_verified_at")},
        ),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("mobile", "kind", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = (AccountEventInline,)
    actions = ("reset_two_factor",)

    @admin.action(
        description=_("Reset two-factor authentication (the next sign-in sets it up again)")
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)
        reset = refused = 0
        for account in queryset.order_by("pk"):
            try:
                two_factor_reset(actor=request.user, user=account)
            except PermissionDenied:
                refused += 1
            else:
                reset += 1
        if reset:
            self.message_user(
                request,
                _("Two-factor authentication reset for %(count)d accounts.") % {"count": reset},
            )
        if refused:
            self.message_user(
                request,
                _("%(count)d accounts were not reset: nobody resets their own.")
                % {"count": refused},
                messages.WARNING,
            )

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list:
        # A new account has no history yet.
        return list(self.inlines) if obj is not None else []

    @admin.display(boolean=True, description=_("Real name verified"))
    def verified(self, obj: User) -> bool:
        return obj.is_real_name_verified

    @admin.display(description=_("mobile number"), ordering="mobile")
    def masked_mobile(self, obj: User) -> str:
        return obj.masked_mobile

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj: User) -> str:
        return obj.masked_id_number or "—"

    @admin.display(description=_("real name"))
    def masked_real_name(self, obj: User) -> str:
        return obj.masked_real_name or "—"


@admin.register(AdminAuditEntry)
class AdminAuditEntryAdmin(admin.ModelAdmin):
    """The trail of changes made here. Nobody edits or deletes it, the operator included."""

    list_display = ("created_at", "actor", "action", "action_name", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "object_id", "action_name")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "actor",
        "action",
        "action_name",
        "content_type",
        "object_id",
        "object_repr",
        "changes",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
