"""List filters and sorting for opportunities, shared by the page and the API."""

import django_filters
from django.db.models import Q

from pipeline.models import Motion, Opportunity, Stage

SORTS = {
    "close_date": "Close date (soonest)",
    "-close_date": "Close date (latest)",
    "-amount": "Amount (largest)",
    "amount": "Amount (smallest)",
    "name": "Deal (A–Z)",
    "customer_name": "Customer (A–Z)",
    "-updated_at": "Recently updated",
}


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    motion = django_filters.ChoiceFilter(choices=Motion.choices, empty_label="Any motion")
    close_after = django_filters.DateFilter(
        field_name="close_date", lookup_expr="gte", label="Closes after"
    )
    close_before = django_filters.DateFilter(
        field_name="close_date", lookup_expr="lte", label="Closes before"
    )
    shared = django_filters.BooleanFilter(
        field_name="shared_record_id", lookup_expr="isnull", exclude=True
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("close_date", "close_date"),
            ("amount", "amount"),
            ("name", "name"),
            ("customer_name", "customer_name"),
            ("updated_at", "updated_at"),
        ),
        field_labels=SORTS,
        label="Sort",
    )

    class Meta:
        model = Opportunity
        fields = ["q", "stage", "motion", "close_after", "close_before", "shared"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(
            Q(name__icontains=value)
            | Q(customer_name__icontains=value)
            | Q(customer_domain__icontains=value)
            | Q(next_step__icontains=value)
        )
