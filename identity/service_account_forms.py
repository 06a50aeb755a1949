"""Forms for service accounts, personal tokens' scopes and the SCIM settings."""

from __future__ import annotations

from django import forms

from identity.scopes import ALL_SCOPES, FAMILIES
from identity.service_accounts import ROTATION_OVERLAPS_HOURS
from tenants.models import Role

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]
OVERLAP_LABELS = {0: "Stop the old token now", 1: "1 hour", 24: "24 hours", 168: "7 days"}


def _scope_choices() -> list[tuple[str, str]]:
    choices = []
    for scope in ALL_SCOPES:
        family, _, level = scope.partition(":")
        what = FAMILIES[family].split(":")[0]
        choices.append((scope, f"{what}: {'read and write' if level == 'write' else 'read'}"))
    return choices


class ScopesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("choices", _scope_choices())
        kwargs.setdefault("label", "What it may do")
        kwargs.setdefault(
            "help_text", "Read and write includes read. Choose only what the integration needs."
        )
        super().__init__(**kwargs)


class ServiceAccountForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Name it after the integration.")
    description = forms.CharField(max_length=300, required=False, label="What it is for")
    scopes = ScopesField()
    role = forms.ChoiceField(
        choices=[(Role.MEMBER, "Member"), (Role.ADMIN, "Admin")],
        help_text="An admin service account may change the company profile through the API. "
        "Service accounts never approve shares, whatever their role.",
    )
    owner = forms.ChoiceField(
        label="Owner", help_text="Told before the account expires and when its token is rotated."
    )
    expires_in_days = forms.ChoiceField(
        choices=EXPIRY_CHOICES, required=False, label="Expires after", initial="365"
    )

    def __init__(self, *args, owners: list[tuple[str, str]], editing: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        if editing:
            del self.fields["role"]
            del self.fields["expires_in_days"]


class RotateForm(forms.Form):
    overlap_hours = forms.TypedChoiceField(
        coerce=int,
        choices=[(h, OVERLAP_LABELS[h]) for h in ROTATION_OVERLAPS_HOURS],
        initial=24,
        label="Keep the old token working for",
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="What will use it?")
    scopes = ScopesField(initial=[s for s in ALL_SCOPES if s.endswith(":read")])
    expires_in_days = forms.ChoiceField(
        choices=[("30", "30 days"), ("90", "90 days"), ("366", "1 year"), ("", "Never")],
        required=False,
        initial="90",
        label="Expires after",
    )
