"""The terms an account's industry, region and market unit are chosen from: the company's
own vocabularies, trees shown indented, retired terms offered only to a record that has one."""

from __future__ import annotations

from business.models import Vocabulary
from business.selectors import terms_as_tree

# field → vocabulary key
VOCABULARY_OF = {"industry": "industries", "region": "regions", "market_unit": "market_units"}


def term_choices(*, current: dict[str, str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """field → [(key, label)] with a blank first, in one query for the three vocabularies."""
    current = current or {}
    vocabularies = {
        v.key: v
        for v in Vocabulary.objects.filter(key__in=VOCABULARY_OF.values()).prefetch_related("terms")
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for field, key in VOCABULARY_OF.items():
        choices = [("", "—")]
        vocabulary = vocabularies.get(key)
        if vocabulary is not None:
            for term, depth in terms_as_tree(vocabulary):
                if term.retired_at and term.key != current.get(field):
                    continue
                label = "\u2003" * depth + term.label + (" (retired)" if term.retired_at else "")
                choices.append((term.key, label))
        out[field] = choices
    return out


def term_labels() -> dict[str, dict[str, str]]:
    """field → {term key: label}, for showing an account's classification."""
    out: dict[str, dict[str, str]] = {field: {} for field in VOCABULARY_OF}
    field_of = {key: field for field, key in VOCABULARY_OF.items()}
    for vocabulary in Vocabulary.objects.filter(key__in=VOCABULARY_OF.values()).prefetch_related(
        "terms"
    ):
        out[field_of[vocabulary.key]] = {t.key: t.label for t in vocabulary.terms.all()}
    return out
