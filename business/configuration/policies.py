"""The policy sections of a configuration: the sharing policy (ours), then every section
another room registered (`sections`: approval rules, metrics)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from business.configuration.sections import configuration_sections, validation_lines
from business.policy import EDITABLE, sharing_policy, sharing_policy_update
from identity.models import User


def policies_export() -> dict[str, Any]:
    policy = sharing_policy()
    out: dict[str, Any] = {"sharing_policy": {key: getattr(policy, key) for key in EDITABLE}}
    for section in configuration_sections():
        out[section.key] = section.export()
    return out


def policies_import(*, actor: User, data: dict[str, Any]) -> dict[str, int]:
    """Applies the policy sections through their own services (same checks as the settings
    pages), after vocabularies and fields are in place. Raises one ValidationError listing
    every problem; the caller's transaction then takes the whole import back."""
    problems: list[str] = []
    counts = {"policies": 0} | {section.key: 0 for section in configuration_sections()}
    if data.get("sharing_policy"):
        problems += _sharing_policy_import(actor=actor, spec=data["sharing_policy"])
        counts["policies"] = 0 if problems else 1
    for section in configuration_sections():
        for i, spec in enumerate(data.get(section.key) or []):
            item_problems = [f"{section.key}[{i}].{line}" for line in section.import_item(spec)]
            problems += item_problems
            counts[section.key] += 0 if item_problems else 1
    if problems:
        raise ValidationError(problems)
    return counts


def _sharing_policy_import(*, actor: User, spec: dict[str, Any]) -> list[str]:
    try:
        sharing_policy_update(actor=actor, data=dict(spec))
    except ValidationError as exc:
        return validation_lines(exc, "sharing_policy.")
    return []
