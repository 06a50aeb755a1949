"""Settings pages where a company admin shapes the business schema, by subject (fields,
vocabularies, saved views, rules, export / import, the sharing policy). Thin: forms in,
services do the work."""

from business.views.configuration import configuration_export_view, configuration_page
from business.views.fields import field_edit, field_list, field_new, field_retire_view
from business.views.policy import sharing_policy_page
from business.views.rules import rule_remove_view, rules_page
from business.views.saved_views import saved_view_new, saved_view_remove
from business.views.vocabularies import (
    term_retire_view,
    term_update_view,
    vocabulary_detail,
    vocabulary_list,
)

__all__ = [
    "configuration_export_view",
    "configuration_page",
    "field_edit",
    "field_list",
    "field_new",
    "field_retire_view",
    "rule_remove_view",
    "rules_page",
    "saved_view_new",
    "saved_view_remove",
    "sharing_policy_page",
    "term_retire_view",
    "term_update_view",
    "vocabulary_detail",
    "vocabulary_list",
]
