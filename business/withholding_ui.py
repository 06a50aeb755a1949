"""The sharing policy page's "withhold from" matrix: one table per record type, a row per
shared field, a checkbox per partner type and per part in a deal. Checkbox names carry the
coordinates (wh:<kind>:<field>:<axis>:<key>), so the posted form is the policy itself."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from business.policy import withholdable_fields, withholding_audiences
from kinds import kind_get

AXES = {"t": "partner_types", "r": "deal_roles"}


def _plural(kind: str) -> str:
    spec = kind_get(kind)
    return spec.plural if spec is not None else kind


def withheld_from_post(post: QueryDict) -> dict[str, dict[str, dict[str, list[str]]]]:
    withheld: dict[str, dict[str, dict[str, list[str]]]] = {}
    for name in post:
        parts = name.split(":")
        if len(parts) != 5 or parts[0] != "wh" or parts[3] not in AXES:
            continue
        _, kind, field, axis, key = parts
        withheld.setdefault(kind, {}).setdefault(field, {}).setdefault(AXES[axis], []).append(key)
    return withheld


def withholding_matrices(withheld: dict[str, Any]) -> list[dict[str, Any]]:
    matrices = []
    for kind, fields in withholdable_fields().items():
        audiences = withholding_audiences(kind)
        columns = [("t", key, label) for key, label in audiences["partner_types"]] + [
            ("r", key, label) for key, label in audiences["deal_roles"]
        ]
        rules = withheld.get(kind) or {}
        rows = []
        for name, label in fields:
            rule = rules.get(name) or {}
            rows.append(
                {
                    "label": label,
                    "cells": [
                        {
                            "name": f"wh:{kind}:{name}:{axis}:{key}",
                            "checked": key in (rule.get(AXES[axis]) or []),
                            "label": f"Withhold {label} from {col_label}",
                        }
                        for axis, key, col_label in columns
                    ],
                }
            )
        matrices.append(
            {
                "kind": kind,
                "label": _plural(kind),
                "type_columns": [c for c in columns if c[0] == "t"],
                "role_columns": [c for c in columns if c[0] == "r"],
                "rows": rows,
            }
        )
    return matrices
