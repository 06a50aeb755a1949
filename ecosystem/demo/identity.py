"""The demo's single sign-on: Harbor Security (an identity company) signs its people in through
a local OpenID provider that ./run starts (tests/idp/oidc, npm oidc-provider with development
sign-in pages: any address on harbor.example signs in, the password is not checked). Its
domain is verified in the seed, since the demo's DNS belongs to nobody; a domain an admin adds
in the demo is answered by the demo's DNS stand-in (manage.py demo_dns)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from ecosystem.demo_idp import DEMO_IDP_CLIENT_ID, DEMO_IDP_CLIENT_SECRET
from identity.models import EmailDomain, SsoConnection
from tenants.models import Company


def demo_idp_issuer() -> str:
    return f"http://127.0.0.1:{settings.DEMO_IDP_PORT}"


def demo_identity_load() -> None:
    harbor = Company.objects.filter(slug="harbor").first()
    if harbor is None:
        return
    now = timezone.now()
    EmailDomain.objects.get_or_create(
        company=harbor, domain="harbor.example", defaults={"verified_at": now}
    )
    if not SsoConnection.objects.filter(company=harbor).exists():
        SsoConnection.objects.create(
            company=harbor,
            protocol="oidc",
            name="Harbor IdP (local demo)",
            enabled=True,
            oidc_issuer=demo_idp_issuer(),
            oidc_client_id=DEMO_IDP_CLIENT_ID,
            oidc_client_secret=DEMO_IDP_CLIENT_SECRET,
            groups_attribute="groups",
            role_rules=[{"group": "Security Admins", "role": "admin"}],
            tested_at=now,
            test_result={"ok": True, "detail": "the demo's local IdP"},
        )
