from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _forget_permission_ids(**kwargs) -> None:  # type: ignore[no-untyped-def]
    """Permission rows are recreated (with new ids) after a flush or migrate: the access code's
    per-process id caches must not outlive them (Django clears its ContentType cache likewise)."""
    from sharing.access import permission_id, sharing_codenames

    permission_id.cache_clear()
    sharing_codenames.cache_clear()


class SharingConfig(AppConfig):
    name = "sharing"

    def ready(self) -> None:
        post_migrate.connect(_forget_permission_ids, dispatch_uid="sharing-forget-permission-ids")
        from business.hooks import on_withholding_changed
        from sharing.services.withholding import withholding_refresh_all

        on_withholding_changed(withholding_refresh_all)
        from sharing.services.invitations import partner_invitation_redeem
        from tenants.hooks import on_invitation_redeem

        on_invitation_redeem(
            lambda actor, company, token: bool(
                partner_invitation_redeem(actor=actor, company=company, token=token)
            )
        )
