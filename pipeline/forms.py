from django import forms

from business.forms import CustomFieldsMixin
from pipeline.models import Opportunity


class OpportunityForm(CustomFieldsMixin, forms.ModelForm):
    object_type = Opportunity.kind_key
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = [
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
            "customer_domain": "The deal joins the account with this web domain (or a new "
            "account); its name is the account's.",
            "private_notes": "Only your company ever sees these notes, even when the opportunity is shared.",
        }

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()
