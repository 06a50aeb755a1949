"""The account page's "Opportunities" panel (accounts.panels): the open deals with the
customer, newest close first, with their total."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pipeline.models import Opportunity
from recordkit.panels import RecordPanel

SHOWN = 20


def opportunities_panel(request: HttpRequest, account: Any) -> RecordPanel:
    rows = list(
        Opportunity.objects.filter(account=account, archived_at=None).order_by("-close_date")[
            : SHOWN + 1
        ]
    )
    return RecordPanel(
        template="pipeline/_account_opportunities.html",
        context={"account": account, "rows": rows[:SHOWN], "more": len(rows) > SHOWN},
    )
