"""A first mapping, suggested: for each of our fields the CRM field whose name (or label)
is closest and whose type fits, and value maps for stages and picklists matched by key or
label. The admin reviews it in the preview before anything syncs."""

from __future__ import annotations

import difflib
import re
from typing import Any

from business.models import Term
from integrations.targets import TargetField

# What each target type accepts from a CRM field of these types.
COMPATIBLE = {
    "text": {"text", "long_text", "choice", "email", "url", "id", "number"},
    "long_text": {"text", "long_text"},
    "number": {"number"},
    "percent": {"number"},
    "money": {"number"},
    "date": {"date", "datetime", "text"},
    "choice": {"choice", "text", "boolean"},
    "currency": {"currency", "text", "choice"},
    "domains": {"url", "text"},
    "reference": {"reference"},
    "email": {"email", "text"},
    "url": {"url", "text"},
}
SYNONYMS = {
    "name": [
        "name",
        "company_name",
        "account_name",
        "dealname",
        "deal_name",
        "opportunity_name",
        "description",
    ],
    "domains": ["website", "domain", "web_site", "url"],
    "description": ["description", "comment", "notes"],
    "account": ["party", "account", "account_id", "accountid", "company", "associatedcompanyid"],
    "amount": ["amount", "value", "expected_revenue", "deal_amount"],
    "currency": ["currency", "currency_code", "currencyisocode", "deal_currency_code"],
    "close_date": ["end_date", "close_date", "closedate", "expected_close_date"],
    "stage": ["state", "stage", "stagename", "dealstage", "stage_name"],
    "next_step": ["next_step", "nextstep"],
    "private_notes": ["comment", "notes", "description"],
}
STAGE_WORDS = {
    "lead": "prospect",
    "new": "prospect",
    "prospecting": "prospect",
    "appointmentscheduled": "prospect",
    "opportunity": "qualify",
    "qualification": "qualify",
    "qualifiedtobuy": "qualify",
    "needsanalysis": "qualify",
    "proposal": "propose",
    "proposalpricequote": "propose",
    "valueproposition": "propose",
    "iddecisionmakers": "propose",
    "perceptionanalysis": "negotiate",
    "presentationscheduled": "propose",
    "converted": "negotiate",
    "negotiationreview": "negotiate",
    "decisionmakerboughtin": "negotiate",
    "contractsent": "negotiate",
    "won": "won",
    "closedwon": "won",
    "lost": "lost",
    "closedlost": "lost",
    "cancelled": "lost",
    "canceled": "lost",
}
STAGE_ORDER = ["prospect", "qualify", "propose", "negotiate", "won", "lost"]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def compatible(target: TargetField, remote: dict[str, Any]) -> bool:
    if target.type == "reference":
        return remote.get("type") == "reference"
    return remote.get("type") in COMPATIBLE.get(target.type, set())


def type_problem(target: TargetField, remote: dict[str, Any]) -> str:
    """Why a CRM field can't fill one of ours ("" if it can)."""
    if compatible(target, remote):
        return ""
    return (
        f"The CRM's “{remote.get('label') or remote.get('name')}” holds "
        f"{_kind_words(remote.get('type', ''))}; {target.label} takes "
        f"{_kind_words(target.type)}. Choose another field."
    )


def _kind_words(kind: str) -> str:
    return {
        "text": "text",
        "long_text": "text",
        "number": "numbers",
        "percent": "percentages",
        "money": "amounts",
        "date": "dates",
        "datetime": "dates and times",
        "choice": "a choice from a list",
        "currency": "currency codes",
        "domains": "web domains",
        "reference": "a link to another record",
        "boolean": "yes / no",
        "email": "e-mail addresses",
        "url": "web addresses",
        "id": "ids",
    }.get(kind, kind)


def best_remote_field(
    target: TargetField, remote_fields: list[dict[str, Any]], taken: set[str]
) -> dict[str, Any] | None:
    candidates = [f for f in remote_fields if f["name"] not in taken and compatible(target, f)]
    if target.type == "reference":
        candidates = [f for f in candidates if f.get("suggested_kind", target.kind) == target.kind]
    names = SYNONYMS.get(target.key, [target.key.removeprefix("custom."), target.label])
    for wanted in names:
        for f in candidates:
            if _norm(f["name"]) == _norm(wanted) or _norm(f.get("label", "")) == _norm(wanted):
                return f
    scored = [
        (
            max(
                difflib.SequenceMatcher(None, _norm(f["name"]), _norm(n)).ratio()
                for n in [*names, target.label]
            ),
            f,
        )
        for f in candidates
    ]
    scored = [s for s in scored if s[0] >= 0.8]
    return max(scored, key=lambda s: s[0])[1] if scored else None


def value_map_suggest(
    target: TargetField, remote: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """(CRM value → ours, ours → CRM value) for a choice field; empty for other fields."""
    if target.type != "choice" or not remote.get("choices"):
        return {}, {}
    terms = list(Term.objects.filter(vocabulary__key=target.vocabulary, retired_at__isnull=True))
    by_word = {_norm(t.key): t.key for t in terms} | {_norm(t.label): t.key for t in terms}
    pull: dict[str, str] = {}
    for value, label in remote["choices"]:
        ours = by_word.get(_norm(value)) or by_word.get(_norm(label))
        if ours is None and target.vocabulary == "stages":
            ours = STAGE_WORDS.get(_norm(value)) or STAGE_WORDS.get(_norm(label))
        if ours is not None:
            pull[str(value)] = ours
    push: dict[str, str] = {}
    if target.vocabulary == "stages":
        # every stage of ours gets a CRM value: its own, else the nearest earlier one's
        inverse: dict[str, str] = {}
        for value, ours in pull.items():
            inverse.setdefault(ours, value)
        last = None
        for stage in STAGE_ORDER:
            if stage in inverse:
                last = inverse[stage]
            if last is not None:
                push[stage] = inverse.get(stage, last)
        if "lost" in inverse:
            push["lost"] = inverse["lost"]
    return pull, push
