"""The vocabularies every company starts with. Admins relabel, extend, retire and nest their
terms; the keys stay, so partners' mappings and stored values keep working."""

STANDARD_VOCABULARIES: list[dict] = [
    {
        "key": "regions",
        "label": "Regions",
        "is_tree": True,
        "terms": [
            ("amer", "Americas"),
            ("emea", "Europe, Middle East & Africa"),
            ("apac", "Asia Pacific"),
        ],
    },
    {
        "key": "industries",
        "label": "Industries",
        "is_tree": False,
        "terms": [
            ("financial_services", "Financial services"),
            ("healthcare", "Healthcare"),
            ("manufacturing", "Manufacturing"),
            ("public_sector", "Public sector"),
            ("retail", "Retail"),
            ("technology", "Technology"),
        ],
    },
    {"key": "market_units", "label": "Market units", "is_tree": True, "terms": []},
    {
        "key": "partner_types",
        "label": "Partner types",
        "is_tree": False,
        "terms": [
            ("reseller", "Reseller"),
            ("system_integrator", "System integrator"),
            ("isv", "Technology partner (ISV)"),
            ("msp", "Managed service provider"),
            ("referral", "Referral partner"),
        ],
    },
    {
        "key": "stages",
        "label": "Stages",
        "is_tree": False,
        "is_canonical": True,
        "terms": [
            ("prospect", "Prospect"),
            ("qualify", "Qualify"),
            ("propose", "Propose"),
            ("negotiate", "Negotiate"),
            ("won", "Won"),
            ("lost", "Lost"),
        ],
    },
    {
        "key": "motions",
        "label": "Motions",
        "is_tree": False,
        "is_canonical": True,
        "terms": [
            ("sell_with", "Sell-with"),
            ("sell_through", "Sell-through"),
            ("referral", "Referral"),
        ],
    },
    {
        "key": "deal_roles",
        "label": "Partner roles in a deal",
        "is_tree": False,
        "is_canonical": True,
        "terms": [
            ("sourced", "Sourced"),
            ("influenced", "Influenced"),
            ("fulfilling", "Fulfilling"),
        ],
    },
]
