from django.apps import AppConfig


class BusinessConfig(AppConfig):
    """A company's own business schema (its schema): custom fields per object type and the
    vocabularies their choices come from. Pages, forms, filters and the API read it."""

    name = "business"
    verbose_name = "Business schema"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from business.labels import forget_company_labels
        from business.models import Term

        # runs in the schema of the change, so the tenant-prefixed key is that company's
        post_save.connect(forget_company_labels, sender=Term, dispatch_uid="labels-term-save")
        post_delete.connect(forget_company_labels, sender=Term, dispatch_uid="labels-term-delete")
