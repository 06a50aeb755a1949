import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class SolutionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AVAILABLE = "available", "Available"
    RETIRED = "retired", "Retired"


class Solution(models.Model):
    # this kind's key in the record-kind registry (kinds), stored wherever a kind is named
    kind_key = "solution"
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    categories = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    industries = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=SolutionStatus.choices, default=SolutionStatus.DRAFT
    )
    is_public = models.BooleanField("listed on our public profile", default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    shared_record_id = models.UUIDField(null=True, blank=True, unique=True)
    custom = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "name"]),
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="solution_custom_gin"),
        ]

    def __str__(self) -> str:
        return self.name
