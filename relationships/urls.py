from django.urls import path

from relationships import views

urlpatterns = [
    path("partners/<uuid:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<uuid:pk>/edit/", views.partner_edit, name="partner_edit"),
]
