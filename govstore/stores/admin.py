from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.stores.models import Agency, Region, StaffMember, StaffRoleGrant, Store
from govstore.stores.services import staff_member_create, staff_roles_set, staff_roles_validate


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "plate_prefix"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["parent"]


class StoreInline(admin.StackedInline):
    model = Store
    extra = 0
    max_num = 1
    readonly_fields = [
        "follower_count",
        "completed_deal_count",
        "rating_average_centi",
        "rating_count",
    ]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name_zh", "name_en"]
    list_select_related = ["region"]
    inlines = [StoreInline]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "slug", "agency", "is_open", "follower_count", "rating_count"]
    list_filter = ["is_open", "agency__kind"]
    search_fields = ["name_zh", "name_en", "slug"]
    list_select_related = ["agency"]
    # Counters belong to the services that keep them; hand edits would make them lie.
    readonly_fields = [
        "follower_count",
        "completed_deal_count",
        "rating_average_centi",
        "rating_count",
        "created_at",
    ]


class RoleGrantFormSet(BaseInlineFormSet):
    """Checks the roles against the agency chosen on the same page, so a court clerk
    cannot be given to a vehicle administration."""

    def wanted_roles(self) -> set[str]:
        return {
            form.cleaned_data["role"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("role")
            and not form.cleaned_data.get("DELETE")
        }

    def clean(self) -> None:
        super().clean()
        agency = getattr(self.instance, "agency", None) if self.instance.agency_id else None
        if agency is None:
            return
        try:
            staff_roles_validate(agency=agency, roles=self.wanted_roles())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class RoleGrantInline(admin.TabularInline):
    model = StaffRoleGrant
    formset = RoleGrantFormSet
    extra = 1


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["user", "agency", "staff_number", "display_name", "is_active"]

    def clean_user(self) -> Any:
        user = self.cleaned_data.get("user")
        if user is not None and (user.is_superuser or user.kind == AccountKind.OPERATOR):
            raise ValidationError(_("The platform operator's account cannot be agency staff."))
        return user


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    form = StaffMemberForm
    list_display = ["staff_number", "agency", "user", "display_name", "is_active"]
    list_filter = ["agency", "is_active"]
    search_fields = ["staff_number", "display_name", "user__mobile"]
    list_select_related = ["agency", "user"]
    raw_id_fields = ["user"]
    inlines = [RoleGrantInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Moving a member to another agency would carry roles it may not give.
        return ["user", "agency"] if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMember]:
        return super().get_queryset(request).select_related("agency", "user")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A new member is created in save_related by staff_member_create, once the
        # roles from the inline are known, so user.kind and the event come with it.
        if change:
            super().save_model(request, obj, form, change)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # The role formset is never saved itself (the services write the grants, and the
        # StaffEvent says what changed), so the log entry describes the form alone.
        return super().construct_change_message(request, form, [], add)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        roles: set[str] = set()
        for formset in formsets:
            if isinstance(formset, RoleGrantFormSet):
                roles = formset.wanted_roles()
        obj, actor = form.instance, request.user
        assert isinstance(actor, User), "the admin is only open to signed-in accounts"
        if change:
            staff_roles_set(actor=actor, member=obj, roles=roles)
            return
        member = staff_member_create(
            actor=actor,
            agency=obj.agency,
            user=obj.user,
            staff_number=obj.staff_number,
            roles=roles,
        )
        if obj.display_name or not obj.is_active:
            StaffMember.objects.filter(pk=member.pk).update(
                display_name=obj.display_name, is_active=obj.is_active
            )
        # The admin's response and log entry need the primary key of what was created.
        obj.pk = member.pk
        obj._state.adding = False
