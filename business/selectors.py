"""Reads of the current company's business schema (the connection's schema)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from business.models import FieldDefinition, FieldType, Term, Vocabulary
from business.registry import model_for
from business.values import Catalog
from tenants.models import Company, Membership


def fields_of(*, object_type: str, include_retired: bool = False) -> list[FieldDefinition]:
    qs = FieldDefinition.objects.filter(object_type=object_type).select_related("vocabulary")
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return list(qs)


def catalog_for(*, object_type: str, company: Company, with_names: bool = False) -> Catalog:
    """Definitions (retired ones too: their stored values must survive an edit), their terms and
    the company's members (with names for lists): one query, plus one each for terms and people
    when a field needs them."""
    definitions = list(
        FieldDefinition.objects.filter(object_type=object_type).select_related("vocabulary")
    )
    if not any(d.field_type == FieldType.USER for d in definitions):
        return Catalog(definitions)
    members = Membership.objects.filter(company=company, user__is_service_account=False)
    if with_names:
        people = {m.user_id: m.user.get_full_name() for m in members.select_related("user")}
        return Catalog(definitions, people=people)
    return Catalog(definitions, member_ids=lambda: members.values_list("user_id", flat=True))


def field_get(*, pk: str | int) -> FieldDefinition:
    try:
        return FieldDefinition.objects.select_related("vocabulary").get(pk=int(pk))
    except (FieldDefinition.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such field.") from exc


def vocabularies_with_terms() -> QuerySet[Vocabulary]:
    return Vocabulary.objects.prefetch_related(
        Prefetch("terms", queryset=Term.objects.select_related("parent"))
    )


def vocabulary_get(*, key: str) -> Vocabulary:
    try:
        return Vocabulary.objects.get(key=key)
    except Vocabulary.DoesNotExist as exc:
        raise Http404("No such vocabulary.") from exc


def terms_as_tree(
    vocabulary: Vocabulary, *, include_retired: bool = True
) -> list[tuple[Term, int]]:
    """(term, depth) in display order: each term followed by its children."""
    terms = [t for t in vocabulary.terms.all() if include_retired or not t.retired_at]
    children: dict[int | None, list[Term]] = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    out: list[tuple[Term, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for term in children.get(parent_id, []):
            out.append((term, depth))
            walk(term.pk, depth + 1)

    walk(None, 0)
    return out


def field_usage_count(definition: FieldDefinition) -> int:
    """How many records hold a value for the field (before retiring or changing it)."""
    model = record_model(definition.object_type)
    if model is None:
        return 0
    return model.objects.filter(custom__has_key=definition.key).count()


def record_model(object_type: str):  # type: ignore[no-untyped-def]
    return model_for(object_type)
