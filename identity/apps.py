from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from identity import schema  # noqa: F401  (registers the OpenAPI auth extension)
        from identity.offboarding import member_access_end
        from tenants.hooks import on_membership_ended

        on_membership_ended(member_access_end)
