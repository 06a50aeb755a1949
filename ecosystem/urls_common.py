"""URLs both kinds of host serve: sign-in (allauth), health, workspace switching."""

from django.http import HttpResponse
from django.urls import include, path

from identity.login_views import LoginView
from identity.views import CompanySignupView
from identity.workspace_views import company_switch


def healthz(request):  # type: ignore[no-untyped-def]
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("accounts/signup/", CompanySignupView.as_view(), name="account_signup"),
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("switch/<slug:slug>/", company_switch, name="company_switch"),
    path("healthz", healthz, name="healthz"),
]
