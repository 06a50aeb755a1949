"""The platform's key rotation (vault): re-encrypts every encrypted column with the newest
key in FIELD_ENCRYPTION_KEYS, in the public schema and in every company schema, so the older
keys can then be removed."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.models import Company
from tenants.schemas import company_schema, network_schema
from vault.fields import EncryptedTextField


def _encrypted_columns() -> list[tuple[Any, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def _rotate_table(model: Any, names: list[str]) -> int:
    """Reads each value (any key decrypts it) and writes it back (the newest key encrypts)."""
    done = 0
    with transaction.atomic():
        for row in model.objects.only("pk", *names).iterator():
            values = {name: getattr(row, name) for name in names if getattr(row, name)}
            if values:
                model.objects.filter(pk=row.pk).update(**values)
                done += 1
    return done


class Command(BaseCommand):
    help = "Re-encrypts secrets at rest with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        shared = set(settings.SHARED_APPS)
        schemas = list(
            Company.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).values_list(
                "schema_name", flat=True
            )
        )
        total = 0
        for model, names in _encrypted_columns():
            if model._meta.app_config.name in shared:
                with network_schema():
                    total += _rotate_table(model, names)
                continue
            for schema in schemas:
                with company_schema(schema):
                    total += _rotate_table(model, names)
        self.stdout.write(f"Re-encrypted {total} value(s) with the newest key.")
