from django import forms

from business.forms import CustomFieldsMixin
from marketing.models import MarketingPlan


class PlanForm(CustomFieldsMixin, forms.ModelForm):
    object_type = MarketingPlan.kind_key
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MarketingPlan
        fields = ["name", "objective", "period_start", "period_end", "budget", "currency"]
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 3}),
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").upper()


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    target_leads = forms.IntegerField(min_value=0, initial=0)
    target_pipeline = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, initial=0)


class TaskForm(forms.Form):
    title = forms.CharField(max_length=300)
    owner_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Owner")
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "—")] + [
            (m.user_id, m.user.get_full_name()) for m in members
        ]
