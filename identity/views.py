"""Sign-up and "find my company" on the network host."""

from __future__ import annotations

from allauth.account.views import SignupView
from django import forms
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from identity.tasks import workspaces_remind
from identity.throttles import attempt_count, mailbox_key


class CompanySignupView(SignupView):
    """allauth's sign-up, run as one transaction. Both a new address and one that already has
    an account get the same answer (enter the code we e-mailed), and take about as long: a new
    account's password is hashed, so an existing one's typed password is hashed too, and
    thrown away (ACCOUNT_PREVENT_ENUMERATION; the e-mail to an existing address says so)."""

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        if form.account_already_exists:
            make_password(form.cleaned_data.get("password1"))
        with transaction.atomic():
            return super().form_valid(form)


class FindCompanyForm(forms.Form):
    email = forms.EmailField(label="Your work e-mail")


def find_company(request: HttpRequest) -> HttpResponse:
    """E-mails the list of workspaces an address belongs to. The page says the same thing
    whether or not the address is known, and takes as long (the lookup and the e-mail happen
    in the worker), so it cannot be used to probe who is a customer; it is rate-limited per
    address and per client so it cannot be used to flood an inbox."""
    form = FindCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if not attempt_count(request, action="find_company", key=mailbox_key(email)):
            form.add_error(None, "Too many requests for this address. Please try again in an hour.")
            return render(request, "identity/find_company.html", {"form": form}, status=429)
        # Looked up by the worker: the request does the same work for any address.
        workspaces_remind.delay(email)
        return render(request, "identity/find_company_sent.html", {"email": email})
    return render(request, "identity/find_company.html", {"form": form})
