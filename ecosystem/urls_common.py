"""URLs both kinds of host serve: sign-in (allauth), health, workspace switching."""

from django.http import HttpResponse
from django.urls import include, path

from identity.login_views import LoginView
from identity.sso.views import oidc_callback, oidc_login, saml_finish_acs
from identity.views import CompanySignupView
from identity.workspace_views import company_switch


def healthz(request):  # type: ignore[no-untyped-def]
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("accounts/signup/", CompanySignupView.as_view(), name="account_signup"),
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    # allauth's OpenID Connect routes, wrapped so that an IdP that is down is a page, not a 500
    path(
        "accounts/oidc/<slug:provider_id>/login/",
        oidc_login,
        name="openid_connect_login",
    ),
    path(
        "accounts/oidc/<slug:provider_id>/login/callback/",
        oidc_callback,
        name="openid_connect_callback",
    ),
    # allauth's SAML ACS (second step), wrapped so that a replayed or unrequested answer is our
    # refusal page, not a bare 403
    path(
        "accounts/saml/<organization_slug>/acs/finish/",
        saml_finish_acs,
        name="saml_finish_acs",
    ),
    path("accounts/", include("allauth.urls")),
    path("switch/<slug:slug>/", company_switch, name="company_switch"),
    path("healthz", healthz, name="healthz"),
]
