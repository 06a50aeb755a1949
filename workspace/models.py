"""A company's own workspace preferences, in its schema (its audit log is `audit.company`)."""

from django.db import models

MONTHS = [
    (i, m)
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]


class WorkspaceSettings(models.Model):
    """One row per company schema: defaults that pipeline, reports and forms build on."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    default_currency = models.CharField(max_length=3, default="USD")
    fiscal_year_start_month = models.PositiveSmallIntegerField(choices=MONTHS, default=1)
    timezone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return "Workspace settings"
