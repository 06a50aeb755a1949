"""Writes to a company's integrations: connecting a CRM (as a new service account of the
company, never as the person connecting), its mapping, switching it on, runs, pausing, and
the decisions people take on conflicts and dead letters. Every change is in the company's
audit log (invariant 4); secrets are never written to it."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection as db
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from identity.models import ServiceAccount, User
from identity.service_accounts import service_account_create, service_account_disable
from integrations.connectors.base import ConnectorError, Credentials
from integrations.connectors.registry import CONNECTORS
from integrations.models import (
    ConflictState,
    Connection,
    ConnectionState,
    DeadLetter,
    DeletionPolicy,
    Direction,
    ExternalLink,
    FieldMapping,
    ObjectMapping,
    RunState,
    RunTrigger,
    SyncConflict,
    SyncRun,
    SystemOfRecord,
)
from integrations.records import ADAPTERS
from integrations.suggest import best_remote_field, type_problem, value_map_suggest
from integrations.sync.runner import sync_run_task
from integrations.targets import KINDS, target_fields, target_map
from tenants.models import Company, Membership

MAX_CONNECTIONS = 10


def _synced_kinds_changed() -> None:
    """What the company's connections sync changed: forget the cached answer (coselling)."""
    transaction.on_commit(lambda: cache.delete("integrations:synced-kinds"))


def _require_admin(membership: Membership | None) -> None:
    if membership is None or not membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins manage its integrations.")


def _public(connection: Connection) -> dict[str, Any]:
    """What the audit log keeps of a connection: never its secret."""
    return {
        "name": connection.name,
        "connector": connection.connector,
        "settings": {k: v for k, v in connection.settings.items() if k != "discovered"},
        "state": connection.state,
    }


def _discover(
    connector_key: str, settings: dict[str, Any], secret: dict[str, Any]
) -> tuple[str, dict]:
    """Signs in and reads what the CRM offers; a ValidationError in a sentence if it can't."""
    cls = CONNECTORS.get(connector_key)
    if cls is None:
        raise ValidationError({"connector": ["Choose a CRM we connect to."]})
    connector = cls(Credentials(settings=settings, secret=secret))
    try:
        who = connector.authenticate()
        objects = connector.objects()
        fields = {
            o.name: [
                {
                    "name": f.name,
                    "label": f.label,
                    "type": f.type,
                    "required": f.required,
                    "read_only": f.read_only,
                    "custom": f.custom,
                    "choices": [list(c) for c in f.choices],
                    "relation": f.relation,
                    "suggested_kind": next(
                        (x.suggested_kind for x in objects if x.name == f.relation), ""
                    ),
                }
                for f in connector.fields(o.name)
            ]
            for o in objects
        }
    except ConnectorError as exc:
        raise ValidationError(str(exc)) from exc
    catalog = {
        "who": who,
        "objects": [
            {"name": o.name, "label": o.label, "suggested_kind": o.suggested_kind} for o in objects
        ],
        "fields": fields,
    }
    return who, catalog


def connection_create(
    *,
    actor: User,
    actor_membership: Membership | None,
    company: Company,
    connector: str,
    name: str,
    settings: dict[str, Any],
    secret: dict[str, Any],
) -> Connection:
    """Checks the credentials against the CRM, then records the connection with its own
    service account (so the sync outlives the person who connected it) and a suggested
    mapping, switched off until the admin has looked at the preview."""
    _require_admin(actor_membership)
    if connector not in CONNECTORS:
        raise ValidationError({"connector": ["Choose a CRM we connect to."]})
    name = (name or "").strip()[:100] or CONNECTORS[connector].label
    if Connection.objects.exclude(state=ConnectionState.DISCONNECTED).count() >= MAX_CONNECTIONS:
        raise ValidationError(f"A company can have at most {MAX_CONNECTIONS} connections.")
    cls = CONNECTORS[connector]
    try:
        settings = cls.settings_complete(settings, secret)
    except ConnectorError as exc:
        raise ValidationError(str(exc)) from exc
    keys = cls.identity_keys or tuple(settings)
    same = next(
        (
            c
            for c in Connection.objects.exclude(state=ConnectionState.DISCONNECTED).filter(
                connector=connector
            )
            if all(c.settings.get(k) == settings.get(k) for k in keys)
        ),
        None,
    )
    if same is not None:
        raise ValidationError(
            f"This CRM is connected already, as “{same.name}”: open that connection instead."
        )
    _, catalog = _discover(connector, settings, secret)
    with transaction.atomic():
        account, _ = service_account_create(
            actor=actor,
            actor_membership=actor_membership,
            company=company,
            name=f"{name} sync"[:100],
            description=f"Acts for the {CONNECTORS[connector].label} connection “{name}”.",
            scopes=["records:write"],
            owner=actor,
            expires_in_days=None,
            with_token=False,
        )
        connection = Connection.objects.create(
            connector=connector,
            name=name,
            settings=settings,
            secret=json.dumps(secret),
            webhook_secret="whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
            service_account_id=account.pk,
            actor_id=account.user_id,
            connected_by_id=actor.pk,
            catalog=catalog,
            catalog_at=timezone.now(),
        )
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_CONNECTED,
            target=connection,
            after=_public(connection),
        )
        mapping_suggest(connection)
    return connection


def connection_credentials_update(
    *,
    actor: User,
    actor_membership: Membership | None,
    connection: Connection,
    settings: dict[str, Any],
    secret: dict[str, Any],
) -> Connection:
    """Reconnect: new address or credentials, checked first; an empty secret keeps the old."""
    _require_admin(actor_membership)
    current = json.loads(connection.secret) if connection.secret else {}
    secret = {k: v for k, v in secret.items() if v} or current
    secret = {**current, **secret}
    cls = CONNECTORS[connection.connector]
    try:
        settings = cls.settings_complete(settings, secret)
    except ConnectorError as exc:
        raise ValidationError(str(exc)) from exc
    if any(connection.settings.get(k) != settings.get(k) for k in cls.identity_keys):
        # the links hold this CRM's ids: another org's would match nothing, or the wrong thing
        raise ValidationError(
            f"These credentials are for another {cls.label} than the one this connection syncs "
            "with: connect that one as a new connection."
        )
    _, catalog = _discover(connection.connector, settings, secret)
    before = _public(connection)
    with transaction.atomic():
        connection.settings = settings
        connection.secret = json.dumps(secret)
        connection.catalog = catalog
        connection.catalog_at = timezone.now()
        connection.last_error = ""
        connection.consecutive_failures = 0
        connection.failure_notified_at = None
        if connection.state == ConnectionState.FAILING:
            connection.state = ConnectionState.ACTIVE
        connection.save()
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_CREDENTIALS_CHANGED,
            target=connection,
            before=before,
            after=_public(connection),
        )
    return connection


def connection_refresh_catalog(
    *, actor_membership: Membership | None, connection: Connection
) -> Connection:
    """Reads the CRM's objects and fields again (a custom field added there)."""
    _require_admin(actor_membership)
    secret = json.loads(connection.secret) if connection.secret else {}
    _, connection.catalog = _discover(connection.connector, connection.settings, secret)
    connection.catalog_at = timezone.now()
    connection.save(update_fields=["catalog", "catalog_at", "updated_at"])
    return connection


def remote_fields_of(connection: Connection, remote_object: str) -> list[dict[str, Any]]:
    return list(connection.catalog.get("fields", {}).get(remote_object, []))


def mapping_suggest(connection: Connection) -> None:
    """One object mapping per CRM object that matches one of our kinds, with the fields that
    match by name and type, value maps for choices; both ways unless the CRM field is
    read-only there."""
    for position, remote in enumerate(connection.catalog.get("objects", [])):
        kind = remote.get("suggested_kind")
        if (
            kind not in KINDS
            or ObjectMapping.objects.filter(connection=connection, kind=kind).exists()
        ):
            continue
        mapping = ObjectMapping.objects.create(
            connection=connection,
            remote_object=remote["name"],
            remote_label=remote.get("label", ""),
            kind=kind,
            position=position,
        )
        remote_fields = remote_fields_of(connection, remote["name"])
        taken: set[str] = set()
        for target in target_fields(kind):
            found = best_remote_field(target, remote_fields, taken)
            if found is None:
                continue
            taken.add(found["name"])
            pull, push = value_map_suggest(target, found)
            FieldMapping.objects.create(
                object_mapping=mapping,
                remote_field=found["name"],
                local_field=target.key,
                system_of_record=SystemOfRecord.CRM
                if found.get("read_only")
                else SystemOfRecord.BOTH,
                value_map=pull,
                transform={"push_map": push} if push else {},
            )


TRANSFORM_KEYS = {
    "trim",
    "squash_spaces",
    "case",
    "date_format",
    "decimal_comma",
    "if_empty",
    "push_map",
}


def _transform_problem(transform: Any) -> str:
    """Why a transform can't be used ("" if it can): known keys with values of their type."""
    if not isinstance(transform, dict) or set(transform) - TRANSFORM_KEYS:
        return "Unknown transform."
    for flag in ("trim", "squash_spaces", "decimal_comma"):
        if flag in transform and not isinstance(transform[flag], bool):
            return f"{flag} is true or false."
    if transform.get("case") not in (None, "", "upper", "lower", "title"):
        return "The letter case is upper, lower or title."
    for text in ("date_format", "if_empty"):
        value = transform.get(text)
        if value is not None and (not isinstance(value, str) or len(value) > 40):
            return f"{text} is text of at most 40 characters."
    push_map = transform.get("push_map")
    if push_map is not None and not (
        isinstance(push_map, dict)
        and len(push_map) <= 200
        and all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= 100 for k, v in push_map.items()
        )
    ):
        return "push_map pairs our values with the CRM's, as text."
    return ""


def field_rows_clean(
    connection: Connection, mapping: ObjectMapping, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    targets = target_map(mapping.kind)
    remote = {f["name"]: f for f in remote_fields_of(connection, mapping.remote_object)}
    errors: dict[str, list[str]] = {}
    clean = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        local, remote_name = str(row.get("local_field", "")), str(row.get("remote_field", ""))
        if not remote_name:
            continue  # left unmapped
        key = f"fields[{i}]"
        if local not in targets:
            errors.setdefault(key, []).append(f"“{local}” is not a field of ours here.")
            continue
        if local in seen:
            errors.setdefault(key, []).append(f"{targets[local].label} is mapped twice.")
            continue
        seen.add(local)
        if remote_name not in remote:
            errors.setdefault(key, []).append(
                f"The CRM has no field “{remote_name}” on {mapping.remote_label or mapping.remote_object}."
            )
            continue
        problem = type_problem(targets[local], remote[remote_name])
        if problem:
            errors.setdefault(key, []).append(problem)
            continue
        sor = row.get("system_of_record", SystemOfRecord.BOTH)
        if sor not in SystemOfRecord.values:
            errors.setdefault(key, []).append("Choose which side wins for this field.")
            continue
        if remote[remote_name].get("read_only") and sor != SystemOfRecord.CRM:
            errors.setdefault(key, []).append(
                f"The CRM doesn't let us write “{remote[remote_name]['label']}”: it can only be “CRM wins”."
            )
            continue
        value_map = row.get("value_map") or {}
        transform = row.get("transform") or {}
        if not isinstance(value_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value_map.items()
        ):
            errors.setdefault(key, []).append("A value map pairs CRM values with ours, as text.")
            continue
        problem = _transform_problem(transform)
        if problem:
            errors.setdefault(key, []).append(problem)
            continue
        clean.append(
            {
                "local_field": local,
                "remote_field": remote_name,
                "system_of_record": sor,
                "value_map": value_map,
                "transform": transform,
            }
        )
    missing = [
        t.label for t in targets.values() if t.required and t.key not in seen and not t.is_custom
    ]
    if missing:
        errors.setdefault("fields", []).append(
            "Map a CRM field onto " + ", ".join(missing) + ": we can't create records without it."
        )
    if errors:
        raise ValidationError(errors)
    return clean


def object_mapping_update(
    *,
    actor: User,
    actor_membership: Membership | None,
    connection: Connection,
    mapping: ObjectMapping,
    fields: list[dict[str, Any]],
    on_remote_delete: str = DeletionPolicy.ARCHIVE,
    create_remote: bool = False,
) -> ObjectMapping:
    """Replaces the object's field mappings at once: all of them are checked first, so a
    wrong one changes nothing."""
    _require_admin(actor_membership)
    if on_remote_delete not in DeletionPolicy.values:
        raise ValidationError({"on_remote_delete": ["Choose what happens to deleted records."]})
    clean = field_rows_clean(connection, mapping, fields)
    before = mapping_document(mapping)
    with transaction.atomic():
        object_mapping_apply(
            mapping, clean, on_remote_delete=on_remote_delete, create_remote=create_remote
        )
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_MAPPING_CHANGED,
            target=connection,
            before=before,
            after=mapping_document(mapping),
        )
    return mapping


def object_mapping_apply(
    mapping: ObjectMapping,
    clean: list[dict[str, Any]],
    *,
    on_remote_delete: str,
    create_remote: bool,
) -> None:
    """Writes rows `field_rows_clean` checked (the settings page and the configuration import
    both come through here)."""
    mapping.fields.all().delete()
    FieldMapping.objects.bulk_create(FieldMapping(object_mapping=mapping, **row) for row in clean)
    mapping.on_remote_delete = on_remote_delete
    mapping.create_remote = bool(create_remote)
    mapping.save(update_fields=["on_remote_delete", "create_remote"])


def mapping_document(mapping: ObjectMapping) -> dict[str, Any]:
    """An object mapping as the configuration document writes it (keys, never ids)."""
    return {
        "remote_object": mapping.remote_object,
        "kind": mapping.kind,
        "enabled": mapping.enabled,
        "create_remote": mapping.create_remote,
        "on_remote_delete": mapping.on_remote_delete,
        "fields": [
            {
                "remote_field": f.remote_field,
                "local_field": f.local_field,
                "system_of_record": f.system_of_record,
                "value_map": f.value_map,
                "transform": f.transform,
            }
            for f in mapping.fields.all()
        ],
    }


def _queue(run: SyncRun) -> None:
    schema = db.schema_name
    transaction.on_commit(lambda: sync_run_task.delay(str(run.pk), schema))


def sync_run_start(
    *,
    actor: User | None,
    actor_membership: Membership | None,
    connection: Connection,
    trigger: str = RunTrigger.MANUAL,
) -> SyncRun:
    """Queues a run; one queued or running run per connection at a time (asking again
    answers the one already waiting)."""
    if actor is not None:  # a person asked (the system queues its own runs with no actor)
        _require_admin(actor_membership)
    if connection.state in (
        ConnectionState.PAUSED,
        ConnectionState.DISCONNECTED,
        ConnectionState.DRAFT,
    ):
        raise ValidationError(
            f"The connection is {connection.get_state_display().lower()}: nothing syncs until it is switched on."
        )
    with transaction.atomic():
        Connection.objects.select_for_update().filter(pk=connection.pk).first()
        waiting = SyncRun.objects.filter(
            connection=connection, state__in=[RunState.QUEUED, RunState.RUNNING]
        ).first()
        if waiting is not None:
            return waiting
        run = SyncRun.objects.create(
            connection=connection, trigger=trigger, started_by_id=actor.pk if actor else None
        )
        if actor is not None and trigger == RunTrigger.MANUAL:
            company_audit_entry_record(
                actor=actor, action=AuditAction.INTEGRATION_SYNC_STARTED, target=connection
            )
        _queue(run)
    return run


def connection_switch_on(
    *, actor: User, actor_membership: Membership | None, connection: Connection
) -> SyncRun:
    """Switches the mapped objects on and starts the initial import."""
    _require_admin(actor_membership)
    mappings = list(connection.object_mappings.prefetch_related("fields"))
    ready = [m for m in mappings if m.fields.exists()]
    if not ready:
        raise ValidationError("Map at least one CRM object before switching the sync on.")
    for mapping in ready:
        field_rows_clean(connection, mapping, mapping_document(mapping)["fields"])
    with transaction.atomic():
        ObjectMapping.objects.filter(pk__in=[m.pk for m in ready]).update(enabled=True)
        first = not SyncRun.objects.filter(connection=connection).exists()
        _synced_kinds_changed()
        connection.state = ConnectionState.ACTIVE
        connection.save(update_fields=["state", "updated_at"])
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_SWITCHED_ON,
            target=connection,
            after={"objects": [m.remote_object for m in ready]},
        )
        return sync_run_start(
            actor=actor,
            actor_membership=actor_membership,
            connection=connection,
            trigger=RunTrigger.INITIAL if first else RunTrigger.MANUAL,
        )


def webhook_secret_rotate(
    *, actor: User, actor_membership: Membership | None, connection: Connection
) -> Connection:
    """A new secret for the CRM's change notices; notices signed with the old one are
    refused from now on."""
    _require_admin(actor_membership)
    if connection.state == ConnectionState.DISCONNECTED:
        raise ValidationError("The connection is disconnected.")
    with transaction.atomic():
        connection.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        connection.save(update_fields=["webhook_secret", "updated_at"])
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_CREDENTIALS_CHANGED,
            target=connection,
            after={"webhook_secret": "rotated"},
        )
    return connection


def connection_pause(
    *, actor: User, actor_membership: Membership | None, connection: Connection
) -> None:
    _require_admin(actor_membership)
    if connection.state not in (ConnectionState.ACTIVE, ConnectionState.FAILING):
        raise ValidationError("Only a connection that syncs can be paused.")
    with transaction.atomic():
        _synced_kinds_changed()
        connection.state = ConnectionState.PAUSED
        connection.save(update_fields=["state", "updated_at"])
        company_audit_entry_record(
            actor=actor, action=AuditAction.INTEGRATION_PAUSED, target=connection
        )


def connection_resume(
    *, actor: User, actor_membership: Membership | None, connection: Connection
) -> SyncRun:
    """Back on; the next run starts from the cursors, so nothing changed meanwhile is missed."""
    _require_admin(actor_membership)
    if connection.state != ConnectionState.PAUSED:
        raise ValidationError("The connection isn't paused.")
    with transaction.atomic():
        _synced_kinds_changed()
        connection.state = ConnectionState.ACTIVE
        connection.save(update_fields=["state", "updated_at"])
        company_audit_entry_record(
            actor=actor, action=AuditAction.INTEGRATION_RESUMED, target=connection
        )
        return sync_run_start(
            actor=None, actor_membership=None, connection=connection, trigger=RunTrigger.MANUAL
        )


def connection_disconnect(
    *, actor: User, actor_membership: Membership | None, company: Company, connection: Connection
) -> None:
    """Stops syncing for good: the secret is forgotten, the service account disabled; the
    records it brought stay, with their history."""
    _require_admin(actor_membership)
    with transaction.atomic():
        before = _public(connection)
        _synced_kinds_changed()
        connection.state = ConnectionState.DISCONNECTED
        connection.secret = ""
        connection.webhook_secret = ""
        connection.save(update_fields=["state", "secret", "webhook_secret", "updated_at"])
        account = ServiceAccount.objects.filter(
            pk=connection.service_account_id, company=company
        ).first()
        if account is not None and account.disabled_at is None:
            service_account_disable(actor=actor, actor_membership=actor_membership, account=account)
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_DISCONNECTED,
            target=connection,
            before=before,
            after=_public(connection),
        )


def conflict_resolve(
    *,
    actor: User,
    actor_membership: Membership | None,
    company: Company,
    conflict: SyncConflict,
    choice: str,
    value: Any = None,
) -> SyncConflict:
    """keep ours: the CRM gets our value at the next push; take theirs: ours becomes the CRM's
    (through the record's own service and version check); edit: a new value for both."""
    _require_admin(actor_membership)
    with transaction.atomic():
        # two admins on one conflict: the second finds it resolved
        conflict = (
            SyncConflict.objects.select_for_update()
            .select_related("link", "connection")
            .get(pk=conflict.pk)
        )
        if conflict.state != ConflictState.OPEN:
            raise ValidationError("This conflict was already resolved.")
        return _conflict_apply(
            actor=actor, company=company, conflict=conflict, choice=choice, value=value
        )


def _conflict_apply(
    *, actor: User, company: Company, conflict: SyncConflict, choice: str, value: Any
) -> SyncConflict:
    if choice not in (ConflictState.KEPT_OURS, ConflictState.TOOK_THEIRS, ConflictState.EDITED):
        raise ValidationError("Choose keep ours, take theirs, or edit.")
    link: ExternalLink = conflict.link
    adapter = ADAPTERS[link.kind]
    with transaction.atomic():
        obj = adapter.model.objects.select_for_update().filter(pk=link.local_id).first()
        if obj is None:
            raise ValidationError("The record is gone.")
        if choice == ConflictState.KEPT_OURS:
            resolved = conflict.ours
        elif choice == ConflictState.TOOK_THEIRS:
            resolved = conflict.theirs
        else:
            resolved = value
        if choice != ConflictState.KEPT_OURS:
            adapter.update(
                actor=actor, company=company, obj=obj, values={conflict.local_field: resolved}
            )
        # the CRM's value is now the agreed starting point: the push sends ours if it differs
        link.base = {**link.base, conflict.local_field: conflict.theirs}
        link.save(update_fields=["base", "synced_at"])
        conflict.state = choice
        conflict.resolved_by_id = actor.pk
        conflict.resolved_at = timezone.now()
        conflict.resolved_value = resolved
        conflict.save(update_fields=["state", "resolved_by_id", "resolved_at", "resolved_value"])
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_CONFLICT_RESOLVED,
            target=conflict.connection,
            before={
                "field": conflict.local_field,
                "ours": conflict.ours,
                "theirs": conflict.theirs,
            },
            after={"choice": choice, "value": resolved},
        )
        connection = conflict.connection
        if connection.state in (ConnectionState.ACTIVE, ConnectionState.FAILING):
            sync_run_start(
                actor=None, actor_membership=None, connection=connection, trigger=RunTrigger.MANUAL
            )
    return conflict


def dead_letter_replay(
    *, actor: User, actor_membership: Membership | None, letter: DeadLetter
) -> SyncRun:
    """Tries the record again in a new run (after the admin fixed the mapping or the CRM)."""
    _require_admin(actor_membership)
    if letter.resolved_at is not None:
        raise ValidationError("This record synced since; nothing to replay.")
    with transaction.atomic():
        if letter.direction == Direction.PUSH and letter.external_id:
            ExternalLink.objects.filter(
                connection=letter.connection,
                external_id=letter.external_id,
                remote_object=letter.remote_object,
            ).update(local_version=0)
        DeadLetter.objects.filter(pk=letter.pk).update(replay_requested_at=timezone.now())
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.INTEGRATION_DEAD_LETTER_REPLAYED,
            target=letter.connection,
            after={
                "object": letter.remote_object,
                "external_id": letter.external_id,
                "error": letter.error,
            },
        )
        return sync_run_start(
            actor=None,
            actor_membership=None,
            connection=letter.connection,
            trigger=RunTrigger.REPLAY,
        )
