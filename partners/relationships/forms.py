from __future__ import annotations

from typing import Any

from django import forms

from business.forms import CustomFieldsMixin
from partners.relationships.models import PartnerRelationship


class RelationshipForm(CustomFieldsMixin, forms.Form):
    object_type = PartnerRelationship.kind_key
    partner_type = forms.ChoiceField(
        label="Partner type (how we classify them)",
        required=False,
        help_text="Your sharing and approval policies read it. Only admins change it.",
    )
    manager_id = forms.TypedChoiceField(
        label="Partner manager", required=False, coerce=int, empty_value=None
    )
    notes = forms.CharField(
        label="Internal notes",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only your company sees them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        partner_types: list[tuple[str, str]],
        people: list[tuple[int, str]],
        may_classify: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].choices = [("", "Not classified"), *partner_types]
        self.fields["partner_type"].disabled = not may_classify
        self.fields["manager_id"].choices = [("", "—"), *[(str(pk), n) for pk, n in people]]
