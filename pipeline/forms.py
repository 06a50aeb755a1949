from django import forms

from pipeline.models import Opportunity
from sharing.models import SharingRole


class OpportunityForm(forms.ModelForm):
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
            "private_notes": "Only your company ever sees these notes, even when the opportunity is shared."
        }

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()


class ShareForm(forms.Form):
    partner = forms.ChoiceField(label="Partner company")
    role = forms.ChoiceField(choices=SharingRole.choices, initial=SharingRole.CONTRIBUTOR)
    users = forms.MultipleChoiceField(
        required=False,
        label="Only these people (optional)",
        help_text="Leave empty to share with the whole company.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, partners=(), people=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "Choose a partner…")] + [
            (p.slug, p.name) for p in partners
        ]
        self.fields["users"].choices = [
            (str(u.pk), f"{u.get_full_name()} <{u.email}>") for u in people
        ]
