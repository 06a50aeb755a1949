from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("settings/metrics/", views.metric_settings, name="metric_settings"),
    path("settings/metrics/<int:pk>/", views.metric_edit, name="metric_edit"),
    path("settings/metrics/<int:pk>/remove/", views.metric_remove_view, name="metric_remove"),
]
