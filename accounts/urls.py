from django.urls import path

from accounts import views

urlpatterns = [
    path("customers/", views.account_list, name="account_list"),
    path("customers/new/", views.account_new, name="account_new"),
    path("customers/<uuid:pk>/", views.account_detail, name="account_detail"),
    path("customers/<uuid:pk>/edit/", views.account_edit, name="account_edit"),
    path("customers/<uuid:pk>/archive/", views.account_archive_view, name="account_archive"),
]
