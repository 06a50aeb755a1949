from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"

    def ready(self) -> None:
        from tenants.hooks import on_company_created

        on_company_created(_bootstrap)


def _bootstrap(company, owner) -> None:  # type: ignore[no-untyped-def]
    from workspace.tasks import workspace_bootstrap

    # Runs inside the new company's schema (tenant-schemas-celery reads this header).
    workspace_bootstrap.apply_async(
        kwargs={"owner_id": owner.pk}, headers={"_schema_name": company.schema_name}
    )
