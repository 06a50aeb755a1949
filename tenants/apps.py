from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Companies"

    def ready(self) -> None:
        from tenants import routing_cache
        from tenants.hooks import on_company_created

        routing_cache.connect()
        # first of the company-created callbacks (tenants is the first app): the sign-up that
        # took a pooled schema starts the pool's refill
        on_company_created(_pool_refill)


def _pool_refill(company, owner) -> None:  # type: ignore[no-untyped-def]
    from tenants.tasks import schema_pool_refill

    schema_pool_refill.apply_async(headers={"_schema_name": "public"})
