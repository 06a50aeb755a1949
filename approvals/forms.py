from __future__ import annotations

from typing import Any

from django import forms

from approvals.models import ApproverRole
from kinds import kind_choices


class ApprovalRuleForm(forms.Form):
    # (checked by the service, with every other problem at once)
    name = forms.CharField(
        max_length=80, required=False, help_text="Shown to sharers and approvers."
    )
    object_type = forms.ChoiceField(label="Sharing", choices=lambda: kind_choices(shared=True))
    min_amount = forms.DecimalField(
        label="When the amount (opportunities) or budget (plans) is at least",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    currency = forms.CharField(
        max_length=3,
        required=False,
        help_text="The threshold's currency. A record in another currency always asks.",
    )
    partner_types = forms.MultipleChoiceField(
        label="With partners of these types",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Leave both conditions empty to approve every share of this kind.",
    )
    approver_role = forms.ChoiceField(label="Approved by", choices=ApproverRole.choices)

    def __init__(self, *args: Any, partner_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_types"].choices = partner_types


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, max_length=1000)
