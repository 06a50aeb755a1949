"""A company's self-declared "partner types" become its offerings: the name "partner type"
now means only how a company classifies its partners (its own vocabulary). Column renamed in
place; old code reading `partner_types` during a deploy is not supported for this one rename,
which ships with the code that reads the new name."""

import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_company_look_alike_keys")]

    operations = [
        migrations.RenameField(model_name="company", old_name="partner_types", new_name="offerings"),
        migrations.AlterField(
            model_name="company",
            name="offerings",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("reseller", "Reseller"),
                        ("referral", "Referral partner"),
                        ("technology", "Technology partner"),
                        ("system_integrator", "System integrator"),
                        ("msp", "Managed service provider"),
                        ("marketplace", "Cloud marketplace"),
                        ("consulting", "Consulting partner"),
                    ],
                    max_length=30,
                ),
                blank=True,
                default=list,
                size=None,
            ),
        ),
    ]
