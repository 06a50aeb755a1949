from django import forms

from business.forms import CustomFieldsMixin
from solutions.models import Solution, SolutionStatus
from ui.forms import CommaListField


class SolutionForm(CustomFieldsMixin, forms.Form):
    object_type = Solution.kind_key
    name = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    categories = CommaListField(
        required=False, help_text="Comma-separated, e.g. Data platform, Security."
    )
    industries = CommaListField(required=False, help_text="Comma-separated.")
    regions = CommaListField(required=False, help_text="Comma-separated.")
    status = forms.ChoiceField(choices=SolutionStatus.choices)
    is_public = forms.BooleanField(
        required=False,
        label="List it on our public company profile",
        help_text="Every company on the network can then see its name, summary, categories, industries and regions.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        for field in ("categories", "industries", "regions"):
            if any(len(item) > 60 for item in data.get(field) or []):
                self.add_error(field, "Each entry can be at most 60 characters.")
        return data
