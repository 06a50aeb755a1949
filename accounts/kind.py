"""The account, declared once for every room that handles kinds of records. Never shared:
no shareable fields, no sharing handlers."""

from __future__ import annotations

from accounts.models import Account
from kinds import ApiRoute, Metrics, RecordKind

ACCOUNT = RecordKind(
    key=Account.kind_key,
    label="Account",
    plural="Accounts",
    short="acc",
    model=Account,
    formula_fields=("name", "industry", "region", "market_unit"),
    metrics=Metrics(
        groupings={
            "industry": "Industry",
            "region": "Region",
            "market_unit": "Market unit",
            "owner": "Owner",
        }
    ),
    list_url_name="account_list",
    detail_url_name="account_detail",
    api_component="Account",
    urls="accounts.urls",
    api=(ApiRoute("accounts", "accounts.api.AccountViewSet", "api-account"),),
)
