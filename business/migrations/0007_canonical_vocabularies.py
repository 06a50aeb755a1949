from django.db import migrations


def create(apps, schema_editor):
    """Adds the canonical vocabularies (motions, partner roles) to companies made before them
    and marks stages canonical; the same code seeds new schemas (0002 runs on the template)."""
    from business.standard import STANDARD_VOCABULARIES

    Vocabulary = apps.get_model("business", "Vocabulary")
    Term = apps.get_model("business", "Term")
    for spec in STANDARD_VOCABULARIES:
        vocabulary, _ = Vocabulary.objects.get_or_create(
            key=spec["key"],
            defaults={"label": spec["label"], "is_tree": spec["is_tree"], "is_standard": True},
        )
        if spec.get("is_canonical") and not vocabulary.is_canonical:
            vocabulary.is_canonical = True
            vocabulary.save(update_fields=["is_canonical"])
        for position, (key, label) in enumerate(spec["terms"]):
            Term.objects.get_or_create(
                vocabulary=vocabulary, key=key, defaults={"label": label, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("business", "0006_vocabulary_canonical")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
