from django import forms

from webhooks.catalogue import EVENT_TYPES
from webhooks.services import DEFAULT_GRACE_HOURS, ROTATION_GRACE_HOURS


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=2000,
        help_text="Where we POST each event, e.g. https://hooks.example.com/ecosystem. It must "
        "answer with a 2xx status within 10 seconds.",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="What it is for, so your team recognises it."
    )
    event_types = forms.MultipleChoiceField(
        label="Events to send",
        choices=[(e.key, e.label) for e in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Send events to it")


GRACE_CHOICES = [
    (str(h), label)
    for h, label in zip(
        ROTATION_GRACE_HOURS,
        ("Stop the old one now", "1 hour", "24 hours", "7 days"),
        strict=True,
    )
]


class RotateForm(forms.Form):
    grace_hours = forms.TypedChoiceField(
        label="The old secret keeps signing for",
        choices=GRACE_CHOICES,
        coerce=int,
        initial=str(DEFAULT_GRACE_HOURS),
    )
