"""The sign-up form: one page asks for the person's login and their company's workspace."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from identity.models import User
from identity.signup import signup_intent_record
from tenants.services.companies import company_name_validate, company_slug_validate


class CompanyFieldsMixin(forms.Form):
    company_name = forms.CharField(
        label="Company name",
        max_length=120,
        widget=forms.TextInput(
            attrs={"placeholder": "Acme Robotics", "autocomplete": "organization"}
        ),
    )
    company_slug = forms.CharField(
        label="Workspace address",
        max_length=40,
        help_text="3–40 lowercase letters, digits and single hyphens. Your partners will see it.",
        widget=forms.TextInput(attrs={"placeholder": "acme-robotics", "autocapitalize": "none"}),
    )

    def clean_company_name(self) -> str:
        return company_name_validate(self.cleaned_data.get("company_name", ""))

    def clean_company_slug(self) -> str:
        return company_slug_validate(self.cleaned_data.get("company_slug", ""))


class CompanySignupForm(CompanyFieldsMixin):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: allauth adds e-mail and passwords to these fields.
    Everything is validated before anything is saved; the view runs in one transaction. The
    workspace itself is opened once the e-mail is verified (identity.signup)."""

    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["company_name", "company_slug", "full_name", "email", "password1", "password2"]

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by allauth for a new account only (an address that already has one gets the
        same answer and an e-mail saying so, and nothing is recorded)."""
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        signup_intent_record(
            user=user,
            company_name=self.cleaned_data["company_name"],
            company_slug=self.cleaned_data["company_slug"],
            partner_invitation=request.session.pop("partner_invitation", None),
        )


class CompanyCreateForm(CompanyFieldsMixin):
    """For a signed-in user who adds another company to their account."""

    website = forms.URLField(required=False, assume_scheme="https")
