from django import template
from django.forms import BoundField

register = template.Library()

_CLASS_BY_WIDGET = {"select": "form-select", "selectmultiple": "form-select"}


@register.simple_tag
def bs_widget(field: BoundField) -> str:
    """Renders a field's widget with Bootstrap's class and the ARIA state of its errors."""
    css = _CLASS_BY_WIDGET.get(field.widget_type, "form-control")
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    return field.as_widget(attrs=attrs)
