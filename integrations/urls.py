from django.urls import path

from integrations import connect_views, views
from integrations.files import views as file_views

P = "settings/integrations/<uuid:pk>/"

urlpatterns = [
    path("imports/", file_views.import_list, name="import_list"),
    path("imports/<uuid:pk>/", file_views.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/run/", file_views.import_run, name="import_run"),
    path("imports/<uuid:pk>/progress/", file_views.import_progress_view, name="import_progress"),
    path(
        "imports/<uuid:pk>/failed-rows.csv",
        file_views.import_failed_rows,
        name="import_failed_rows",
    ),
    path("exports/<slug:kind>.<slug:fmt>", file_views.export_view, name="export"),
    path("integrations/hooks/<uuid:pk>/", views.change_notice, name="integration_change_notice"),
    path("shared/<uuid:pk>/add-to-crm/", views.shared_add_to_crm, name="shared_add_to_crm"),
    path("settings/integrations/", views.integrations_list, name="settings_integrations"),
    path(
        "settings/integrations/new/<slug:connector>/",
        connect_views.connection_new,
        name="integration_new",
    ),
    path(
        "settings/integrations/oauth/return/",
        connect_views.oauth_return,
        name="integration_oauth_return",
    ),
    path(P, views.connection_detail, name="integration_detail"),
    path(P + "runs/<uuid:run_pk>/progress/", views.run_progress, name="integration_run_progress"),
    path(P + "reconnect/", connect_views.connection_reconnect, name="integration_reconnect"),
    path(P + "mapping/", views.connection_mapping, name="integration_mapping"),
    path(P + "mapping/<int:mapping_pk>/", views.mapping_save, name="integration_mapping_save"),
    path(
        P + "mapping/<int:mapping_pk>/preview/",
        views.mapping_preview_view,
        name="integration_preview",
    ),
    path(P + "refresh/", views.connection_refresh_view, name="integration_refresh"),
    path(P + "switch-on/", views.connection_switch_on_view, name="integration_switch_on"),
    path(P + "sync/", views.connection_sync_now, name="integration_sync"),
    path(P + "pause/", views.connection_pause_view, name="integration_pause"),
    path(
        P + "hook-secret/rotate/", views.webhook_secret_rotate_view, name="integration_hook_rotate"
    ),
    path(P + "disconnect/", views.connection_disconnect_view, name="integration_disconnect"),
    path(P + "conflicts/", views.connection_conflicts, name="integration_conflicts"),
    path(
        P + "conflicts/<uuid:conflict_pk>/resolve/",
        views.conflict_resolve_view,
        name="integration_conflict_resolve",
    ),
    path(P + "dead-letters/", views.connection_letters, name="integration_letters"),
    path(
        P + "dead-letters/<uuid:letter_pk>/replay/",
        views.letter_replay,
        name="integration_letter_replay",
    ),
]
