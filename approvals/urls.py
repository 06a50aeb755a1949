from django.urls import path

from approvals import views

urlpatterns = [
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("approvals/<uuid:pk>/approve/", views.approve_view, name="approval_approve"),
    path("approvals/<uuid:pk>/reject/", views.reject_view, name="approval_reject"),
    path("approvals/<uuid:pk>/withdraw/", views.withdraw_view, name="approval_withdraw"),
    path("settings/approvals/", views.approval_rules_page, name="approval_rules"),
    path(
        "settings/approvals/<int:pk>/toggle/",
        views.approval_rule_toggle_view,
        name="approval_rule_toggle",
    ),
    path(
        "settings/approvals/<int:pk>/remove/",
        views.approval_rule_remove_view,
        name="approval_rule_remove",
    ),
]
