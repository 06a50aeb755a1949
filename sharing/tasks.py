from django.core.mail import send_mail

from ecosystem.celery import app
from identity.models import User
from sharing.access import shared_records_visible_to
from sharing.models import SharedRecord
from tenants.domains import company_url
from tenants.models import Company, Membership, Role


@app.task(ignore_result=True)
def shared_record_notify(record_id: str, company_id: int, user_ids: list[int]) -> int:
    """Tells people a record was shared with them. Re-checks access when it runs (invariant 3):
    somebody revoked between the share and this task hears nothing. Returns how many were told."""
    record = SharedRecord.objects.select_related("owner").filter(pk=record_id).first()
    company = Company.objects.filter(pk=company_id).first()
    if record is None or company is None:
        return 0
    if user_ids:
        people = User.objects.filter(pk__in=user_ids)
    else:
        people = User.objects.filter(
            memberships__company=company, memberships__role__in=[Role.OWNER, Role.ADMIN]
        )
    told = 0
    for person in people:
        if not Membership.objects.filter(user=person, company=company).exists():
            continue
        if (
            not shared_records_visible_to(user=person, company=company)
            .filter(pk=record.pk)
            .exists()
        ):
            continue
        send_mail(
            subject=f"{record.owner.name} shared “{record.title}” with {company.name}",
            message=(
                f"{record.owner.name} shared a {record.get_kind_display().lower()} with you.\n\n"
                f"Open it: {company_url(company.slug, f'/shared/{record.pk}/')}\n"
            ),
            from_email=None,
            recipient_list=[person.email],
        )
        told += 1
    return told
