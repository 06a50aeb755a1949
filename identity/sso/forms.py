"""The SSO settings forms. Rules are typed one per line ("Sales Admins = admin")."""

from __future__ import annotations

from django import forms

from tenants.models import Role

ROLE_CHOICES = [(Role.MEMBER, "Member"), (Role.ADMIN, "Admin")]


class RoleRulesField(forms.CharField):
    widget = forms.Textarea(
        attrs={"rows": 3, "placeholder": "Partner Admins = admin\nSales = member"}
    )

    def to_python(self, value):  # type: ignore[no-untyped-def]
        rules = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            group, sep, role = line.rpartition("=")
            if not sep or not group.strip() or role.strip().lower() not in ("admin", "member"):
                raise forms.ValidationError(
                    f"Line {number}: write “group name = admin” or “group name = member”."
                )
            rules.append({"group": group.strip(), "role": role.strip().lower()})
        return rules

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, list):
            return "\n".join(f"{r['group']} = {r['role']}" for r in value)
        return value


class ConnectionCommonForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What your people see on the sign-in button.")
    default_role = forms.ChoiceField(
        choices=ROLE_CHOICES, label="Role of people who sign in for the first time"
    )
    groups_attribute = forms.CharField(
        max_length=120, initial="groups", label="Groups claim or attribute"
    )
    role_rules = RoleRulesField(
        required=False,
        label="Groups that give a role",
        help_text="One per line. Checked at every sign-in; owners keep their role.",
    )


class OidcConnectionForm(ConnectionCommonForm):
    oidc_issuer = forms.URLField(
        label="Issuer URL",
        assume_scheme="https",
        help_text="The discovery document is read from <issuer>/.well-known/openid-configuration.",
    )
    oidc_client_id = forms.CharField(max_length=255, label="Client id")
    oidc_client_secret = forms.CharField(
        max_length=2000,
        required=False,
        label="Client secret",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Stored encrypted. Leave empty to keep the current one.",
    )


class SamlConnectionForm(ConnectionCommonForm):
    saml_metadata_url = forms.URLField(
        required=False, label="IdP metadata URL", assume_scheme="https", max_length=500
    )
    saml_metadata_xml = forms.CharField(
        required=False,
        label="…or the IdP metadata XML",
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    saml_metadata_file = forms.FileField(required=False, label="…or upload the metadata file")
    saml_entity_id = forms.CharField(required=False, max_length=500, label="…or the IdP entity id")
    saml_sso_url = forms.URLField(
        required=False, max_length=500, label="IdP single sign-on URL", assume_scheme="https"
    )
    saml_x509cert = forms.CharField(
        required=False,
        max_length=20_000,
        label="IdP signing certificate (PEM)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        upload = data.pop("saml_metadata_file", None)
        if upload:
            if upload.size > 1_000_000:
                self.add_error("saml_metadata_file", "The file is larger than 1 MB.")
            else:
                data["saml_metadata_xml"] = upload.read().decode("utf-8", "replace")
        return data


class DomainForm(forms.Form):
    domain = forms.CharField(max_length=260, label="E-mail domain")


class EnforcementForm(forms.Form):
    required = forms.BooleanField(required=False, label="Require single sign-on for every member")
    break_glass = forms.MultipleChoiceField(
        required=False,
        label="Owners who may still use their password (break-glass)",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
