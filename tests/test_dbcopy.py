"""dbcopy.rows_copied against the real tables: what bulk_create would leave behind (ids from
the table's sequence, auto_now stamps, saved state, audit triggers' append-only rows), and a
refused row refusing the whole batch."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from accounts.models import Account
from audit.company.models import AuditEntry
from dbcopy import rows_copied


def test_copied_rows_get_their_ids_stamps_and_values(acme):
    with schema_context(acme.company.schema_name):
        before = AuditEntry.objects.count()
        entries = rows_copied(
            [
                AuditEntry(action="account.created", target_type="accounts.account",
                           target_id=str(n), after={"name": f"Acme {n}", "tags": ["a", "b"]})
                for n in range(3)
            ]
        )  # fmt: skip
        assert all(isinstance(e.pk, int) for e in entries)
        assert len({e.pk for e in entries}) == 3
        assert all(not e._state.adding for e in entries)
        stored = AuditEntry.objects.get(pk=entries[1].pk)
        assert stored.after == {"name": "Acme 1", "tags": ["a", "b"]}
        assert stored.occurred_at == entries[1].occurred_at is not None
        assert AuditEntry.objects.count() == before + 3
        # the next insert through the ORM takes an id after them, from the same sequence
        later = AuditEntry.objects.create(action="account.created")
        assert later.pk > max(e.pk for e in entries)


def test_text_arrays_and_awkward_text_round_trip(acme):
    with schema_context(acme.company.schema_name):
        name = 'Tab\there, quote " back\\slash, newline\nand ünïcode'
        (account,) = rows_copied(
            [Account(name=name, domains=["acme.example", "acme.test"], owner_id=acme.member.pk)]
        )
        stored = Account.objects.get(pk=account.pk)
        assert stored.name == name
        assert stored.domains == ["acme.example", "acme.test"]


def test_a_refused_row_refuses_the_batch(acme):
    with schema_context(acme.company.schema_name):
        Account.objects.create(name="First", external_id="X-1", owner_id=acme.member.pk)
        with pytest.raises(IntegrityError), transaction.atomic():
            rows_copied(
                [
                    Account(name="Fine", external_id="X-2", owner_id=acme.member.pk),
                    Account(name="Clash", external_id="X-1", owner_id=acme.member.pk),
                ]
            )
        assert not Account.objects.filter(name="Fine").exists()
