"""Company.slug_skeleton and name_skeleton: what an address and a name look like, so a new one
that looks like a real company's can be refused in one indexed query. Filled here for the rows
that already exist; Company.save() keeps them from now on."""

from django.db import migrations, models

from tenants.domains import name_skeleton, slug_skeleton


def skeletons_fill(apps, schema_editor):
    Company = apps.get_model("tenants", "Company")
    companies = list(Company.objects.only("pk", "slug", "name"))
    for company in companies:
        company.slug_skeleton = slug_skeleton(company.slug) if company.slug else ""
        company.name_skeleton = name_skeleton(company.name)
    Company.objects.bulk_update(companies, ["slug_skeleton", "name_skeleton"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_company_members_groups_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="slug_skeleton",
            field=models.CharField(blank=True, db_index=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="company",
            name="name_skeleton",
            field=models.CharField(blank=True, db_index=True, default="", max_length=255),
        ),
        migrations.RunPython(skeletons_fill, migrations.RunPython.noop),
    ]
