from django.db import migrations

from audit.sql import append_only_sql

forward, backward = append_only_sql("workspace_auditentry")


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial")]
    operations = [migrations.RunSQL(forward, backward)]
