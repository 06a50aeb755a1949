import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from canonical import currency_code


class MarketingPlan(models.Model):
    # this kind's key in the record-kind registry (kinds), stored wherever a kind is named
    kind_key = "marketing_plan"
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    budget = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], default=0
    )
    currency = models.CharField(max_length=3, validators=[currency_code], default="USD")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    custom = models.JSONField(default=dict, blank=True)
    shared_record_id = models.UUIDField(null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "name"]
        indexes = [
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="plan_custom_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="plan_period_ordered",
                violation_error_message="The period must end on or after its start.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(MarketingPlan, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    target_leads = models.PositiveIntegerField(default=0)
    target_pipeline = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], default=0
    )

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_dates_ordered",
                violation_error_message="A campaign must end on or after its start.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlanTask(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(MarketingPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["done", "due_on", "title"]

    def __str__(self) -> str:
        return self.title
