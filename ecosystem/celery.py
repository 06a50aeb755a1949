"""The Celery app. Tasks carry the schema they were sent from (tenant-schemas-celery), so a
task queued inside a company's request runs inside that company's schema; one queued from the
public schema runs there. Never rely on a default schema in a task."""

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")

app = TenantAwareCeleryApp("ecosystem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Project-level tasks (ecosystem is not an installed app, so autodiscovery misses it).
app.conf.imports = ("ecosystem.mail",)
