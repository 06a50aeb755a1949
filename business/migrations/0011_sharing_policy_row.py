from django.db import migrations


def create(apps, schema_editor):
    """Every company schema has its policy row from the start (the template carries it into
    clones), so reading the policy never writes."""
    apps.get_model("business", "SharingPolicy").objects.get_or_create(singleton=True)


class Migration(migrations.Migration):
    dependencies = [("business", "0010_sharing_policy")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
