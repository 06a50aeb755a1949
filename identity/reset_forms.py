"""allauth's password reset form, with SSO enforcement (a module of its own: identity.forms
holds the sign-up form, which allauth's forms module imports while it loads)."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms

from identity.sso.enforcement import password_reset_refusal


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's reset form; an address whose company requires SSO is told where its password
    lives instead (identity.sso.enforcement)."""

    def clean_email(self) -> str:
        email = super().clean_email()
        if refusal := password_reset_refusal(email):
            raise forms.ValidationError(refusal)
        # a service account has no password to reset (answered like an unknown address)
        self.users = [u for u in getattr(self, "users", []) if not u.is_service_account]
        return email
