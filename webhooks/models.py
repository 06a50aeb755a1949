"""A company's outgoing webhooks (its schema): the endpoints its admins set up, the events
each was told about and every attempt to deliver them. Nothing here is shared: endpoints and
their secrets are configuration, as private as the company's records (invariant 8)."""

from __future__ import annotations

import uuid

from django.db import models

from vault.fields import EncryptedTextField


class WebhookEndpoint(models.Model):
    """Where the company wants to be told about events, and which ones. Signed per the
    Standard Webhooks spec with `secret`; during a rotation's grace period the previous
    secret signs too."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # keys of webhooks.catalogue.EVENT_TYPES
    event_types = models.JSONField(default=list)
    # switched off by an admin, or by us after sustained failure (disabled_reason says so)
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    # whsec_…: encrypted at rest, shown to admins on request (audited)
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # health: failing since the first failed attempt after the last success
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # the person who set it up (public schema: a logical reference)
    created_by_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def state(self) -> str:
        if not self.enabled:
            return "disabled"
        return "failing" if self.failing_since else "enabled"


class WebhookEvent(models.Model):
    """Something the company was told about, once for all its endpoints. `facts` are what
    the event itself says (a stage's before and after, the partner added); the record is read
    again, through the access function, whenever a delivery is sent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=60)
    occurred_at = models.DateTimeField()
    # what it is about: a shared record (network events), or one of the company's own records
    # (kind + id), or one of its CRM connections
    shared_record_id = models.UUIDField(null=True, blank=True)
    record_kind = models.CharField(max_length=20, blank=True)
    record_id = models.UUIDField(null=True, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.type} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"
    # never sent: access removed, endpoint switched off, not subscribed any more
    NOT_SENT = "not_sent", "Not sent"


class AttemptTrigger(models.TextChoices):
    FIRST = "first", "First attempt"
    RETRY = "retry", "Retry"
    RESEND = "resend", "Resent by an admin"
    TEST = "test", "Test event"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the message receivers see as `webhook-id` (the same on every
    attempt and on a resend, so they can drop duplicates)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # retried automatically after a failure (False for a resend or a test: one attempt)
    auto_retry = models.BooleanField(default=True)
    # what the next attempt is (a resend asked by an admin, a retry…), for the log
    next_trigger = models.CharField(
        max_length=8, choices=AttemptTrigger.choices, default=AttemptTrigger.FIRST
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # a worker took it until then (a killed worker's claim runs out; the sweep sends it again)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # why it ended as it did, or why the last attempt failed, in a sentence
    outcome = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_one_per_endpoint")
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["endpoint", "state", "-created_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id} ({self.state})"

    @property
    def webhook_id(self) -> str:
        """The Standard Webhooks message id."""
        return f"msg_{self.id.hex}"


class WebhookAttempt(models.Model):
    """One HTTP request to the endpoint (or the decision not to make one), as the log shows it."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_set"
    )
    number = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=8, choices=AttemptTrigger.choices)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # None: no answer (timeout, refused connection) or not sent at all
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    sent = models.BooleanField(default=True)
    # the first bytes of the answer, as text
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    # the body we sent (what the receiver got, for the log); empty when not sent
    request_body = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["delivery", "-number"])]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"
