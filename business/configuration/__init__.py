"""A company's whole business configuration as JSON, to copy it between environments (test →
production): vocabularies and terms, custom fields, validation rules, stage requirements, and
the policies: the sharing policy (with its withheld fields), the approval rules and the
metrics. Partner mappings, partner classifications and saved views are left out: they name
companies and people, which differ between environments.

Import validates everything first — the document's shape (DRF serializers, `shapes`),
references between its parts and every formula against the fields the import leaves
(`validate`) — and then applies it in one transaction (`apply`), so a bad document changes
nothing. Existing items are updated by key; nothing is deleted (retire in the document
instead)."""

from business.configuration.apply import configuration_import
from business.configuration.export import configuration_export
from business.configuration.shapes import FORMAT, VERSION

__all__ = ["FORMAT", "VERSION", "configuration_export", "configuration_import"]
