"""The network's own host (BASE_DOMAIN): landing, sign-up, login discovery, platform admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import path

from ecosystem.urls_common import urlpatterns as common
from identity.views import find_company
from identity.workspace_views import company_new, network_home
from integrations.connect_views import oauth_bounce
from sharing.network.join_views import join

admin.site.site_header = "Ecosystem Cloud platform admin"
# Platform staff sign in through allauth like everyone (attempt limits, MFA); Django's own
# admin login form would take passwords without either.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", network_home, name="network_home"),
    path("find/", find_company, name="find_company"),
    path("companies/new/", company_new, name="company_new"),
    path("join/<uuid:token>/", join, name="partner_join"),
    # the CRMs' OAuth callback: one address for every company (integrations.connectors.oauth)
    path("integrations/oauth/callback/", oauth_bounce, name="integration_oauth_callback"),
    path("admin/", admin.site.urls),
    *common,
]

handler404 = "ecosystem.errors.not_found"
handler500 = "ecosystem.errors.failed"
