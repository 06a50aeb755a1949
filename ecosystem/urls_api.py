from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from approvals.api import ShareRequestViewSet
from business.api import FieldDefinitionViewSet
from identity.api import TokenViewSet
from kinds import kinds_all
from reports.api import MetricViewSet
from sharing.collaboration.api import SharedRecordViewSet
from sharing.network.api import DirectoryViewSet, PartnershipViewSet
from tenants.api import CompanyView, IsCompanyMember, MeView
from webhooks.api import WebhookEndpointViewSet, WebhookEventTypeViewSet


class ApiSchemaView(SpectacularAPIView):
    # the description carries the company's custom fields and vocabularies: its configuration
    token_scope = "configuration"


class ApiDocsView(SpectacularSwaggerSplitView):
    token_scope = "configuration"


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# every record kind's collections, as its spec declares them (kinds registry)
for kind in kinds_all():
    for route in kind.api:
        router.register(route.prefix, import_string(route.viewset), basename=route.basename)
router.register("shared", SharedRecordViewSet, basename="api-shared")
router.register("partnerships", PartnershipViewSet, basename="api-partnership")
router.register("directory", DirectoryViewSet, basename="api-directory")
router.register("tokens", TokenViewSet, basename="api-token")
router.register("fields", FieldDefinitionViewSet, basename="api-field")
router.register("approvals", ShareRequestViewSet, basename="api-approval")
router.register("metrics", MetricViewSet, basename="api-metric")
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="api-webhook-endpoint")
router.register("webhooks/event-types", WebhookEventTypeViewSet, basename="api-webhook-event-type")

urlpatterns = [
    path("me/", MeView.as_view(), name="api_me"),
    path("company/", CompanyView.as_view(), name="api_company"),
    path("", include(router.urls)),
    # The API description is served to the company's members like everything on its host.
    path(
        "schema/",
        ApiSchemaView.as_view(permission_classes=[IsCompanyMember]),
        name="api_schema",
    ),
    # Swagger UI's start-up script is served from docs/?script= rather than inline, for the CSP.
    path(
        "docs/",
        ApiDocsView.as_view(
            url_name="api_schema",
            template_name="api/swagger_ui.html",
            permission_classes=[IsCompanyMember],
        ),
        name="api_docs",
    ),
]
