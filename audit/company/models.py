"""A company's own audit log, in its schema: its private configuration and record changes."""

from audit.models import AuditRecord


class AuditEntry(AuditRecord):
    class Meta(AuditRecord.Meta):
        # The table kept its name when the model moved here from `workspace`: no data moved.
        db_table = "workspace_auditentry"
        verbose_name_plural = "audit entries"
