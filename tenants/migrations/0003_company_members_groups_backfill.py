from django.db import migrations


def create_groups(apps, schema_editor):
    Company = apps.get_model("tenants", "Company")
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("tenants", "Membership")
    for company in Company.objects.filter(status="active", members_group__isnull=True):
        group = Group.objects.create(name=f"company:{company.pk}:members")
        company.members_group = group
        company.save(update_fields=["members_group"])
        users = Membership.objects.filter(company=company).values_list("user_id", flat=True)
        group.user_set.add(*users)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_company_members_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("identity", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
