"""Connecting a CRM through its OAuth 2.0 web-server flow (Salesforce with PKCE, HubSpot),
and refreshing the tokens it gives.

One callback address serves every company (a CRM app registers exact callback URLs, not one
per company host): the network's `/integrations/oauth/callback/`. The `state` we send is
signed and names the company's host; the network bounces the answer there, where the admin's
own session holds the nonce and the PKCE verifier, so an answer started by someone else, or
for another company, is refused. oauthlib builds the URLs and bodies and reads the answers."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient

from integrations.connectors.base import AuthFailed, ConnectorError
from integrations.connectors.http import GuardedSession
from tenants.domains import network_url

SESSION_KEY = "integrations_oauth"
STATE_SALT = "integrations.oauth.state"
# the admin has this long between leaving for the CRM and coming back
STATE_MAX_AGE = 15 * 60
CALLBACK_PATH = "/integrations/oauth/callback/"


@dataclass(frozen=True)
class OAuthApp:
    connector: str
    label: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scope: str
    pkce: bool


def redirect_uri() -> str:
    return network_url(CALLBACK_PATH)


def oauth_app(connector: str, environment: str = "") -> OAuthApp | None:
    """The deployment's registered app for the CRM (None: not configured here)."""
    config = settings.INTEGRATIONS_OAUTH.get(connector) or {}
    if not config.get("client_id"):
        return None
    if connector == "salesforce":
        logins = config["logins"]
        base = str(logins.get(environment) or logins["production"]).rstrip("/")
        return OAuthApp(
            connector, "Salesforce", config["client_id"], config["client_secret"],
            f"{base}/services/oauth2/authorize", f"{base}/services/oauth2/token",
            config["scope"], pkce=True,
        )  # fmt: skip
    if connector == "hubspot":
        return OAuthApp(
            connector, "HubSpot", config["client_id"], config["client_secret"],
            config["authorize_url"], f"{settings.INTEGRATIONS_HUBSPOT_API.rstrip('/')}/oauth/v1/token",
            config["scope"], pkce=False,
        )  # fmt: skip
    return None


def oauth_start(
    session: Any, *, app: OAuthApp, host: str, name: str, connection_settings: dict[str, Any]
) -> str:
    """The CRM's sign-in address to send the admin to; what the way back needs is kept in
    the admin's session on this company's host."""
    client = WebApplicationClient(app.client_id)
    nonce = secrets.token_urlsafe(24)
    state = signing.dumps({"host": host, "nonce": nonce}, salt=STATE_SALT)
    extra: dict[str, str] = {}
    verifier = ""
    if app.pkce:
        verifier = client.create_code_verifier(64)
        extra = {
            "code_challenge": client.create_code_challenge(verifier, "S256"),
            "code_challenge_method": "S256",
        }
    session[SESSION_KEY] = {
        "nonce": nonce,
        "verifier": verifier,
        "connector": app.connector,
        "name": name,
        "settings": connection_settings,
        "started": time.time(),
    }
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri(),
        "scope": app.scope,
        "state": state,
        **extra,
    }
    return f"{app.authorize_url}?{urlencode(query)}"


def state_host(state: str) -> str:
    """The company host a signed state names (the network's bounce); ValidationError if the
    state is forged or stale."""
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(
            "This sign-in answer is not one we asked for, or it is too old."
        ) from exc
    return str(data.get("host", ""))


def oauth_pending(session: Any, state: str, host: str) -> dict[str, Any]:
    """What the admin started on this host, if this answer belongs to it (and only once)."""
    pending = session.pop(SESSION_KEY, None)
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(
            "The CRM's answer is too old or not one we asked for: connect again."
        ) from exc
    if not pending or data.get("host") != host or data.get("nonce") != pending.get("nonce"):
        raise ValidationError(
            "The CRM's answer does not belong to a connection started here: connect again."
        )
    return pending


def _token_request(app: OAuthApp, body: str) -> dict[str, Any]:
    client = WebApplicationClient(app.client_id)
    http = GuardedSession(app.label)
    response = http.post(
        app.token_url,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    try:
        return dict(client.parse_request_body_response(response.text))
    except OAuth2Error as exc:
        detail = exc.description or exc.error
        raise AuthFailed(
            f"{app.label} refused the sign-in ({detail}): connect again, and allow the access it asks for."
        ) from exc
    except ValueError as exc:
        raise ConnectorError(f"{app.label}'s token answer could not be read.") from exc


def oauth_exchange(app: OAuthApp, *, code: str, verifier: str) -> dict[str, Any]:
    """The tokens for the code the CRM gave the admin's browser."""
    client = WebApplicationClient(app.client_id)
    body = client.prepare_request_body(
        code=code,
        redirect_uri=redirect_uri(),
        client_secret=app.client_secret,
        include_client_id=True,
        **({"code_verifier": verifier} if verifier else {}),
    )
    return _token_request(app, body)


def oauth_refresh(app: OAuthApp, refresh_token: str) -> dict[str, Any]:
    """New tokens from the refresh token (Salesforce keeps the refresh token; HubSpot may send
    a new one)."""
    if not refresh_token:
        raise AuthFailed(f"{app.label} needs to be connected again (we hold no refresh token).")
    client = WebApplicationClient(app.client_id)
    body = client.prepare_refresh_body(
        refresh_token=refresh_token,
        client_id=app.client_id,
        client_secret=app.client_secret,
        include_client_id=True,
    )
    return _token_request(app, body)


def secret_renewed(app: OAuthApp, secret: dict[str, Any]) -> dict[str, Any]:
    """A connection's secret with the tokens its refresh token gives now."""
    tokens = oauth_refresh(app, str(secret.get("refresh_token", "")))
    renewed = {**secret, "access_token": tokens["access_token"]}
    if tokens.get("refresh_token"):
        renewed["refresh_token"] = tokens["refresh_token"]
    return renewed
