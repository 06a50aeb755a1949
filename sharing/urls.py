from django.urls import path

from sharing.collaboration import views as record_views
from sharing.records import mapping_views, notification_views

urlpatterns = [
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("shared/", record_views.shared_inbox, name="shared_inbox"),
    path("shared/export.csv", record_views.shared_inbox_export, name="shared_inbox_export"),
    path("shared/<uuid:pk>/", record_views.shared_detail, name="shared_detail"),
    path("shared/<uuid:pk>/settings/", record_views.shared_settings, name="shared_settings"),
    path(
        "shared/<uuid:pk>/collaborate/", record_views.shared_collaborate, name="shared_collaborate"
    ),
    path("shared/<uuid:pk>/section/", record_views.shared_section, name="shared_section"),
    path("shared/<uuid:pk>/adopt/", record_views.shared_adopt, name="shared_adopt"),
    path("shared/<uuid:pk>/comments/", record_views.shared_comment, name="shared_comment"),
    path("settings/mappings/", mapping_views.partner_field_mappings, name="business_mappings"),
]
