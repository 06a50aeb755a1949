from __future__ import annotations

from typing import Any

from django import forms

from business.models import FieldDefinition
from business.registry import object_type_choices
from kinds import kind_get
from reports.metrics import group_choices, measure_choices
from reports.models import ChartType, Measure


def _plural(object_type: str, label: str) -> str:
    spec = kind_get(object_type)
    return spec.plural if spec is not None else label


class MetricForm(forms.Form):
    name = forms.CharField(max_length=80)
    object_type = forms.ChoiceField(label="Records")
    measure = forms.ChoiceField(label="Measure", choices=Measure.choices)
    field = forms.ChoiceField(label="Field (to sum or average)", required=False)
    group_by = forms.ChoiceField(label="Group by", required=False)
    open_only = forms.BooleanField(
        label="Only open opportunities (leave out won and lost)", required=False
    )
    chart = forms.ChoiceField(label="Draw as", choices=ChartType.choices)
    on_dashboard = forms.BooleanField(label="Show on the dashboard", required=False, initial=True)
    # (bounds checked by the service, with the rest of the definition)
    position = forms.IntegerField(required=False, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = object_type_choices()
        self.fields["object_type"].choices = types
        definitions = list(FieldDefinition.objects.filter(retired_at__isnull=True))
        self.fields["field"].choices = [("", "—")] + [
            (_plural(t, label), measure_choices(t, definitions))
            for t, label in types
            if measure_choices(t, definitions)
        ]
        self.fields["group_by"].choices = [("", "Nothing: one number")] + [
            (_plural(t, label), group_choices(t, definitions))
            for t, label in types
            if group_choices(t, definitions)
        ]
