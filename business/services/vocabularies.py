"""Changes to a company's vocabularies and their terms: create, add, rename, retire (terms are
retired, never deleted; canonical terms keep their keys). Each one audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.models import (
    Term,
    Vocabulary,
)
from business.services.retiring import retired_set
from identity.models import User


def vocabulary_create(*, actor: User, data: dict[str, Any]) -> Vocabulary:
    vocabulary = Vocabulary(
        key=(data.get("key") or "").strip(),
        label=(data.get("label") or "").strip(),
        is_tree=bool(data.get("is_tree")),
    )
    vocabulary.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            vocabulary.save()
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.BUSINESS_VOCABULARY_CREATED,
                target=vocabulary,
                after={
                    "key": vocabulary.key,
                    "label": vocabulary.label,
                    "is_tree": vocabulary.is_tree,
                },
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"key": [f"A vocabulary with the key “{vocabulary.key}” exists."]}
        ) from exc
    return vocabulary


def _check_parent(term: Term) -> None:
    if term.parent_id is None:
        return
    if not term.vocabulary.is_tree:
        raise ValidationError({"parent": ["This vocabulary is a list; its terms have no parents."]})
    if term.parent.vocabulary_id != term.vocabulary_id:
        raise ValidationError({"parent": ["Choose a parent from the same vocabulary."]})
    seen, node = set(), term.parent
    while node is not None:
        if node.pk == term.pk or node.pk in seen:
            raise ValidationError(
                {"parent": ["A term can't be placed under itself or its own children."]}
            )
        seen.add(node.pk)
        node = node.parent


CANONICAL_FIXED = (
    "The network's values are fixed so partners can translate them; rename them to your own "
    "terms instead."
)


def term_add(*, actor: User, vocabulary: Vocabulary, data: dict[str, Any]) -> Term:
    if vocabulary.is_canonical:
        raise ValidationError(CANONICAL_FIXED)
    term = Term(
        vocabulary=vocabulary,
        key=(data.get("key") or "").strip(),
        label=(data.get("label") or "").strip(),
        parent=data.get("parent"),
        position=data.get("position") or vocabulary.terms.count(),
    )
    term.full_clean(exclude=["vocabulary", "parent"], validate_unique=False)
    _check_parent(term)
    try:
        with transaction.atomic():
            term.save()
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.BUSINESS_TERM_ADDED,
                target=term,
                after={
                    "vocabulary": vocabulary.key,
                    "key": term.key,
                    "label": term.label,
                    "parent": term.parent.key if term.parent_id else None,
                },
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"key": [f"“{term.key}” is already a term of {vocabulary.label}."]}
        ) from exc
    return term


def term_update(*, actor: User, term: Term, data: dict[str, Any]) -> Term:
    """Relabel or move a term. Its key (what records store) never changes."""
    with transaction.atomic():
        before = {
            "label": term.label,
            "parent": term.parent.key if term.parent_id else None,
            "position": term.position,
        }
        if "label" in data:
            term.label = (data["label"] or "").strip()
        if "parent" in data:
            term.parent = data["parent"]
        if data.get("position") is not None:
            term.position = data["position"]
        term.full_clean(exclude=["vocabulary", "parent"], validate_unique=False)
        _check_parent(term)
        term.save()
        after = {
            "label": term.label,
            "parent": term.parent.key if term.parent_id else None,
            "position": term.position,
        }
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.BUSINESS_TERM_UPDATED,
            target=term,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return term


def term_retire(*, actor: User, term: Term, retired: bool = True) -> Term:
    if term.vocabulary.is_canonical:
        raise ValidationError(CANONICAL_FIXED)
    return retired_set(actor=actor, obj=term, retired=retired, noun="term", update_fields=[])
