from celery import shared_task

from tenants.services.handoff import handoff_tickets_purge
from tenants.services.provisioning import schema_pool_fill


@shared_task(ignore_result=True)
def schema_pool_refill() -> int:
    """Tops the pool of ready company schemas back up after a sign-up (and periodically)."""
    return schema_pool_fill()


@shared_task(ignore_result=True)
def handoff_tickets_expire() -> int:
    return handoff_tickets_purge()
