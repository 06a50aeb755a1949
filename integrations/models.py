"""A company's integrations (its schema): connections to its CRM, how CRM objects and fields
map onto its records, and what every sync did. Nothing here is ever shared: a company's
connections and mappings are as private as its records (invariant 8)."""

from __future__ import annotations

import uuid

from django.db import connection as db
from django.db import models

from vault.fields import EncryptedTextField


class ConnectorKey(models.TextChoices):
    TRYTON = "tryton", "Tryton"
    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"
    FILE = "file", "CSV / Excel file"


class ConnectionState(models.TextChoices):
    # connected, mapping not switched on yet: nothing syncs
    DRAFT = "draft", "Not switched on"
    ACTIVE = "active", "Syncing"
    PAUSED = "paused", "Paused"
    # repeated failures: the admin was told; syncs keep being retried with backoff
    FAILING = "failing", "Failing"
    DISCONNECTED = "disconnected", "Disconnected"


class Connection(models.Model):
    """One CRM connected once for the whole company (hub and spoke: partners never connect
    to it). It acts as a company service account, never as the person who connected it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connector = models.CharField(max_length=20, choices=ConnectorKey.choices)
    name = models.CharField(max_length=100)
    state = models.CharField(
        max_length=14, choices=ConnectionState.choices, default=ConnectionState.DRAFT
    )
    # where and how to reach it (the CRM's address, database, instance URL): not secret
    settings = models.JSONField(default=dict, blank=True)
    # password, API token or OAuth tokens as JSON: encrypted at rest, never shown again
    secret = EncryptedTextField(blank=True)
    # what the CRM offers, as discovered: {"objects": [...], "fields": {object: [...]}}
    catalog = models.JSONField(default=dict, blank=True)
    catalog_at = models.DateTimeField(null=True, blank=True)
    # secret of the signed URL the CRM calls when something changed (incoming webhook)
    webhook_secret = EncryptedTextField(blank=True)
    # the identity.ServiceAccount it acts as, and its user (public schema: logical references)
    service_account_id = models.UUIDField()
    actor_id = models.BigIntegerField()
    connected_by_id = models.BigIntegerField(null=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failure_notified_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeletionPolicy(models.TextChoices):
    ARCHIVE = "archive", "Archive the record here"
    IGNORE = "ignore", "Keep the record here"


class ObjectMapping(models.Model):
    """A CRM object (Tryton's sale.opportunity, Salesforce's Opportunity) onto one of our
    kinds (accounts, opportunities)."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="object_mappings"
    )
    remote_object = models.CharField(max_length=100)
    remote_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20)
    enabled = models.BooleanField(default=False)
    # create records in the CRM for ours that have no CRM record yet (pushed from here)
    create_remote = models.BooleanField(default=False)
    on_remote_delete = models.CharField(
        max_length=10, choices=DeletionPolicy.choices, default=DeletionPolicy.ARCHIVE
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "remote_object"], name="object_mapping_one_per_object"
            ),
            models.UniqueConstraint(
                fields=["connection", "kind"], name="object_mapping_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remote_object} → {self.kind}"


class SystemOfRecord(models.TextChoices):
    CRM = "crm", "CRM wins"
    NETWORK = "network", "Ecosystem Cloud wins"
    BOTH = "both", "Both ways (conflicts to the inbox)"


class FieldMapping(models.Model):
    """One CRM field onto one of our fields: a core field ("amount") or a custom one
    ("custom.probability"), with its system of record, value map and transforms."""

    object_mapping = models.ForeignKey(
        ObjectMapping, on_delete=models.CASCADE, related_name="fields"
    )
    remote_field = models.CharField(max_length=100)
    local_field = models.CharField(max_length=60)
    system_of_record = models.CharField(
        max_length=8, choices=SystemOfRecord.choices, default=SystemOfRecord.BOTH
    )
    # CRM value → our value (stages and picklists onto the company's vocabularies)
    value_map = models.JSONField(default=dict, blank=True)
    # e.g. {"trim": true, "case": "upper", "date_format": "%d/%m/%Y", "decimal_comma": true}
    transform = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_mapping", "local_field"], name="field_mapping_one_per_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remote_field} → {self.local_field}"


class SyncCursor(models.Model):
    """How far the sync has read one CRM object's changes: saved in the same transaction as
    the batch it covers, so a killed worker resumes from the last batch it committed."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="cursors")
    remote_object = models.CharField(max_length=100)
    position = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "remote_object"], name="sync_cursor_one_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.remote_object} @ {self.position}"


class ExternalLink(models.Model):
    """Our record ↔ its CRM record. `base` holds the mapped values (in our terms) both sides
    agreed on at the last sync: a field that differs from it on both sides is a conflict."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="links")
    remote_object = models.CharField(max_length=100)
    external_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)
    local_id = models.UUIDField()
    base = models.JSONField(default=dict, blank=True)
    remote_modified = models.CharField(max_length=40, blank=True)
    # our record's version at the last sync: a higher one means it changed here since
    local_version = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(auto_now=True)
    remote_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "remote_object", "external_id"],
                name="external_link_one_per_remote",
            ),
            models.UniqueConstraint(
                fields=["connection", "kind", "local_id"], name="external_link_one_per_local"
            ),
        ]
        indexes = [models.Index(fields=["kind", "local_id"])]

    def __str__(self) -> str:
        return f"{self.remote_object}:{self.external_id} ↔ {self.kind}:{self.local_id}"


class RunTrigger(models.TextChoices):
    INITIAL = "initial", "Initial import"
    MANUAL = "manual", "Started by hand"
    SCHEDULE = "schedule", "Scheduled"
    WEBHOOK = "webhook", "Change notice from the CRM"
    REPLAY = "replay", "Replay"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Finished with errors"
    FAILED = "failed", "Failed"
    # paused, disconnected, or a duplicate of a run already going: nothing was done
    CANCELLED = "cancelled", "Cancelled"


class SyncRun(models.Model):
    """One sync of one connection, both directions; its counts are what the run page and
    the health page show."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    started_by_id = models.BigIntegerField(null=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # records the CRM said it would send (for the progress bar; None while unknown)
    expected = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["connection", "-queued_at"])]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} ({self.get_state_display()})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return min(100, round(100 * self.processed / self.expected))


class ConflictState(models.TextChoices):
    OPEN = "open", "Open"
    KEPT_OURS = "ours", "Kept ours"
    TOOK_THEIRS = "theirs", "Took the CRM's"
    EDITED = "edited", "Edited"


class SyncConflict(models.Model):
    """A field both sides changed since the last sync: nothing was overwritten; a person
    decides."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="conflict_set"
    )
    link = models.ForeignKey(ExternalLink, on_delete=models.CASCADE, related_name="conflicts")
    local_field = models.CharField(max_length=60)
    base_value = models.JSONField(null=True)
    ours = models.JSONField(null=True)
    theirs = models.JSONField(null=True)
    ours_changed_by_id = models.BigIntegerField(null=True)
    ours_changed_at = models.DateTimeField(null=True)
    theirs_changed_at = models.CharField(max_length=40, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=8, choices=ConflictState.choices, default="open")
    resolved_by_id = models.BigIntegerField(null=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_value = models.JSONField(null=True)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "local_field"],
                condition=models.Q(state="open"),
                name="sync_conflict_one_open_per_field",
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_field}: {self.ours!r} / {self.theirs!r}"


class Direction(models.TextChoices):
    PULL = "pull", "From the CRM"
    PUSH = "push", "To the CRM"


class DeadLetter(models.Model):
    """A record that could not be synced, with the reason in a sentence and what was sent,
    so nothing is lost: the admin fixes the cause and replays it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="dead_letters"
    )
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    remote_object = models.CharField(max_length=100)
    external_id = models.CharField(max_length=100, blank=True)
    local_id = models.UUIDField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # the admin asked to try it again: the next run reads it from the CRM once more
    replay_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_attempt_at"]
        indexes = [models.Index(fields=["connection", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.remote_object}:{self.external_id or self.local_id}: {self.error[:60]}"


class RemoteCreateRequest(models.Model):
    """ "Add to my CRM": one of our records to be created in the CRM at the next push, even
    when the mapping doesn't create records there by itself."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="create_requests"
    )
    kind = models.CharField(max_length=20)
    local_id = models.UUIDField()
    requested_by_id = models.BigIntegerField(null=True)
    # the partner's share it comes from: checked again when the push runs (invariant 3)
    shared_record_id = models.UUIDField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "kind", "local_id"],
                condition=models.Q(done_at=None),
                name="remote_create_one_open_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"create {self.kind} {self.local_id} in the CRM"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Columns to match"
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked"
    RUNNING = "running", "Importing"
    SUCCEEDED = "succeeded", "Imported"
    PARTIAL = "partial", "Imported, bad rows skipped"
    # all or nothing, and a row failed: nothing was written
    REFUSED = "refused", "Nothing imported"
    FAILED = "failed", "Failed"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", "Import nothing if any row fails"
    SKIP = "skip", "Skip the rows that fail, import the others"


def import_upload_to(job: ImportJob, filename: str) -> str:
    # the company's schema in the path: one storage, never one company's file at another's
    return f"imports/{db.schema_name}/{job.pk}/{uuid.uuid4().hex}"


class ImportJob(models.Model):
    """One CSV or Excel file imported into one kind: its columns matched onto our fields, a
    check (a dry run through the same services, written nothing), then the import itself in
    the background with its progress, and a sentence per row that failed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    mode = models.CharField(
        max_length=4, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to=import_upload_to, max_length=300)
    headers = models.JSONField(default=list)
    rows_total = models.PositiveIntegerField(default=0)
    # our field key → the file's column header
    columns = models.JSONField(default=dict, blank=True)
    # how the file writes dates and numbers: {"date_format": "%d/%m/%Y", "decimal_comma": true}
    options = models.JSONField(default=dict, blank=True)
    created_by_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # rows done (the progress bar); with "skip", the rows committed so far (a restarted
    # worker goes on after them)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [{"row": n, "errors": ["sentence", …]}] for the first rows that failed
    row_errors = models.JSONField(default=list, blank=True)
    # the check's counts, shown before the import starts
    check_summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import of {self.original_name} into {self.kind}"

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, round(100 * self.processed / self.rows_total))

    @property
    def finished(self) -> bool:
        return self.state in (
            ImportState.SUCCEEDED,
            ImportState.PARTIAL,
            ImportState.REFUSED,
            ImportState.FAILED,
        )
