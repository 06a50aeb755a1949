"""Writes to a company's SSO connections: add, change, test result, enable, disable, remove.
Each validates what the admin gave (by fetching the IdP's discovery document or metadata) and
is audited with what changed (never the secret itself)."""

from __future__ import annotations

import json
import secrets
from typing import Any

import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import SsoConnection, SsoProtocol, User
from identity.sso.fetch import FetchRefused, idp_get
from tenants.models import Company, Membership, Role

MAX_CONNECTIONS = 10
AUDITED = (
    "name",
    "default_role",
    "groups_attribute",
    "role_rules",
    "oidc_issuer",
    "oidc_client_id",
    "saml_metadata_url",
    "saml_entity_id",
    "saml_sso_url",
)


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins manage single sign-on.")


def connections_of_company(*, company: Company) -> QuerySet[SsoConnection]:
    return SsoConnection.objects.filter(company=company)


def connection_get_in_company(*, company: Company, pk: Any) -> SsoConnection:
    connection = connections_of_company(company=company).filter(pk=pk).first()
    if connection is None:
        raise Http404("No such connection.")
    return connection


def _oidc_check(issuer: str) -> str:
    """The issuer, once its discovery document answers and names it; else ValidationError."""
    issuer = issuer.strip().removesuffix("/.well-known/openid-configuration").rstrip("/")
    try:
        document = json.loads(idp_get(f"{issuer}/.well-known/openid-configuration"))
    except FetchRefused as exc:
        raise ValidationError({"oidc_issuer": str(exc)}) from exc
    except (requests.RequestException, ValueError) as exc:
        raise ValidationError(
            {"oidc_issuer": "No OpenID discovery document answers at this address."}
        ) from exc
    if not isinstance(document, dict) or not all(
        document.get(k) for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise ValidationError({"oidc_issuer": "The discovery document lacks required endpoints."})
    if document["issuer"].rstrip("/") != issuer:
        raise ValidationError(
            {"oidc_issuer": f"The provider calls itself {document['issuer']}; use that address."}
        )
    return document["issuer"]


def _saml_from_metadata(xml: str, field: str) -> dict[str, str]:
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as exc:  # the parser raises bare Exceptions for bad XML  # noqa: BLE001
        raise ValidationError({field: "This is not SAML IdP metadata."}) from exc
    idp = parsed.get("idp") or {}
    cert = idp.get("x509cert") or next(
        iter((idp.get("x509certMulti") or {}).get("signing", [])), ""
    )
    sso = (idp.get("singleSignOnService") or {}).get("url", "")
    if not (idp.get("entityId") and sso and cert):
        raise ValidationError(
            {
                field: "The metadata must name the IdP's entity id, its SSO URL and a signing certificate."
            }
        )
    return {"saml_entity_id": idp["entityId"], "saml_sso_url": sso, "saml_x509cert": cert}


def _saml_check(data: dict[str, Any]) -> dict[str, str]:
    if data.get("saml_metadata_xml"):
        return _saml_from_metadata(data["saml_metadata_xml"], "saml_metadata_xml")
    if data.get("saml_metadata_url"):
        try:
            xml = idp_get(data["saml_metadata_url"]).decode("utf-8", "replace")
        except FetchRefused as exc:
            raise ValidationError({"saml_metadata_url": str(exc)}) from exc
        except requests.RequestException as exc:
            raise ValidationError(
                {"saml_metadata_url": "The metadata URL did not answer."}
            ) from exc
        return _saml_from_metadata(xml, "saml_metadata_url")
    missing = [k for k in ("saml_entity_id", "saml_sso_url", "saml_x509cert") if not data.get(k)]
    if missing:
        raise ValidationError(
            "Give the IdP's metadata (a URL or the XML), or its entity id, SSO URL and certificate."
        )
    cert = "".join(
        line for line in data["saml_x509cert"].splitlines() if "CERTIFICATE" not in line
    ).strip()
    return {
        "saml_entity_id": data["saml_entity_id"].strip(),
        "saml_sso_url": data["saml_sso_url"].strip(),
        "saml_x509cert": cert,
    }


def _role_rules_clean(rules: Any) -> list[dict[str, str]]:
    clean = []
    for rule in rules or []:
        group = str(rule.get("group", "")).strip()
        role = rule.get("role")
        if not group:
            continue
        if role not in (Role.ADMIN, Role.MEMBER):
            raise ValidationError({"role_rules": "A group maps to admin or member."})
        clean.append({"group": group[:200], "role": role})
    if len(clean) > 50:
        raise ValidationError({"role_rules": "At most 50 group rules."})
    return clean


def _values(protocol: str, data: dict[str, Any]) -> dict[str, Any]:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": "Name the connection (e.g. “Okta” or “Entra ID”)."})
    default_role = data.get("default_role") or Role.MEMBER
    if default_role not in (Role.MEMBER, Role.ADMIN):
        raise ValidationError({"default_role": "New people start as member or admin."})
    values: dict[str, Any] = {
        "name": name[:80],
        "default_role": default_role,
        "groups_attribute": (data.get("groups_attribute") or "groups").strip()[:120],
        "role_rules": _role_rules_clean(data.get("role_rules")),
    }
    if protocol == SsoProtocol.OIDC:
        client_id = (data.get("oidc_client_id") or "").strip()
        if not client_id:
            raise ValidationError({"oidc_client_id": "Enter the client id the IdP gave you."})
        values.update(
            oidc_issuer=_oidc_check(data.get("oidc_issuer") or ""), oidc_client_id=client_id
        )
        if data.get("oidc_client_secret"):
            values["oidc_client_secret"] = data["oidc_client_secret"].strip()
    else:
        values.update(
            _saml_check(data), saml_metadata_url=(data.get("saml_metadata_url") or "").strip()
        )
    return values


def connection_create(
    *, actor: User, actor_membership: Membership, protocol: str, data: dict[str, Any]
) -> SsoConnection:
    _require_admin(actor_membership)
    company = actor_membership.company
    if protocol not in SsoProtocol.values:
        raise ValidationError("Choose OpenID Connect or SAML 2.0.")
    if connections_of_company(company=company).count() >= MAX_CONNECTIONS:
        raise ValidationError(f"A company can have at most {MAX_CONNECTIONS} connections.")
    values = _values(protocol, data)
    if protocol == SsoProtocol.OIDC and not values.get("oidc_client_secret"):
        raise ValidationError({"oidc_client_secret": "Enter the client secret the IdP gave you."})
    with transaction.atomic():
        connection = SsoConnection.objects.create(
            company=company,
            protocol=protocol,
            provider_id=f"{protocol}-{secrets.token_hex(6)}",
            created_by=actor,
            **values,
        )
        audit_event_record(
            actor=actor,
            company=company,
            action=AuditAction.SSO_CONNECTION_CREATED,
            target=connection,
            after={"protocol": protocol, **{k: getattr(connection, k) for k in AUDITED}},
        )
    return connection


def connection_update(
    *, actor: User, actor_membership: Membership, connection: SsoConnection, data: dict[str, Any]
) -> SsoConnection:
    """Changes a connection. A change to where it signs in (issuer, client, IdP) needs a new
    test: the connection is turned off until it passes again."""
    _require_admin(actor_membership)
    values = _values(connection.protocol, data)
    before = {k: getattr(connection, k) for k in AUDITED}
    secret_changed = "oidc_client_secret" in values
    endpoints = ("oidc_issuer", "oidc_client_id", "saml_entity_id", "saml_sso_url", "saml_x509cert")
    moved = secret_changed or any(
        values.get(k, getattr(connection, k)) != getattr(connection, k) for k in endpoints
    )
    with transaction.atomic():
        for key, value in values.items():
            setattr(connection, key, value)
        if moved:
            connection.enabled = False
            connection.tested_at = None
            connection.test_result = {}
        connection.save()
        audit_event_record(
            actor=actor,
            company=connection.company,
            action=AuditAction.SSO_CONNECTION_UPDATED,
            target=connection,
            before=before,
            after={
                **{k: getattr(connection, k) for k in AUDITED},
                "secret_changed": secret_changed,
                "needs_test": moved,
            },
        )
    return connection


def connection_test_record(
    *, actor: User, connection: SsoConnection, result: dict[str, Any]
) -> None:
    """Keeps what a Test round trip showed (called by the sign-in adapter)."""
    with transaction.atomic():
        SsoConnection.objects.filter(pk=connection.pk).update(
            tested_at=timezone.now(), test_result=result
        )
        audit_event_record(
            actor=actor,
            company=connection.company,
            action=AuditAction.SSO_CONNECTION_TESTED,
            target=connection,
            after=result,
        )


def connection_enable(
    *, actor: User, actor_membership: Membership, connection: SsoConnection, enabled: bool
) -> SsoConnection:
    _require_admin(actor_membership)
    if enabled and not connection.test_passed:
        raise ValidationError("Test the connection first: a round trip to the IdP must pass.")
    with transaction.atomic():
        connection.enabled = enabled
        connection.save(update_fields=["enabled", "updated_at"])
        audit_event_record(
            actor=actor,
            company=connection.company,
            action=AuditAction.SSO_CONNECTION_ENABLED
            if enabled
            else AuditAction.SSO_CONNECTION_DISABLED,
            target=connection,
            before={"enabled": not enabled},
            after={"enabled": enabled},
        )
    return connection


def connection_remove(
    *, actor: User, actor_membership: Membership, connection: SsoConnection
) -> None:
    _require_admin(actor_membership)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            company=connection.company,
            action=AuditAction.SSO_CONNECTION_REMOVED,
            target=connection,
            before={"name": connection.name, "protocol": connection.protocol},
        )
        connection.delete()
