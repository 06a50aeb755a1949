from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenants.api import CompanyView, IsCompanyMember, MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api_me"),
    path("company/", CompanyView.as_view(), name="api_company"),
    # The API description is served to the company's members like everything on its host.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsCompanyMember]),
        name="api_schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api_schema", permission_classes=[IsCompanyMember]),
        name="api_docs",
    ),
]
