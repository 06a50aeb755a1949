"""The sign-in page. On the network's host it asks for the e-mail first: an address on a
verified domain whose company uses SSO goes straight to that company's IdP; anything else
gets the password field. On a company's host it offers that company's IdPs beside the
password form."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.views import LoginView as AllauthLoginView
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection as db_connection
from django.shortcuts import render

from identity.models import SsoConnection
from identity.sso.discovery import sso_connection_for_email
from tenants.domains import company_url


def _on_network_host() -> bool:
    return db_connection.schema_name == settings.PUBLIC_SCHEMA_NAME


class LoginView(AllauthLoginView):
    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        context = super().get_context_data(**kwargs)
        tenant = getattr(self.request, "tenant", None)
        if _on_network_host():
            context["discovery_step"] = getattr(self, "_step", "email")
        else:
            context["discovery_step"] = "password"
            context["sso_connections"] = list(
                SsoConnection.objects.filter(company=tenant, enabled=True).order_by("created_at")
            )
        return context

    def get_initial(self):  # type: ignore[no-untyped-def]
        initial = super().get_initial()
        if email := self.request.GET.get("email"):
            initial["login"] = email[:254]
        return initial

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not _on_network_host() or "password" in request.POST:
            self._step = "password"
            return super().post(request, *args, **kwargs)
        email = (request.POST.get("login") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            self._step = "email"
            form = self.get_form()
            form.errors.clear()
            form.add_error("login", "Enter your work e-mail address.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        connection = sso_connection_for_email(email)
        if connection is not None:
            query = urlencode({"next": request.POST.get("next") or "/"})
            target = company_url(
                connection.company.slug, f"/sso/{connection.provider_id}/start/?{query}"
            )
            # A page that moves on by itself (a meta refresh, not a redirect): the browser
            # then goes to the IdP as a navigation of its own, not as the end of our form's
            # submission, which the Content-Security-Policy's form-action would stop.
            return render(
                request,
                "identity/sso_redirect.html",
                {"target": target, "connection": connection},
            )
        self._step = "password"
        form = self.get_form_class()(initial={"login": email}, request=request)
        return self.render_to_response(self.get_context_data(form=form))
