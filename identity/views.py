"""Sign-up and "find my company" on the network host."""

from __future__ import annotations

from allauth.account.views import SignupView
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from identity.models import User
from identity.throttles import attempt_count
from tenants.domains import company_url
from tenants.selectors import memberships_of_user


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
    whether or not the address is known, so it cannot be used to probe who is a customer;
    it is rate-limited per address and per client so it cannot be used to flood an inbox."""
    form = FindCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if not attempt_count(request, action="find_company", key=email):
            form.add_error(None, "Too many requests for this address. Please try again in an hour.")
            return render(request, "identity/find_company.html", {"form": form}, status=429)
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is not None:
            workspaces = [
                {"name": m.company.name, "url": company_url(m.company.slug, "/accounts/login/")}
                for m in memberships_of_user(user=user)
            ]
            send_mail(
                subject="Your Ecosystem Cloud workspaces",
                message=render_to_string(
                    "identity/email/find_company.txt", {"user": user, "workspaces": workspaces}
                ),
                from_email=None,
                recipient_list=[user.email],
            )
        return render(request, "identity/find_company_sent.html", {"email": email})
    return render(request, "identity/find_company.html", {"form": form})
