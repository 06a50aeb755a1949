from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """A company's accounts (its schema): the customers its opportunities are with."""

    name = "accounts"

    def ready(self) -> None:
        from accounts.kind import ACCOUNT
        from kinds import kind_register

        kind_register(ACCOUNT)
