from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _forget_permission_ids(**kwargs) -> None:  # type: ignore[no-untyped-def]
    """Permission rows are recreated (with new ids) after a flush or migrate: the access code's
    per-process id caches must not outlive them (Django clears its ContentType cache likewise)."""
    from sharing.records.access import permission_id, sharing_codenames

    permission_id.cache_clear()
    sharing_codenames.cache_clear()


class SharingConfig(AppConfig):
    """The network's shared part (public schema), by job: `network` (partnerships, invitations,
    the directory), `records` (shared records, who may see them, what is published, who is
    told) and `collaboration` (participants working on a record together: sections, edits
    written back, comments)."""

    name = "sharing"

    def ready(self) -> None:
        from business.hooks import on_withholding_changed
        from sharing.hooks import on_partnership_ended
        from sharing.network.services.invitations import partner_invitation_redeem
        from sharing.records.services.sharing import sharing_entries_remove_between
        from sharing.records.services.withholding import withholding_refresh_all
        from tenants.hooks import on_invitation_redeem

        post_migrate.connect(_forget_permission_ids, dispatch_uid="sharing-forget-permission-ids")
        on_withholding_changed(withholding_refresh_all)
        on_invitation_redeem(
            lambda actor, company, token: bool(
                partner_invitation_redeem(actor=actor, company=company, token=token)
            )
        )
        on_partnership_ended(
            lambda actor, company_a, company_b: sharing_entries_remove_between(
                actor=actor, company_a=company_a, company_b=company_b
            )
        )
