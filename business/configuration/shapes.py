"""The shape of a configuration document: DRF serializers that check types, lengths and
choices, and turn their nested errors into one line per problem."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from business.configuration.sections import configuration_sections
from business.models import FieldType, key_validator
from business.rules import STAGE_ORDER
from kinds import record_type_keys

FORMAT = "ecosystem-business-configuration"
VERSION = 2  # 2 added the policies; a version 1 file (without them) still imports


class _Key(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, validators=[key_validator], **kwargs)


class TermIn(serializers.Serializer):
    key = _Key()
    label = serializers.CharField(max_length=100)
    parent = _Key(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(min_value=0, required=False, default=0)
    retired = serializers.BooleanField(required=False, default=False)


class _RecordType(serializers.CharField):
    """A kind of record named in the document: one the registry knows (kinds)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=20, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value and value not in record_type_keys():
            raise serializers.ValidationError(f'"{value}" is not a valid choice.')
        return value


class VocabularyIn(serializers.Serializer):
    key = _Key()
    label = serializers.CharField(max_length=100)
    is_tree = serializers.BooleanField(required=False, default=False)
    terms = TermIn(many=True, required=False, default=list)


class FieldIn(serializers.Serializer):
    object_type = _RecordType()
    key = _Key()
    label = serializers.CharField(max_length=100)
    help_text = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    field_type = serializers.ChoiceField(choices=FieldType.choices)
    required = serializers.BooleanField(required=False, default=False)
    default = serializers.JSONField(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(min_value=0, required=False, default=0)
    group = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    shareable = serializers.BooleanField(required=False, default=False)
    indexed = serializers.BooleanField(required=False, default=False)
    vocabulary = _Key(required=False, allow_null=True, default=None)
    reference_type = _RecordType(required=False, allow_blank=True, default="")
    formula = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    retired = serializers.BooleanField(required=False, default=False)


class RuleIn(serializers.Serializer):
    object_type = _RecordType()
    name = serializers.CharField(max_length=80)
    condition = serializers.CharField(max_length=2000)
    message = serializers.CharField(max_length=300)
    active = serializers.BooleanField(required=False, default=True)


class RequirementIn(serializers.Serializer):
    field = serializers.CharField(max_length=40)
    from_stage = serializers.ChoiceField(choices=[(s, s) for s in STAGE_ORDER])


def names_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=60), **kwargs)


class SharingPolicyIn(serializers.Serializer):
    sharer_roles = names_field(required=False)
    default_role = serializers.CharField(max_length=12, required=False)
    allow_participant_resharing = serializers.BooleanField(required=False)
    private_core_fields = serializers.DictField(child=names_field(), required=False)
    # record type → field → {"partner_types": [...], "deal_roles": [...]}
    withheld_fields = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField(child=names_field())),
        required=False,
    )


class ConfigurationIn(serializers.Serializer):
    format = serializers.ChoiceField(choices=[(FORMAT, FORMAT)])
    version = serializers.ChoiceField(choices=[(1, "1"), (VERSION, str(VERSION))])
    vocabularies = VocabularyIn(many=True, required=False, default=list)
    fields = FieldIn(many=True, required=False, default=list)
    rules = RuleIn(many=True, required=False, default=list)
    stage_requirements = RequirementIn(many=True, required=False, default=list)
    # the policies: their shape here, their meaning checked by their own services after the
    # schema part is in place; other rooms' sections bring their own shapes (`sections`)
    sharing_policy = SharingPolicyIn(required=False, allow_null=True, default=None)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for section in configuration_sections():
            fields[section.key] = section.item_shape(many=True, required=False, default=list)
        return fields


def errors_flatten(errors: Any, path: str = "") -> list[str]:
    """DRF's nested errors as "fields[3].formula: message" lines."""
    if isinstance(errors, dict):
        out = []
        for key, value in errors.items():
            sub = f"{path}.{key}" if path else str(key)
            out += errors_flatten(value, sub)
        return out
    if isinstance(errors, list):
        if errors and all(isinstance(e, str) for e in errors):
            return [f"{path}: {e}" if path else str(e) for e in errors]
        out = []
        for i, value in enumerate(errors):
            if value:
                out += errors_flatten(value, f"{path}[{i}]")
        return out
    return [f"{path}: {errors}"]
