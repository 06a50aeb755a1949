from django.apps import AppConfig


class BusinessConfig(AppConfig):
    """A company's own business schema (its schema): custom fields per object type and the
    vocabularies their choices come from. Pages, forms, filters and the API read it."""

    name = "business"
    verbose_name = "Business schema"
