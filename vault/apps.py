from django.apps import AppConfig


class VaultConfig(AppConfig):
    """Secrets at rest (no tables): the encrypted model field and its key rotation command."""

    name = "vault"
    verbose_name = "Vault"
