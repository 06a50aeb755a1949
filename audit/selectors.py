"""Reads of the audit logs."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.company.models import AuditEntry
from audit.models import AuditEvent


def audit_events_of_company(*, company, limit: int = 100) -> QuerySet[AuditEvent]:
    """The network log's events about one company, newest first."""
    return AuditEvent.objects.filter(company=company).select_related("actor")[:limit]


def company_audit_entries(*, limit: int = 100) -> QuerySet:
    """The current company schema's own log, newest first."""
    return AuditEntry.objects.select_related("actor")[:limit]
