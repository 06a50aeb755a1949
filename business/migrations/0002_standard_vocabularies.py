from django.db import migrations


def create(apps, schema_editor):
    from business.standard import STANDARD_VOCABULARIES

    Vocabulary = apps.get_model("business", "Vocabulary")
    Term = apps.get_model("business", "Term")
    for spec in STANDARD_VOCABULARIES:
        vocabulary, _ = Vocabulary.objects.get_or_create(
            key=spec["key"],
            defaults={"label": spec["label"], "is_tree": spec["is_tree"], "is_standard": True},
        )
        for position, (key, label) in enumerate(spec["terms"]):
            Term.objects.get_or_create(
                vocabulary=vocabulary, key=key, defaults={"label": label, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("business", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
