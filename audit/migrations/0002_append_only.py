from django.db import migrations

from audit.sql import append_only_sql

forward, backward = append_only_sql("audit_auditevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunSQL(forward, backward)]
