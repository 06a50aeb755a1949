from django import forms

from business.forms import CustomFieldsMixin
from pipeline.models import Opportunity


class OpportunityForm(CustomFieldsMixin, forms.ModelForm):
    object_type = Opportunity.kind_key
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "customer_name",
            "customer_domain",
            "amount",
            "currency",
            "close_date",
            "stage",
            "motion",
            "next_step",
            "private_notes",
        ]
        widgets = {
            "close_date": forms.DateInput(attrs={"type": "date"}),
            "private_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "name": "What you and your partners call the deal, e.g. “Contoso — 500 seats renewal”.",
            "customer_domain": "The deal joins the account with this web domain (or a new "
            "account); its name is the account's.",
            "private_notes": "Only your company ever sees these notes, even when the opportunity is shared.",
        }

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields["name"].required = True  # a new deal is named
        else:
            self.fields["name"].help_text = "Left blank, the deal is called by its customer's name."

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()
