"""Serializer fields about people, shared by the record kinds' APIs."""

from __future__ import annotations

from rest_framework import serializers

from identity.models import User


class CompanyPersonField(serializers.SlugRelatedField):
    """A person of the calling company, written as their e-mail: only this company's people
    (never a service account) are found, so the answer never tells whether an address is
    registered elsewhere on the network."""

    default_error_messages = {
        "does_not_exist": "No one at your company has the e-mail address {value}.",
        "invalid": "Give an e-mail address.",
    }

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("slug_field", "email")
        super().__init__(**kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request = self.context.get("request")
        tenant = getattr(request, "tenant", None)
        return User.objects.filter(memberships__company=tenant, is_service_account=False).distinct()
