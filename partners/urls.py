"""The partner pages: our partners, the directory, a company's profile, partnership actions
and our own record of each partner."""

from django.urls import path

from partners import views
from partners.relationships import views as relationship_views

urlpatterns = [
    path("partners/", views.partners, name="partners"),
    path("partners/directory/", views.directory, name="partner_directory"),
    path("partners/invite-by-email/", views.partner_invite_by_email, name="partner_invite_email"),
    path("partners/directory/<slug:slug>/", views.company_profile, name="partner_company"),
    path(
        "partners/directory/<slug:slug>/invite/",
        views.partnership_invite_view,
        name="partnership_invite",
    ),
    path("partners/<uuid:pk>/accept/", views.partnership_accept_view, name="partnership_accept"),
    path("partners/<uuid:pk>/decline/", views.partnership_decline_view, name="partnership_decline"),
    path("partners/<uuid:pk>/end/", views.partnership_end_view, name="partnership_end"),
    path("partners/<uuid:pk>/", relationship_views.partner_detail, name="partner_detail"),
    path("partners/<uuid:pk>/edit/", relationship_views.partner_edit, name="partner_edit"),
]
