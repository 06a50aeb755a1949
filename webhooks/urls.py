from django.urls import path

from webhooks import views

P = "settings/webhooks/<uuid:pk>/"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="settings_webhooks"),
    path("settings/webhooks/new/", views.endpoint_new, name="webhook_new"),
    path(P, views.endpoint_detail, name="webhook_endpoint"),
    path(P + "edit/", views.endpoint_edit, name="webhook_edit"),
    path(P + "switch/", views.endpoint_toggle, name="webhook_toggle"),
    path(P + "remove/", views.endpoint_remove_view, name="webhook_remove"),
    path(P + "secret/", views.secret_reveal_view, name="webhook_secret"),
    path(P + "secret/rotate/", views.secret_rotate_view, name="webhook_secret_rotate"),
    path(P + "test/", views.test_send_view, name="webhook_test"),
    path(P + "deliveries/<uuid:delivery_pk>/", views.delivery_detail, name="webhook_delivery"),
    path(
        P + "deliveries/<uuid:delivery_pk>/resend/",
        views.delivery_resend_view,
        name="webhook_resend",
    ),
]
