"""The invitation link's page on the company's host: /invitations/<secret>/.

It explains every state in a sentence (unknown, withdrawn, expired, used), lets the invited
person in, and changes nothing on GET (mail scanners open links)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from identity.invitations import (
    colleague_invitation_accept,
    colleague_invitation_accept_new,
    colleague_invitation_for_secret,
)
from identity.models import User
from identity.models.sessions import AuthMethod
from identity.sessions import session_auth_mark
from ui.forms import form_errors_add

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not only digits, not a common password.",
    )
    password2 = forms.CharField(
        label="The password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


def invitation_page(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = colleague_invitation_for_secret(secret)
    if invitation is None or invitation.company_id != request.tenant.pk:
        return render(request, "identity/invitation_invalid.html", status=404)
    state = invitation.state
    if (
        state == "accepted"
        and request.user.is_authenticated
        and (request.user.pk == invitation.accepted_by_id)
    ):
        return redirect("/")
    if state != "pending":
        return render(
            request, "identity/invitation_closed.html", {"invitation": invitation}, status=410
        )
    account_exists = User.objects.filter(email__iexact=invitation.email).exists()
    context = {"invitation": invitation, "account_exists": account_exists, "secret": secret}
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "identity/invitation_other_user.html", context, status=403)
        if request.method == "POST":
            try:
                colleague_invitation_accept(invitation=invitation, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect(request.path)
            messages.success(request, f"Welcome to {invitation.company.name}.")
            return redirect("/")
        return render(request, "identity/invitation_accept.html", context)
    if account_exists:
        return render(request, "identity/invitation_accept.html", context)
    form = InvitationSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = colleague_invitation_accept_new(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "password" in exc.error_dict:
                form.add_error("password1", exc.error_dict.pop("password"))
            form_errors_add(form, exc)
        else:
            login(request, user, backend=BACKEND)
            session_auth_mark(request, method=AuthMethod.INVITATION)
            messages.success(request, f"Welcome to {invitation.company.name}, {user.display_name}.")
            return redirect("/")
    context["form"] = form
    return render(request, "identity/invitation_signup.html", context)
