"""/api/v1/fields/: the company's business schema, so integrations can discover which custom
fields exist, their types, and the choices of choice fields (read-only; admins change it in
the browser)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from business.models import FieldDefinition, Term
from business.registry import object_type_choices
from tenants.api import IsCompanyMember


def custom_fields_serializer_field() -> serializers.DictField:
    """The `custom_fields` object every record carries; validated by the record's service
    against the company's definitions (errors come back under custom_fields.<key>)."""
    return serializers.DictField(
        source="custom",
        required=False,
        help_text="The company's custom fields by key (see /api/v1/fields/). On PATCH only "
        "the keys you send change; null clears a value.",
    )


class TermSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True)
    retired = serializers.SerializerMethodField()

    class Meta:
        model = Term
        fields = ["key", "label", "parent", "retired"]

    def get_retired(self, term: Term) -> bool:
        return term.retired_at is not None


class FieldDefinitionSerializer(serializers.ModelSerializer):
    vocabulary = serializers.SlugRelatedField(slug_field="key", read_only=True)
    choices = serializers.SerializerMethodField()
    retired = serializers.SerializerMethodField()

    class Meta:
        model = FieldDefinition
        fields = [
            "object_type",
            "key",
            "label",
            "help_text",
            "field_type",
            "required",
            "default",
            "group",
            "position",
            "shareable",
            "vocabulary",
            "choices",
            "reference_type",
            "retired",
        ]

    def get_choices(self, definition: FieldDefinition) -> list[dict]:
        terms = self.context.get("terms", {}).get(definition.vocabulary_id, [])
        return TermSerializer(terms, many=True).data

    def get_retired(self, definition: FieldDefinition) -> bool:
        return definition.retired_at is not None


class FieldFilter(filters.FilterSet):
    object_type = filters.ChoiceFilter(choices=object_type_choices)

    class Meta:
        model = FieldDefinition
        fields = ["object_type"]


class FieldDefinitionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Custom fields by record type. Values travel in each record's `custom_fields` object,
    keyed by `key`; choice values are term keys."""

    permission_classes = [IsCompanyMember]
    token_scope = "configuration"
    serializer_class = FieldDefinitionSerializer
    filterset_class = FieldFilter
    pagination_class = None  # a company's schema is small and read whole

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return FieldDefinition.objects.select_related("vocabulary").order_by(
            "object_type", "group", "position", "label"
        )

    def get_serializer_context(self):  # type: ignore[no-untyped-def]
        context = super().get_serializer_context()
        terms: dict[int, list[Term]] = {}
        for term in Term.objects.select_related("parent"):
            terms.setdefault(term.vocabulary_id, []).append(term)
        context["terms"] = terms
        return context
