"""`AuditEntry` now belongs to `audit.company`; the table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0002_append_only"),
        ("company_audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
