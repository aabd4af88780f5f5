from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        from django.contrib import admin

        from . import authentication  # noqa: F401  (registers the OpenAPI auth scheme)
        from .admin_scoping import close_unscoped_admins

        # Every app's admin module was imported by the admin's own ready() (first in INSTALLED_APPS).
        close_unscoped_admins(admin.site)
