"""The API's filter backend (a module of its own: DRF imports it from settings while
rest_framework.generics is still loading, so it must not import DRF views)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend

from business.query import custom_list_query, without_custom_sort
from business.selectors import catalog_for


class CustomFieldsFilterBackend(DjangoFilterBackend):
    """django-filter's backend, plus cf_ filters and sorts on views that name the record type
    they list (`custom_object_type`). Bad custom filter values answer 400 under custom_fields."""

    def get_filterset_kwargs(self, request, queryset, view):  # type: ignore[no-untyped-def]
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["data"] = without_custom_sort(kwargs["data"])
        return kwargs

    def filter_queryset(self, request, queryset, view):  # type: ignore[no-untyped-def]
        queryset = super().filter_queryset(request, queryset, view)
        object_type = getattr(view, "custom_object_type", None)
        if not object_type:
            return queryset
        if not any(str(k).startswith("cf_") for k in request.query_params) and not str(
            request.query_params.get("sort", "")
        ).lstrip("-").startswith("cf_"):
            return queryset  # nothing custom asked: no schema queries
        catalog = catalog_for(object_type=object_type, company=request.tenant)
        queryset, errors = custom_list_query(queryset, catalog=catalog, params=request.query_params)
        if errors:
            raise DjangoValidationError(errors)
        return queryset
