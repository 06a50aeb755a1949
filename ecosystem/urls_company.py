"""A company's host (<slug>.BASE_DOMAIN): its workspace and its API."""

from django.urls import include, path

from ecosystem.urls_common import urlpatterns as common
from home.views import dashboard
from identity import service_account_views as sa_views
from identity.invitation_views import invitation_page
from identity.sso import views as sso_views
from identity.workspace_views import handoff_redeem_view
from kinds import kinds_all
from workspace import member_views, views

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("", include("sharing.urls")),
    # every record kind's pages, as its spec declares them (kinds registry)
    *[path("", include(kind.urls)) for kind in kinds_all() if kind.urls],
    path("", include("business.urls")),
    path("", include("approvals.urls")),
    path("", include("partners.urls")),
    path("", include("reports.urls")),
    path("", include("integrations.urls")),
    path("", include("webhooks.urls")),
    path("settings/", views.settings_profile, name="settings_profile"),
    path("settings/workspace/", views.settings_workspace, name="settings_workspace"),
    path("settings/members/", member_views.settings_members, name="settings_members"),
    path("settings/members/invite/", member_views.members_invite, name="members_invite"),
    path(
        "settings/invitations/<uuid:pk>/resend/",
        member_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "settings/invitations/<uuid:pk>/revoke/",
        member_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/members/<int:pk>/role/", member_views.member_role, name="member_role"),
    path("settings/members/<int:pk>/remove/", member_views.member_remove, name="member_remove"),
    path(
        "settings/members/<int:pk>/sign-out/",
        member_views.member_sign_out,
        name="member_sign_out",
    ),
    path(
        "settings/service-accounts/",
        sa_views.settings_service_accounts,
        name="settings_service_accounts",
    ),
    path(
        "settings/service-accounts/<uuid:pk>/",
        sa_views.service_account,
        name="service_account",
    ),
    path(
        "settings/service-accounts/<uuid:pk>/rotate/",
        sa_views.service_account_rotate_view,
        name="service_account_rotate",
    ),
    path(
        "settings/service-accounts/<uuid:pk>/disable/",
        sa_views.service_account_disable_view,
        name="service_account_disable",
    ),
    path("settings/provisioning/", sa_views.settings_provisioning, name="settings_provisioning"),
    path(
        "settings/provisioning/token/",
        sa_views.provisioning_token,
        name="provisioning_token",
    ),
    path(
        "settings/provisioning/disable/",
        sa_views.provisioning_disable,
        name="provisioning_disable",
    ),
    path(
        "settings/provisioning/groups/<uuid:pk>/role/",
        sa_views.provisioning_group_role,
        name="provisioning_group_role",
    ),
    path("settings/sso/", sso_views.settings_sso, name="settings_sso"),
    path(
        "settings/sso/new/<slug:protocol>/",
        sso_views.sso_connection_new,
        name="sso_connection_new",
    ),
    path("settings/sso/<uuid:pk>/", sso_views.sso_connection, name="sso_connection"),
    path("settings/sso/<uuid:pk>/test/", sso_views.sso_connection_test, name="sso_connection_test"),
    path(
        "settings/sso/<uuid:pk>/enable/",
        sso_views.sso_connection_enable,
        name="sso_connection_enable",
    ),
    path(
        "settings/sso/<uuid:pk>/remove/",
        sso_views.sso_connection_remove,
        name="sso_connection_remove",
    ),
    path("settings/sso/domains/", sso_views.sso_domain_add, name="sso_domain_add"),
    path(
        "settings/sso/domains/<uuid:pk>/verify/",
        sso_views.sso_domain_verify,
        name="sso_domain_verify",
    ),
    path(
        "settings/sso/domains/<uuid:pk>/remove/",
        sso_views.sso_domain_remove,
        name="sso_domain_remove",
    ),
    path("settings/sso/enforcement/", sso_views.sso_enforcement, name="sso_enforcement"),
    path("sso/<slug:provider_id>/start/", sso_views.sso_start, name="sso_start"),
    path("settings/sessions/", member_views.settings_sessions, name="settings_sessions"),
    path("settings/sessions/<uuid:pk>/end/", member_views.session_end, name="session_end"),
    path(
        "settings/sessions/end-others/",
        member_views.sessions_end_others,
        name="sessions_end_others",
    ),
    path("settings/audit/", views.settings_audit, name="settings_audit"),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path(
        "settings/tokens/<int:pk>/revoke/",
        views.settings_token_revoke,
        name="settings_token_revoke",
    ),
    path("settings/audit/export.csv", views.settings_audit_export, name="settings_audit_export"),
    path("auth/handoff/", handoff_redeem_view, name="handoff_redeem"),
    path("invitations/<str:secret>/", invitation_page, name="colleague_invitation"),
    path("api/v1/", include("ecosystem.urls_api")),
    # the company's IdP provisions its people (identity.scim); authenticated by its SCIM token
    path("scim/v2/", include("identity.scim.urls")),
    *common,
]

handler404 = "ecosystem.errors.not_found"
handler500 = "ecosystem.errors.failed"
