"""The demo network: companies, people, partnerships and shared deals a PBM would recognise.

Built through the real services (so it obeys every rule the product does). Loaded by
`manage.py demo_network` (which ./run calls) and by the tests; each part loads only what is
missing, so loading twice changes nothing."""

from __future__ import annotations

from ecosystem.demo.business_schema import demo_business_schema_load
from ecosystem.demo.companies import DEMO_COMPANIES, DEMO_PASSWORD, demo_companies_load
from ecosystem.demo.identity import demo_identity_load
from ecosystem.demo.policies import demo_policies_load
from ecosystem.demo.sharing import demo_sharing_load
from tenants.models import Company

__all__ = ["DEMO_COMPANIES", "DEMO_PASSWORD", "demo_network_load"]


def demo_network_load() -> list[Company]:
    """Creates the demo companies that are missing (leaving existing ones alone), then the
    parts of the network each of them is missing."""
    companies = demo_companies_load()
    demo_business_schema_load()
    demo_sharing_load()
    demo_policies_load()
    demo_identity_load()
    return companies
