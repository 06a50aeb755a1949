"""Background work of identity. Kept out of the request so that what a visitor can time is the
same whether or not an address is registered."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from identity.models import ServiceAccount, User
from identity.service_accounts import service_accounts_expiring
from identity.sessions import sessions_purge
from tenants.domains import company_url
from tenants.selectors import memberships_of_user


@shared_task(ignore_result=True)
def workspaces_remind(email: str) -> bool:
    """E-mails `email` the list of its workspaces, if it is a person's address. Returns whether
    a mail went out (an unknown address gets none)."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return False
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
    return True


@shared_task(ignore_result=True)
def session_records_purge() -> int:
    """Daily: the records of sessions that ended without a sign-out (they expired)."""
    return sessions_purge()


@shared_task(ignore_result=True)
def service_accounts_expiry_notify() -> int:
    """Daily: tells each service account's owner, once, that it ends within two weeks (so an
    integration does not stop unannounced). Returns how many owners were told."""
    told = 0
    for account in service_accounts_expiring():
        url = company_url(account.company.slug, f"/settings/service-accounts/{account.pk}/")
        send_mail(
            subject=f"“{account.name}” stops working on {account.expires_at:%b %-d, %Y}",
            message=render_to_string(
                "identity/email/service_account_expiring.txt",
                {"account": account, "url": url},
            ),
            from_email=None,
            recipient_list=[account.owner.email],
        )
        ServiceAccount.objects.filter(pk=account.pk).update(expiry_notified_at=timezone.now())
        told += 1
    return told
