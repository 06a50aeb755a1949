from django.urls import path

from identity.scim import views

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config, name="scim_config"),
    path("ResourceTypes", views.resource_types, name="scim_resource_types"),
    path("ResourceTypes/<str:key>", views.resource_types, name="scim_resource_type"),
    path("Schemas", views.schemas, name="scim_schemas"),
    path("Schemas/<str:key>", views.schemas, name="scim_schema"),
    path("Users/.search", views.users_search, name="scim_users_search"),
    path("Groups/.search", views.groups_search, name="scim_groups_search"),
    path(".search", views.root_search, name="scim_search"),
    path("Users", views.users, name="scim_users"),
    path("Users/<str:pk>", views.user, name="scim_user"),
    path("Groups", views.groups, name="scim_groups"),
    path("Groups/<str:pk>", views.group, name="scim_group"),
    path("", views.unknown, name="scim_root"),
    path("<path:rest>", views.unknown, name="scim_unknown"),
]
