"""allauth's account adapter: where our hosts change allauth's defaults."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest
from django.shortcuts import redirect

from identity.models import SERVICE_DOMAIN
from identity.models.sessions import AuthMethod
from identity.sessions import session_auth_mark, session_forget
from identity.signup import signup_intent_fulfil
from identity.sso.enforcement import password_allowed, refusal_text
from tenants.domains import network_url
from tenants.models import Company
from tenants.selectors import memberships_of_user
from tenants.services.handoff import handoff_issue

# allauth keeps the steps of the current sign-in here ("password", "code", "mfa", ...).
AUTH_RECORDS_KEY = "account_authentication_methods"


def _on_network_host() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:  # type: ignore[no-untyped-def]
        # allauth keys failed logins by site domain + login; without the sites framework the
        # "site" is the request's host, so every company host counted on its own. One login
        # is one account across the network: count it once (identity.throttles).
        return (credentials.get("email") or "").lower()

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join an existing company by invitation; sign-up creates a company and lives on
        # the network's own host.
        return _on_network_host()

    def save_user(self, request, user, form, commit=True):  # type: ignore[no-untyped-def]
        user.full_name = (form.cleaned_data.get("full_name") or "").strip()
        return super().save_user(request, user, form, commit=commit)

    def pre_login(self, request, user, **kwargs):  # type: ignore[no-untyped-def]
        """A password (or code) sign-in on the host of a company that requires SSO is refused
        for its members, break-glass owners excepted; an IdP's sign-in goes on."""
        if getattr(user, "is_service_account", False):
            # an integration's identity works by its tokens only, never in a browser
            messages.error(request, "Service accounts do not sign in; they use their tokens.")
            return redirect("account_login")
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        tenant = getattr(request, "tenant", None)
        if (
            sociallogin is None
            and not _on_network_host()
            and tenant is not None
            and not password_allowed(company_id=tenant.pk, user_id=user.pk)
        ):
            messages.error(request, refusal_text(tenant))
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):  # type: ignore[no-untyped-def]
        """No mail to a service account's address (it is no mailbox; a reset link sent there
        could only end up in a bounce or a log)."""
        if str(email).lower().endswith(f"@{SERVICE_DOMAIN}"):
            return
        super().send_mail(template_prefix, email, context)

    def logout(self, request: HttpRequest) -> None:
        session_forget(request)
        super().logout(request)

    def post_login(self, request, user, **kwargs):  # type: ignore[no-untyped-def]
        """Every stage is done (the e-mail is verified, MFA passed): note how the session was
        signed in, and open the workspace the person asked for at sign-up, whether they
        verify right away or on a later login."""
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            session_auth_mark(request, method=AuthMethod.SSO, provider=sociallogin.account.provider)
        else:
            methods = {r.get("method") for r in request.session.get(AUTH_RECORDS_KEY, [])}
            session_auth_mark(
                request, method=AuthMethod.CODE if "code" in methods else AuthMethod.PASSWORD
            )
        outcome = signup_intent_fulfil(user=user, ip_address=request.META.get("REMOTE_ADDR"))
        if outcome is not None and outcome.company is not None:
            request.session["signup_company_id"] = outcome.company.pk
            request.session["signup_next"] = outcome.next_path
        elif outcome is not None:
            request.session["signup_retry"] = True
        return super().post_login(request, user, **kwargs)

    def get_reset_password_from_key_url(self, key: str) -> str:
        # The link opens on the network's own host, whichever company host the reset was asked
        # on: the person may not belong to that company, and signing in there would stop at
        # "not a member"; from the network host, login takes them to their own workspace.
        return network_url(urlsplit(super().get_reset_password_from_key_url(key)).path)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self._new_workspace_url(request) or super().get_signup_redirect_url(request)

    def _new_workspace_url(self, request: HttpRequest) -> str | None:
        if request.session.pop("signup_retry", False):
            return network_url("/companies/new/")
        company_id = request.session.pop("signup_company_id", None)
        company = Company.objects.filter(pk=company_id).first() if company_id else None
        if company is not None:
            next_path = request.session.pop("signup_next", "/")
            return handoff_issue(user=request.user, company=company, next_path=next_path)
        return None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if url := self._new_workspace_url(request):
            return url
        # On the network host, somebody with exactly one workspace goes straight into it.
        if _on_network_host() and request.user.is_authenticated:
            memberships = list(memberships_of_user(user=request.user)[:2])
            if len(memberships) == 1:
                url = handoff_issue(user=request.user, company=memberships[0].company)
                if url:
                    return url
        return super().get_login_redirect_url(request)
