"""Saved list views: create, list what a person may use, delete their own."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from business.models import SavedView
from identity.models import User
from kinds import record_type_keys

# What a view may carry: the list's own parameters, never paging or anything else.
CORE_PARAMS = {
    "q",
    "stage",
    "motion",
    "close_after",
    "close_before",
    "shared",
    "sort",
    "status",
    "cols",
}


def _clean_query(raw: str) -> str:
    params = QueryDict(raw)
    kept = [
        (key, value)
        for key in params
        if key in CORE_PARAMS or key.startswith("cf_")
        for value in params.getlist(key)
        if value != ""
    ]
    return urlencode(kept)


def saved_view_create(
    *, actor: User, object_type: str, name: str, query: str, shared: bool
) -> SavedView:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Give the view a name."]
    elif len(name) > 80:
        errors["name"] = ["Keep the name under 80 characters."]
    if object_type not in record_type_keys():
        errors["object_type"] = ["Unknown record type."]
    if errors:
        raise ValidationError(errors)
    return SavedView.objects.create(
        object_type=object_type,
        name=name,
        query=_clean_query(query)[:2000],
        owner=actor,
        shared=bool(shared),
    )


def saved_views_for(*, user: User, object_type: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(object_type=object_type).filter(Q(owner=user) | Q(shared=True))


def saved_view_delete(*, actor: User, pk: int) -> SavedView:
    """Only the person who saved a view deletes it (a shared view too)."""
    view = SavedView.objects.filter(pk=pk, owner=actor).first()
    if view is None:
        raise Http404("No such view.")
    view.delete()
    return view
