"""A company's host (<slug>.BASE_DOMAIN): its workspace and its API."""

from django.urls import include, path

from ecosystem.urls_common import urlpatterns as common
from home.views import dashboard
from identity.workspace_views import handoff_redeem_view
from kinds import kinds_all
from workspace import views

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("", include("sharing.urls")),
    # every record kind's pages, as its spec declares them (kinds registry)
    *[path("", include(kind.urls)) for kind in kinds_all() if kind.urls],
    path("", include("business.urls")),
    path("", include("approvals.urls")),
    path("", include("partners.urls")),
    path("", include("reports.urls")),
    path("settings/", views.settings_profile, name="settings_profile"),
    path("settings/workspace/", views.settings_workspace, name="settings_workspace"),
    path("settings/members/", views.settings_members, name="settings_members"),
    path("settings/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("settings/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("settings/audit/", views.settings_audit, name="settings_audit"),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path(
        "settings/tokens/<int:pk>/revoke/",
        views.settings_token_revoke,
        name="settings_token_revoke",
    ),
    path("settings/audit/export.csv", views.settings_audit_export, name="settings_audit_export"),
    path("auth/handoff/", handoff_redeem_view, name="handoff_redeem"),
    path("api/v1/", include("ecosystem.urls_api")),
    *common,
]

handler404 = "ecosystem.errors.not_found"
handler500 = "ecosystem.errors.failed"
