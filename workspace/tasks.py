from celery import shared_task
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from identity.models import User
from tenants.domains import company_url
from tenants.models import Membership
from workspace.services import workspace_bootstrap_run


@shared_task(ignore_result=True)
def workspace_bootstrap(owner_id: int) -> None:
    """Runs in the new company's schema (sent with its schema header): sets the workspace up
    and welcomes the owner, if they still belong to it when the task runs."""
    company = connection.tenant
    owner = User.objects.filter(pk=owner_id).first()
    workspace_bootstrap_run(owner=owner)
    if owner is None or not Membership.objects.filter(user=owner, company=company).exists():
        return
    context = {"user": owner, "company": company, "url": company_url(company.slug)}
    send_mail(
        subject=f"Your {company.name} workspace is ready",
        message=render_to_string("workspace/email/welcome.txt", context),
        from_email=None,
        recipient_list=[owner.email],
    )
