"""Login discovery: which company's IdP an e-mail address belongs to. One indexed query: the
address's domain, verified by an active company that has a switched-on connection."""

from __future__ import annotations

from identity.models import SsoConnection
from identity.sso.domains import email_domain
from tenants.models import CompanyStatus


def sso_connection_for_email(email: str) -> SsoConnection | None:
    domain = email_domain(email)
    if not domain:
        return None
    return (
        SsoConnection.objects.filter(
            enabled=True,
            company__status=CompanyStatus.ACTIVE,
            company__email_domains__domain=domain,
            company__email_domains__verified_at__isnull=False,
        )
        .select_related("company")
        .order_by("created_at")
        .first()
    )
