"""Append-only audit logs. The network log (AuditEvent, public schema) records what happens
between and around companies; each company's own log (audit.company's AuditEntry, its schema)
records its private configuration changes. Both share one shape; a database trigger refuses
UPDATE and DELETE on both, so not even a bug in our code can rewrite history."""

from django.conf import settings
from django.db import models


class AuditRecord(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Logical references: the log must outlive users (and, for the network log, companies).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
        )


class AuditEvent(AuditRecord):
    company = models.ForeignKey(
        "tenants.Company",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(AuditRecord.Meta):
        indexes = [models.Index(fields=["company", "-occurred_at"])]
