"""The sign-up form: one page creates the person's login and their company's workspace."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from identity.models import User
from tenants.services.companies import (
    company_create,
    company_name_validate,
    company_slug_validate,
)


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
        help_text="Lowercase letters, digits and hyphens. Your partners will see it.",
        widget=forms.TextInput(attrs={"placeholder": "acme-robotics", "autocapitalize": "none"}),
    )

    def clean_company_name(self) -> str:
        return company_name_validate(self.cleaned_data.get("company_name", ""))

    def clean_company_slug(self) -> str:
        return company_slug_validate(self.cleaned_data.get("company_slug", ""))


class CompanySignupForm(CompanyFieldsMixin):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: allauth adds e-mail and passwords to these fields.
    Everything is validated before anything is saved; the view runs in one transaction."""

    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["company_name", "company_slug", "full_name", "email", "password1", "password2"]

    def signup(self, request: HttpRequest, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
        try:
            company = company_create(
                actor=user,
                name=self.cleaned_data["company_name"],
                slug=self.cleaned_data["company_slug"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as exc:
            # Lost a race for the address after validation: undo the whole sign-up.
            raise SignupRace(exc) from exc
        request.session["signup_company_id"] = company.pk
        token = request.session.pop("partner_invitation", None)
        if token:
            from sharing.services.invitations import partner_invitation_redeem

            if partner_invitation_redeem(actor=user, company=company, token=token):
                request.session["signup_next"] = "/partners/"


class SignupRace(Exception):
    def __init__(self, error: ValidationError):
        super().__init__(str(error))
        self.error = error


class CompanyCreateForm(CompanyFieldsMixin):
    """For a signed-in user who adds another company to their account."""

    website = forms.URLField(required=False, assume_scheme="https")
