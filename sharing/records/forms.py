from django import forms

from sharing.models import DealRole, SharingRole


class ShareForm(forms.Form):
    partner = forms.ChoiceField(label="Partner company")
    role = forms.ChoiceField(choices=SharingRole.choices, initial=SharingRole.CONTRIBUTOR)
    deal_role = forms.ChoiceField(
        required=False,
        label="Their part in the deal",
        choices=[("", "Not set")] + DealRole.choices,
        help_text="What your field policy reads; they can't change a part you set.",
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        label="Note for the approver (if this share needs approval)",
    )
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
