from django import forms

from accounts.models import Account
from accounts.vocabularies import term_choices
from business.forms import CustomFieldsMixin


class AccountForm(CustomFieldsMixin, forms.Form):
    object_type = Account.kind_key
    name = forms.CharField(max_length=200)
    domains = forms.CharField(
        required=False,
        max_length=2000,
        label="Web domains",
        help_text="The customer's web sites, comma-separated (the first is the main one). "
        "Opportunities with a customer at one of them join this account.",
    )
    industry = forms.ChoiceField(required=False)
    region = forms.ChoiceField(required=False)
    market_unit = forms.ChoiceField(required=False, label="Market unit")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, current: dict[str, str] | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for field, choices in term_choices(current=current).items():
            self.fields[field].choices = choices

    def clean_domains(self) -> list[str]:
        # normalised and checked by the service (accounts.domains), which names bad entries
        text = self.cleaned_data.get("domains") or ""
        return [d for d in (p.strip() for p in text.replace("\n", ",").split(",")) if d]
