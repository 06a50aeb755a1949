from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenants.api import CompanyView, MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api_me"),
    path("company/", CompanyView.as_view(), name="api_company"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
