"""Takes over `workspace.AuditEntry`: the table, its rows and its append-only trigger stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("workspace", "0002_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("occurred_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("action", models.CharField(max_length=80)),
                        ("target_type", models.CharField(blank=True, max_length=80)),
                        ("target_id", models.CharField(blank=True, max_length=80)),
                        ("before", models.JSONField(blank=True, null=True)),
                        ("after", models.JSONField(blank=True, null=True)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("actor", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "ordering": ["-occurred_at", "-id"],
                        "abstract": False,
                        "db_table": "workspace_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
