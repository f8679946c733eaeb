from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govstore.accounts.constants import (
    AccountEventKind,
    AccountKind,
    AdminAuditAction,
    Language,
)
from govstore.core.masking import mask_id_number, mask_mobile, mask_name
from govstore.core.models import EventBase


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, mobile: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(mobile=mobile, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("kind", AccountKind.OPERATOR)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: citizens by mobile number; staff, supervisors and the operator
    too, with `kind` saying which. `is_staff` keeps Django's meaning (may use the admin),
    which only the platform operator has."""

    mobile = models.CharField(_("mobile number"), max_length=11, unique=True)
    kind = models.CharField(max_length=16, choices=AccountKind.choices, default=AccountKind.CITIZEN)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    # Real name: empty until verified. The ID number is unique among verified accounts:
    # one person, one account.
    real_name = models.CharField(_("real name"), max_length=30, blank=True)
    # NULL, not "", for "no number": the unique constraint must ignore unverified accounts.
    id_number = models.CharField(  # noqa: DJ001
        _("resident ID number"), max_length=18, null=True, blank=True
    )
    real_name_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(id_number__isnull=False),
                name="accounts_user_id_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(id_number__isnull=True) | Q(real_name_verified_at__isnull=False),
                name="accounts_user_id_number_only_when_verified",
            ),
        ]

    def __str__(self) -> str:
        return self.masked_mobile

    @property
    def is_real_name_verified(self) -> bool:
        return self.real_name_verified_at is not None

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def masked_real_name(self) -> str:
        return mask_name(self.real_name)


class AccountEvent(EventBase):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=AccountEventKind.choices)

    class Meta(EventBase.Meta):
        indexes = [models.Index(fields=["user", "created_at"])]


class AdminAuditEntry(models.Model):
    """One change made through the operator's admin: who, when, to which object, and
    which fields went from what to what. Written by the admin itself in the same
    transaction as the change (govstore/accounts/admin_audit.py), never edited; read by
    operators in the admin and by supervisors on their own page."""

    actor = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("what"), max_length=16, choices=AdminAuditAction.choices)
    # The action's name for bulk actions ("delete_selected", "reset_two_factor", ...).
    action_name = models.CharField(max_length=100, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Text, not a foreign key: the object may be deleted, and its key may not be a number.
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # {"fields": {name: {"from": old, "to": new}}, "inlines": [...], "objects": [...]}
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("admin change")
        verbose_name_plural = _("admin changes")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
