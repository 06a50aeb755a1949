from django import forms


class TrytonConnectForm(forms.Form):
    name = forms.CharField(
        max_length=100, initial="Tryton", help_text="How your team calls this CRM."
    )
    url = forms.URLField(
        label="Server address",
        max_length=300,
        help_text="Where your Tryton server answers, e.g. https://tryton.example.com",
        assume_scheme="https",
    )
    database = forms.CharField(max_length=100, help_text="The Tryton database to sync with.")
    login = forms.CharField(
        max_length=100,
        label="Tryton user",
        help_text="A Tryton user for the sync (not a person's): it needs the Sales and Sale Opportunity groups.",
    )
    password = forms.CharField(
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Kept encrypted; never shown again.",
    )

    def __init__(self, *args, reconnect: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if reconnect:
            self.fields["password"].help_text = "Leave empty to keep the one we have."
            del self.fields["name"]
        else:
            self.fields["password"].required = True

    def clean_url(self) -> str:
        return self.cleaned_data["url"].rstrip("/")

    def settings(self) -> dict[str, str]:
        return {"url": self.cleaned_data["url"], "database": self.cleaned_data["database"].strip()}

    def secret(self) -> dict[str, str]:
        return {
            "login": self.cleaned_data["login"].strip(),
            "password": self.cleaned_data.get("password") or "",
        }


class SalesforceConnectForm(forms.Form):
    """Salesforce connects through its sign-in (OAuth with PKCE): no password is typed here."""

    name = forms.CharField(
        max_length=100, initial="Salesforce", help_text="How your team calls this CRM."
    )
    environment = forms.ChoiceField(
        choices=[("production", "Production org"), ("sandbox", "Sandbox")],
        initial="production",
        help_text="A sandbox signs in at test.salesforce.com.",
    )

    def __init__(self, *args, reconnect: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if reconnect:
            del self.fields["name"]

    def settings(self) -> dict[str, str]:
        return {"environment": self.cleaned_data["environment"]}


class HubSpotConnectForm(forms.Form):
    """A private app's token, typed here; or HubSpot's sign-in (the page's other button)."""

    name = forms.CharField(
        max_length=100, initial="HubSpot", help_text="How your team calls this CRM."
    )
    token = forms.CharField(
        label="Private app token",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=(
            "In HubSpot: Settings → Integrations → Private apps, with the CRM companies and "
            "deals scopes (read and write). Kept encrypted; never shown again."
        ),
    )

    def __init__(self, *args, reconnect: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if reconnect:
            del self.fields["name"]

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "").strip()
        if token and (len(token) < 20 or any(c.isspace() for c in token)):
            raise forms.ValidationError("That does not look like a HubSpot private app token.")
        return token

    def settings(self) -> dict[str, str]:
        return {"auth": "private_app"}

    def secret(self) -> dict[str, str]:
        return {"access_token": self.cleaned_data.get("token", "")}
