from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        from . import authentication  # noqa: F401  (registers the OpenAPI auth scheme)
