from django.urls import path

from business import views

urlpatterns = [
    path("settings/fields/", views.field_list, name="business_fields"),
    path("settings/fields/new/", views.field_new, name="business_field_new"),
    path("settings/fields/<int:pk>/", views.field_edit, name="business_field_edit"),
    path("settings/fields/<int:pk>/retire/", views.field_retire_view, name="business_field_retire"),
    path("views/new/", views.saved_view_new, name="saved_view_new"),
    path("views/<int:pk>/delete/", views.saved_view_remove, name="saved_view_delete"),
    path("settings/rules/", views.rules_page, name="business_rules"),
    path("settings/sharing-policy/", views.sharing_policy_page, name="business_sharing_policy"),
    path("settings/configuration/", views.configuration_page, name="business_configuration"),
    path(
        "settings/configuration/export.json",
        views.configuration_export_view,
        name="business_configuration_export",
    ),
    path("settings/rules/<int:pk>/remove/", views.rule_remove_view, name="business_rule_remove"),
    path("settings/vocabularies/", views.vocabulary_list, name="business_vocabularies"),
    path("settings/vocabularies/<slug:key>/", views.vocabulary_detail, name="business_vocabulary"),
    path(
        "settings/vocabularies/<slug:key>/terms/<int:pk>/",
        views.term_update_view,
        name="business_term_update",
    ),
    path(
        "settings/vocabularies/<slug:key>/terms/<int:pk>/retire/",
        views.term_retire_view,
        name="business_term_retire",
    ),
]
