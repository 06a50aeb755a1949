"""POST /api/v1/<kind>/bulk/: an integration upserts up to 1,000 records by their external id
in one request. Each record goes through the kind's own services — the same serializer,
validation (custom fields, rules, stage requirements), version check, audit entry and publish
step as the single-record API — inside a savepoint of its own, so one bad record is an error
in the answer and the others are saved. The look-ups are batched: one query finds every
external id of the request, whatever the number of records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from concurrency.versioning import StaleVersion
from recordkit.api import validation_detail
from recordkit.external_ids import MAX_LENGTH, external_id_clean

MAX_RECORDS = 1_000
CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
STATUSES = (CREATED, UPDATED, UNCHANGED, ERROR)


class BulkRecordResultSerializer(serializers.Serializer):
    """What happened to one record of the request (documentation of the answer)."""

    index = serializers.IntegerField(help_text="The record's position in `records`, from 0.")
    external_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES)
    id = serializers.UUIDField(
        allow_null=True, help_text="The record's id here (null when it could not be saved)."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field → sentences, for status `error` (else empty). Errors about the whole "
        "record are under `non_field_errors`, a custom field's under `custom_fields.<key>`.",
    )


class BulkUpsertResponseSerializer(serializers.Serializer):
    results = BulkRecordResultSerializer(many=True, help_text="One per record, in order.")
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many records were created, updated, unchanged, or refused (error).",
    )


class _Unchanged(Exception):
    """Raised inside a record's savepoint to take back an update that changed nothing."""


def _flat(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as field → sentences (custom_fields.region: [...])."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out |= _flat(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        out = {}
        for i, item in enumerate(detail):
            out |= _flat(item, f"{prefix}.{i}")
        return out
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def _result(
    index: int,
    external_id: str | None,
    status: str,
    obj: Any = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "index": index,
        "external_id": external_id,
        "status": status,
        "id": str(obj.pk) if obj is not None else None,
        "errors": errors or {},
    }


def _records_of(data: Any) -> list[Any]:
    """The request's records, or a 400 that says what the body must look like."""
    if not isinstance(data, dict) or "records" not in data:
        raise ValidationError(
            {"records": ['Send {"records": [...]}: a list of up to 1,000 records.']}
        )
    records = data["records"]
    if not isinstance(records, list):
        raise ValidationError({"records": ["`records` must be a list of records."]})
    if not records:
        raise ValidationError({"records": ["`records` is empty: send at least one record."]})
    if len(records) > MAX_RECORDS:
        raise ValidationError(
            {
                "records": [
                    f"At most {MAX_RECORDS:,} records per request; this one has "
                    f"{len(records):,}. Send them in several requests."
                ]
            }
        )
    return records


def _external_id_of(record: Any) -> str:
    if not isinstance(record, dict):
        raise DjangoValidationError(
            {NON_FIELD_ERRORS: ["Each record is a JSON object of the record's fields."]}
        )
    value = record.get("external_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DjangoValidationError(
            {"external_id": ["Give each record its external_id: text, the id in your system."]}
        )
    text = external_id_clean(value)
    if not text:
        raise DjangoValidationError(
            {"external_id": ["Give each record its external_id: text, the id in your system."]}
        )
    if len(text) > MAX_LENGTH:
        raise DjangoValidationError(
            {"external_id": [f"Keep the external id under {MAX_LENGTH + 1} characters."]}
        )
    return text


def _same(obj: Any, data: dict[str, Any], fields_of: Callable[[Any], dict[str, Any]]) -> bool:
    """Whether saving `data` (validated, partial) could change nothing: every value sent
    equals the stored one (custom fields: each key sent)."""
    current = fields_of(obj)
    for key, value in data.items():
        if key == "custom_partial":
            continue
        if key == "custom":
            stored = obj.custom or {}
            if any(stored.get(k) != v for k, v in (value or {}).items()):
                return False
            continue
        now = current[key] if key in current else getattr(obj, key, None)
        if now != value and str(now) != str(value):
            return False
    return True


def bulk_schema(row_serializer: type[serializers.Serializer], component: str):  # type: ignore[no-untyped-def]
    """Class decorator: documents the viewset's `bulk` action — a request of up to 1,000
    `row_serializer` records, a 200 with a result per record, a 400 for a bad envelope."""
    request = inline_serializer(
        f"{component}BulkUpsertRequest",
        {
            "records": serializers.ListField(
                child=row_serializer(),
                min_length=1,
                max_length=MAX_RECORDS,
                help_text="Up to 1,000 records, each with its `external_id`.",
            )
        },
    )
    return extend_schema_view(
        bulk=extend_schema(
            request=request,
            responses={200: BulkUpsertResponseSerializer},
            description=(
                "Upserts up to 1,000 records by `external_id` (required in each record): a new "
                "external id creates the record (the fields required to create one apply), a "
                "known one updates only the fields sent, and a record whose values are already "
                "those is `unchanged` (no new version, no audit entry). `version` is optional: "
                "when sent, a record saved since answers an `error` instead of being "
                "overwritten; when left out, the version read by this request is the one "
                "checked. Each record is validated and saved like a single create or PATCH "
                "(custom fields, rules, audit, partners' copy of a shared record), in a "
                "savepoint of its own: a refused record is an `error` with its reasons and the "
                "others are saved. The external id of a record is not changed here. An "
                "external id twice in one request is an error on the later record. The answer "
                "is 200 with one result per record, in order; a body that is not "
                '{"records": [...]} or has more than 1,000 records is a 400 and saves nothing.'
            ),
        )
    )


class BulkUpsertMixin:
    """For a viewset with VersionedRecordMixin over a company's own records: `bulk_serializer`
    is a record of the request (the kind's serializer with `external_id` required),
    `bulk_fields_of` the kind's fields (RecordWrites.fields_of) that decide "unchanged".
    Kinds with references by external id override `bulk_references` (one query for all the
    request's records) and `bulk_record_prepare` (applied to each record)."""

    bulk_serializer: ClassVar[type[serializers.Serializer]]
    bulk_fields_of: ClassVar[Callable[[Any], dict[str, Any]]]

    def bulk_references(self, records: list[dict[str, Any]]) -> Any:
        return None

    def bulk_record_prepare(self, record: dict[str, Any], references: Any) -> dict[str, Any]:
        return record

    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        records = _records_of(request.data)
        results: list[dict[str, Any] | None] = [None] * len(records)
        keys: dict[int, str] = {}
        first_of: dict[str, int] = {}
        for index, record in enumerate(records):
            try:
                external_id = _external_id_of(record)
            except DjangoValidationError as exc:
                results[index] = _result(index, None, ERROR, errors=_flat(validation_detail(exc)))
                continue
            if external_id in first_of:
                results[index] = _result(
                    index,
                    external_id,
                    ERROR,
                    errors={
                        "external_id": [
                            f"Record {first_of[external_id]} of this request has the same "
                            "external id: send each record once."
                        ]
                    },
                )
                continue
            first_of[external_id] = index
            keys[index] = external_id
        model = self.bulk_serializer.Meta.model  # type: ignore[attr-defined]
        existing = {
            obj.external_id: obj
            for obj in model._default_manager.filter(external_id__in=list(keys.values()))
        }
        references = self.bulk_references([records[i] for i in keys])
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        # one transaction for the request, a savepoint per record
        with transaction.atomic():
            for index, external_id in keys.items():
                results[index] = self._bulk_one(
                    request,
                    index=index,
                    external_id=external_id,
                    record={k: v for k, v in records[index].items() if k != "external_id"},
                    obj=existing.get(external_id),
                    references=references,
                    context=context,
                )
        counts = dict.fromkeys(STATUSES, 0)
        for result in results:
            counts[result["status"]] += 1  # type: ignore[index]
        return Response({"results": results, "counts": counts})

    def _bulk_one(
        self,
        request: Request,
        *,
        index: int,
        external_id: str,
        record: dict[str, Any],
        obj: Any,
        references: Any,
        context: dict[str, Any],
    ) -> dict[str, Any]:
        view = type(self)
        fields_of = view.bulk_fields_of
        try:
            # parsing reads only; the savepoint is around the service's writes
            record = self.bulk_record_prepare(record, references)
            if obj is None:
                serializer = self.bulk_serializer(
                    data={**record, "external_id": external_id}, context=context
                )
            else:
                serializer = self.bulk_serializer(obj, data=record, partial=True, context=context)
            serializer.is_valid(raise_exception=True)
            data = self.prepare_data(dict(serializer.validated_data))  # type: ignore[attr-defined]
            expected = data.pop("version", None)
            if obj is None:
                data["external_id"] = external_id
                with transaction.atomic():
                    created = view.create_service(  # type: ignore[attr-defined]
                        actor=request.user, company=request.tenant, data=data
                    )
                return _result(index, external_id, CREATED, created)
            data.pop("external_id", None)  # the key, not a change
            if "custom" in data:
                data["custom_partial"] = True  # only the custom fields sent change
            if _same(obj, data, fields_of):
                return _result(index, external_id, UNCHANGED, obj)
            before = fields_of(obj)
            with transaction.atomic():
                saved = view.update_service(  # type: ignore[attr-defined]
                    actor=request.user,
                    company=request.tenant,
                    data=data,
                    expected_version=expected or obj.version,
                    **{self.object_name: obj},  # type: ignore[attr-defined]
                )
                if fields_of(saved) == before:
                    # the values sent were the stored ones in another spelling (a domain's
                    # case, a number's zeros): take back the new version
                    raise _Unchanged
            return _result(index, external_id, UPDATED, saved)
        except _Unchanged:
            return _result(index, external_id, UNCHANGED, obj)
        except StaleVersion as conflict:
            return _result(
                index,
                external_id,
                ERROR,
                obj,
                {"version": [f"{conflict} The current version is {conflict.current_version}."]},
            )
        except ValidationError as exc:
            return _result(index, external_id, ERROR, obj, _flat(exc.detail))
        except DjangoValidationError as exc:
            return _result(index, external_id, ERROR, obj, _flat(validation_detail(exc)))
        except (DataError, IntegrityError):
            # a value the database refuses (anything else is a bug: the request fails whole)
            return _result(
                index,
                external_id,
                ERROR,
                obj,
                {
                    "non_field_errors": [
                        "The database refused this record's values (a number or a text too "
                        "large for its field?). Check them and send the record again."
                    ]
                },
            )
