"""Sign-up in two steps: record the workspace a person asks for, open it once their e-mail is
verified. Services; the views and allauth's adapter call them."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from identity.models import SignupIntent, User
from tenants.hooks import invitation_redeem
from tenants.models import Company
from tenants.services.companies import company_create


def signup_intent_record(
    *, user: User, company_name: str, company_slug: str, partner_invitation: str | None
) -> SignupIntent:
    """Keeps what the sign-up form asked for (validated by the form) until verification."""
    intent, _ = SignupIntent.objects.update_or_create(
        user=user,
        defaults={
            "company_name": company_name,
            "company_slug": company_slug,
            "partner_invitation": partner_invitation or None,
        },
    )
    return intent


@dataclass
class SignupOutcome:
    company: Company | None
    next_path: str
    # Why the workspace could not be opened (its address was taken meanwhile).
    error: str = ""


def signup_intent_of(*, user: User) -> SignupIntent | None:
    return SignupIntent.objects.filter(user=user).first() if user.is_authenticated else None


def signup_intent_discard(*, user: User) -> None:
    """The person opened a workspace another way (picked another address): nothing waits."""
    SignupIntent.objects.filter(user=user).delete()


def signup_intent_fulfil(*, user: User, ip_address: str | None) -> SignupOutcome | None:
    """Opens the workspace a verified person asked for at sign-up (None if they asked for
    none). If the address was taken while they were verifying, nothing is created and the
    intent stays, so the next page can ask for another address with the rest filled in."""
    intent = SignupIntent.objects.filter(user=user).first()
    if intent is None:
        return None
    try:
        with transaction.atomic():
            company = company_create(
                actor=user,
                name=intent.company_name,
                slug=intent.company_slug,
                ip_address=ip_address,
            )
            next_path = "/"
            if intent.partner_invitation and invitation_redeem(
                actor=user, company=company, token=str(intent.partner_invitation)
            ):
                next_path = "/partners/"
            intent.delete()
    except ValidationError as exc:
        return SignupOutcome(company=None, next_path="/", error=" ".join(exc.messages))
    return SignupOutcome(company=company, next_path=next_path)
