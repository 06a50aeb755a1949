"""allauth's social-account adapter: where a company's IdPs come from (our SsoConnection
rows, for the host's company only) and what an IdP's answer may do (identity.sso.provisioning).
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import redirect, render

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import SsoConnection, User
from identity.sso.connections import connection_test_record
from identity.sso.fetch import GuardedSession
from identity.sso.provisioning import (
    Assertion,
    assertion_of,
    member_provision,
    role_for,
    trust_refusal,
)
from identity.sso.socialapps import social_app_of

logger = logging.getLogger(__name__)

TESTING_KEY = "sso_testing"  # the provider id an admin is testing in this session


def _company_of(request: HttpRequest | None) -> Any:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return tenant


def connection_of(request: HttpRequest, provider_id: str) -> SsoConnection | None:
    company = _company_of(request)
    if company is None:
        return None
    return (
        SsoConnection.objects.select_related("company")
        .filter(company=company, provider_id=provider_id)
        .first()
    )


def _refusal_audit(connection: SsoConnection, email: str, reason: str) -> None:
    """A refused sign-in is a security event of the company whose IdP was used."""
    audit_event_record(
        actor=None,
        company=connection.company,
        action=AuditAction.SSO_SIGN_IN_REFUSED,
        target=connection,
        after={"connection": connection.name, "email": (email or "")[:254], "reason": reason},
    )


def _refuse(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(
        render(request, "identity/sso_refused.html", {"reason": reason}, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):  # type: ignore[no-untyped-def]
        company = _company_of(request)
        if company is None:
            return []
        rows = SsoConnection.objects.filter(company=company)
        apps = [social_app_of(row) for row in rows]
        if provider:
            apps = [a for a in apps if provider in (a.provider, a.provider_id)]
        if client_id:
            apps = [a for a in apps if a.client_id == client_id]
        return apps

    def get_requests_session(self):  # type: ignore[no-untyped-def]
        # Sign-in fetches the company's IdP endpoints; the same guard as for its settings.
        return GuardedSession()

    def is_open_for_signup(self, request, sociallogin):  # type: ignore[no-untyped-def]
        return True  # pre_social_login has refused every address the company cannot vouch for

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        connection = connection_of(request, sociallogin.account.provider)
        if connection is None:
            raise _refuse(request, "This sign-in does not belong to this workspace.")
        assertion = assertion_of(sociallogin, connection)
        refusal = trust_refusal(connection, assertion)
        if request.session.get(TESTING_KEY) == connection.provider_id:
            self._test_finish(request, connection, assertion, refusal)
        if not connection.enabled:
            raise _refuse(request, "This single sign-on connection is not switched on yet.")
        if refusal:
            _refusal_audit(connection, assertion.email, refusal)
            raise _refuse(request, refusal)
        user = sociallogin.user if sociallogin.is_existing else None
        if user is None:
            user = User.objects.filter(email__iexact=assertion.email).first()
            if user is not None:
                # the address is on the company's verified domain: its IdP speaks for it
                sociallogin.connect(request, user)
        if user is not None:
            if not user.is_active:
                _refusal_audit(connection, assertion.email, "The account is deactivated.")
                raise _refuse(request, "This account is deactivated.")
            member_provision(connection=connection, user=user, assertion=assertion)
        request._sso_pending = (connection, assertion)  # a new person: save_user provisions

    def on_authentication_error(  # type: ignore[no-untyped-def]
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """An answer refused before pre_social_login (a bad signature, SHA-1, another
        audience, expired…): during an admin's Test it is recorded as a failed test with
        the reason, instead of the generic failed-sign-in page that tells them to run Test."""
        provider_id = getattr(getattr(provider, "app", None), "provider_id", "")
        connection = connection_of(request, provider_id) if provider_id else None
        if connection is None:
            return
        detail = (extra_context or {}).get("saml_last_error_reason") or exception
        reason = (
            f"The identity provider's answer was refused: {str(detail)[:300]}"
            if detail
            else "The identity provider's answer was refused (cancelled, expired, unsolicited "
            "or meant for another application)."
        )
        testing = request.session.get(TESTING_KEY) == provider_id
        if not testing or not request.user.is_authenticated:
            # not audited: anyone can post garbage to an ACS or a callback, and the company's
            # append-only log is no place for it (refusals of answers the IdP really signed
            # are audited in pre_social_login)
            logger.warning("SSO answer refused for %s: %s", connection.provider_id, reason)
            return
        request.session.pop(TESTING_KEY, None)
        connection_test_record(
            actor=request.user,
            connection=connection,
            result={
                "ok": False,
                "email": "",
                "name": "",
                "groups": [],
                "role": "",
                "reason": reason,
            },
        )
        raise ImmediateHttpResponse(redirect("sso_connection", pk=connection.pk))

    def _test_finish(
        self, request: HttpRequest, connection: SsoConnection, assertion: Assertion, refusal: str
    ) -> None:
        request.session.pop(TESTING_KEY, None)
        result = {
            "ok": not refusal,
            "email": assertion.email,
            "name": assertion.full_name,
            "groups": assertion.groups[:20],
            "role": role_for(connection, assertion) or connection.default_role,
            "reason": refusal,
        }
        connection_test_record(actor=request.user, connection=connection, result=result)
        raise ImmediateHttpResponse(redirect("sso_connection", pk=connection.pk))

    def save_user(self, request, sociallogin, form=None):  # type: ignore[no-untyped-def]
        user = super().save_user(request, sociallogin, form)
        connection, assertion = request._sso_pending
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
        member_provision(connection=connection, user=user, assertion=assertion)
        return user

    def populate_user(self, request, sociallogin, data):  # type: ignore[no-untyped-def]
        user = super().populate_user(request, sociallogin, data)
        name = (
            data.get("name")
            or " ".join(x for x in (data.get("first_name"), data.get("last_name")) if x)
        ).strip()
        user.full_name = name[:150]
        user.email = (user.email or "").lower()
        return user
