"""The demo's CRM data: Northwind Cloud's own Tryton, with customers (two of them the ones
Northwind already has deals with, so connecting links them instead of making duplicates)
and opportunities at every stage. Run once, after the demo's Tryton server answers.

    python -m tests.crm.demo_seed --url http://127.0.0.1:9500 --database demo
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal

from tests.crm.rpc import Tryton
from tests.crm.tryton import LOGIN, PASSWORD, TrytonDatabase

PARTIES = (
    ("Contoso Manufacturing", "https://www.contoso.example"),
    ("Fabrikam Logistics", "https://fabrikam.example"),
    ("Adventure Works", "https://adventure-works.example"),
    ("Wide World Importers", "https://wideworldimporters.example"),
    ("Proseware", "https://proseware.example"),
    ("Lucerne Publishing", "https://lucernepublishing.example"),
)
DEALS = (
    # party index, description, amount, state, months to close, probability
    (0, "Plant analytics rollout", "480000", "opportunity", 3, 0.6),
    (1, "Fleet telemetry", "125000", "lead", 4, 0.3),
    (2, "Bike IoT pilot", "56000", "opportunity", 2, 0.5),
    (3, "Warehouse vision", "210000", "lead", 6, 0.2),
    (4, "Document AI", "38000", "opportunity", 1, 0.8),
    (5, "Archive migration", "97000", "lead", 5, 0.25),
    (2, "Retail dashboards", "23000", "lost", 0, 0.0),
)


def seed(db: TrytonDatabase) -> int:
    rpc = Tryton(db)
    rpc.login()
    prefs = rpc("model.res.user.get_preferences", True, {})
    ctx = {k: prefs[k] for k in ("company", "employee") if prefs.get(k)}
    if rpc("model.sale.opportunity.search_count", [], ctx):
        return 0  # seeded already
    parties = []
    for name, site in PARTIES:
        (party,) = rpc(
            "model.party.party.create",
            [
                {
                    "name": name,
                    "contact_mechanisms": [["create", [{"type": "website", "value": site}]]],
                }
            ],
            ctx,
        )
        parties.append(party)
    today = dt.date.today()
    for index, description, amount, state, months, probability in DEALS:
        values = {
            "description": description,
            "party": parties[index],
            "amount": Decimal(amount),
            "start_date": today,
            "end_date": today + dt.timedelta(days=30 * months + 15),
            "conversion_probability": probability,
        }
        (opp,) = rpc("model.sale.opportunity.create", [values], ctx)
        if state != "lead":
            rpc("model.sale.opportunity.write", [opp], {"state": state}, ctx)
    return len(DEALS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crm.demo_seed")
    parser.add_argument("--url", default="http://127.0.0.1:9500")
    parser.add_argument("--database", default="demo")
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait for the server")
    options = parser.parse_args(argv)
    db = TrytonDatabase(url=options.url, database=options.database, login=LOGIN, password=PASSWORD)
    deadline = time.monotonic() + options.wait
    while True:
        try:
            made = seed(db)
        except OSError:
            if time.monotonic() > deadline:
                print("The demo's Tryton did not answer; its data was not loaded.", file=sys.stderr)
                return 1
            time.sleep(2)
            continue
        print(f"Demo CRM data: {made} opportunities added." if made else "Demo CRM data: present.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
