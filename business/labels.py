"""The company's own words for the network's canonical values (stages, motions, partner roles).
Stored values stay canonical, so partners can exchange records; every page shows them through
the viewing company's vocabulary, falling back to the network's label."""

from __future__ import annotations

from django.core.cache import cache

from business.models import Term
from canonical import DealRole, Motion, Stage

VOCABULARY_OF = {"stage": "stages", "motion": "motions", "deal_role": "deal_roles"}
NETWORK_LABELS = {
    "stage": dict(Stage.choices),
    "motion": dict(Motion.choices),
    "deal_role": dict(DealRole.choices),
}


CACHE_KEY = "business:canonical-labels"  # tenant-prefixed by django_tenants' key function


def company_labels() -> dict[str, dict[str, str]]:
    """kind → canonical value → label, for the current schema: from the cache, else one query.
    Every page shows stages; renames are rare and drop the cached copy (business.apps)."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = _load_labels()
        cache.set(CACHE_KEY, cached, 3600)
    return cached


def forget_company_labels(**kwargs) -> None:  # type: ignore[no-untyped-def]
    cache.delete(CACHE_KEY)


def _load_labels() -> dict[str, dict[str, str]]:
    labels = {kind: dict(values) for kind, values in NETWORK_LABELS.items()}
    kind_of = {v: k for k, v in VOCABULARY_OF.items()}
    for vocabulary_key, key, label in Term.objects.filter(
        vocabulary__key__in=VOCABULARY_OF.values(), vocabulary__is_canonical=True
    ).values_list("vocabulary__key", "key", "label"):
        if key in labels[kind_of[vocabulary_key]]:
            labels[kind_of[vocabulary_key]][key] = label
    return labels


def request_labels(request) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """company_labels() once per request."""
    cached = getattr(request, "_company_labels", None)
    if cached is None:
        tenant = getattr(request, "tenant", None)
        on_company_host = tenant is not None and tenant.schema_name != "public"
        cached = company_labels() if on_company_host else NETWORK_LABELS
        request._company_labels = cached
    return cached


def choices_in_company_words(kind: str, labels: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    return list(labels[kind].items())
