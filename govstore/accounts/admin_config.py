"""Django's admin, served by a site that writes every change into the audit trail.

Named in INSTALLED_APPS instead of "django.contrib.admin"; kept apart from apps.py,
which must define the accounts app's own configuration only."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "govstore.accounts.admin_audit.AuditedAdminSite"
