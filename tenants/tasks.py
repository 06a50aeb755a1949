from ecosystem.celery import app
from tenants.services.provisioning import schema_pool_fill


@app.task(ignore_result=True)
def schema_pool_refill() -> int:
    """Tops the pool of ready company schemas back up after a sign-up (and periodically)."""
    return schema_pool_fill()
