"""The one HTTP session the REST connectors (Salesforce, HubSpot's OAuth) talk through: no
redirects followed (one could carry a token anywhere), the CRM's address checked again on
every request (a name may point elsewhere by now), the optional egress proxy, and the
answers every CRM gives alike — 429 and 5xx — turned into our retryable failures before the
client library sees them, with the CRM's Retry-After kept."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from integrations.addresses import crm_address_check
from integrations.connectors.base import ConnectorError, RateLimited, TemporaryFailure

TIMEOUT = 30


def retry_after(headers: Any) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare from CRMs: none)."""
    value = str((headers or {}).get("Retry-After", "") or "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class GuardedSession(requests.Session):
    def __init__(self, crm: str) -> None:
        super().__init__()
        self.crm = crm
        self.trust_env = False
        if settings.INTEGRATIONS_EGRESS_PROXY:
            self.proxies = {
                "http": settings.INTEGRATIONS_EGRESS_PROXY,
                "https": settings.INTEGRATIONS_EGRESS_PROXY,
            }
        # a private CA for the local stand-ins in tests; the system's store otherwise
        self.verify = settings.INTEGRATIONS_CA_BUNDLE or True

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        try:
            crm_address_check(url)
        except ValidationError as exc:
            raise ConnectorError(" ".join(exc.messages)) from exc
        kwargs["allow_redirects"] = False
        kwargs.setdefault("timeout", TIMEOUT)
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.Timeout as exc:
            raise TemporaryFailure(
                f"{self.crm} did not answer in time; we will try again."
            ) from exc
        except requests.ConnectionError as exc:
            raise TemporaryFailure(f"{self.crm} could not be reached; we will try again.") from exc
        if 300 <= response.status_code < 400:
            raise ConnectorError(f"{self.crm} answered with a redirect, which we don't follow.")
        if response.status_code == 429:
            raise RateLimited(
                f"{self.crm} asked us to slow down; we will wait and go on.",
                retry_after=retry_after(response.headers),
            )
        if response.status_code >= 500:
            raise TemporaryFailure(
                f"{self.crm} answered with a server error ({response.status_code}); "
                "we will try again.",
                retry_after=retry_after(response.headers),
            )
        return response
