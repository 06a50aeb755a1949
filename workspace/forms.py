from __future__ import annotations

import zoneinfo

from django import forms

from tenants.models import Company, Offering, Role
from ui.forms import CommaListField
from workspace.models import MONTHS


class CompanyProfileForm(forms.Form):
    """Plain form (not a ModelForm): validating must not write into the live tenant object;
    the service decides what changed and saves it."""

    name = forms.CharField(label="Company name", max_length=120)
    website = forms.URLField(required=False, assume_scheme="https")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    industries = CommaListField(
        required=False, help_text="Comma-separated, e.g. Manufacturing, Healthcare."
    )
    regions = CommaListField(required=False, help_text="Comma-separated, e.g. EMEA, North America.")
    offerings = forms.MultipleChoiceField(
        choices=Offering.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="What you offer as a partner",
    )

    @classmethod
    def initial_for(cls, company: Company) -> dict:
        return {name: getattr(company, name) for name in cls.base_fields}

    def clean_industries(self) -> list[str]:
        return self._short_items("industries")

    def clean_regions(self) -> list[str]:
        return self._short_items("regions")

    def _short_items(self, field: str) -> list[str]:
        items = self.cleaned_data[field]
        if any(len(i) > 60 for i in items):
            raise forms.ValidationError("Each entry can be at most 60 characters.")
        if len(items) > 30:
            raise forms.ValidationError("List at most 30 entries.")
        return items


class WorkspaceSettingsForm(forms.Form):
    default_currency = forms.CharField(max_length=3, min_length=3, label="Default currency")
    fiscal_year_start_month = forms.TypedChoiceField(
        choices=MONTHS, coerce=int, label="Fiscal year starts in"
    )
    timezone = forms.ChoiceField(
        choices=[(z, z) for z in sorted(zoneinfo.available_timezones())], label="Time zone"
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
