"""Template tags for business-schema widgets. The custom filter bar is built in Python: with
twenty fields a template loop over inputs and options was a third of the list page's render."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from business.labels import NETWORK_LABELS, request_labels

register = template.Library()


def _select(w: dict[str, Any]) -> SafeString:
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (v, mark_safe(" selected") if v in w["selected"] else "", label)
            for v, label in w["options"]
        ),
    )
    return format_html(
        '<label class="form-label small" for="f-{name}">{label}</label>'
        '<select class="form-select form-select-sm" id="f-{name}" name="{name}">'
        '<option value="">Any</option>{options}</select>',
        name=w["name"],
        label=w["label"],
        options=options,
    )


def _range(w: dict[str, Any]) -> SafeString:
    return format_html(
        '<fieldset><legend class="form-label small mb-1">{label}</legend>'
        '<div class="input-group input-group-sm">'
        '<label class="visually-hidden" for="f-{name}-min">{label} from</label>'
        '<input class="form-control" type="{kind}" step="any" id="f-{name}-min" name="{name}__gte" value="{low}" placeholder="from">'
        '<label class="visually-hidden" for="f-{name}-max">{label} to</label>'
        '<input class="form-control" type="{kind}" step="any" id="f-{name}-max" name="{name}__lte" value="{high}" placeholder="to">'
        "</div></fieldset>",
        label=w["label"],
        name=w["name"],
        kind=w["input"],
        low=w["min"],
        high=w["max"],
    )


def _text(w: dict[str, Any]) -> SafeString:
    return format_html(
        '<label class="form-label small" for="f-{name}">{label}</label>'
        '<input class="form-control form-control-sm" id="f-{name}" name="{name}" value="{value}" placeholder="contains">',
        name=w["name"],
        label=w["label"],
        value=w["value"],
    )


@register.simple_tag
def custom_filter_controls(widgets: list[dict[str, Any]]) -> SafeString:
    build = {"select": _select, "range": _range, "text": _text}
    return format_html_join(
        "", '<div class="col-md-3">{}</div>', ((build[w["kind"]](w),) for w in widgets)
    )


@register.simple_tag(takes_context=True)
def term(context, value: str, kind: str) -> str:  # type: ignore[no-untyped-def]
    """A canonical value (stage, motion, deal_role) in the viewing company's words. A context
    may carry `term_labels` (a preview in a partner's words); otherwise the request's company."""
    labels = context.get("term_labels")
    if labels is None:
        request = context.get("request")
        labels = NETWORK_LABELS if request is None else request_labels(request)
    return labels.get(kind, {}).get(value, value or "—")
