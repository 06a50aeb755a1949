"""Company.look_alike_keys: both skeletons and their one-letter slips, so a look-alike address
or name is one GIN-indexed overlap query. The skeletons themselves changed (noise words such as
"co" or "admin" at the end, leading digits); all three are filled again for existing rows."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

from tenants.domains import look_alike_keys, name_skeleton, slug_skeleton


def look_alikes_fill(apps, schema_editor):
    Company = apps.get_model("tenants", "Company")
    companies = list(Company.objects.only("pk", "slug", "name"))
    for company in companies:
        company.slug_skeleton = slug_skeleton(company.slug) if company.slug else ""
        company.name_skeleton = name_skeleton(company.name)
        company.look_alike_keys = sorted(
            set(look_alike_keys(company.slug_skeleton))
            | set(look_alike_keys(company.name_skeleton))
        )
    Company.objects.bulk_update(
        companies, ["slug_skeleton", "name_skeleton", "look_alike_keys"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_company_skeletons"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="look_alike_keys",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=255), blank=True, default=list, size=None
            ),
        ),
        migrations.AddIndex(
            model_name="company",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["look_alike_keys"], name="company_look_alike_gin"
            ),
        ),
        migrations.RunPython(look_alikes_fill, migrations.RunPython.noop),
    ]
