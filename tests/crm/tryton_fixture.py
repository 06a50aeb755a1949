"""The Tryton CRM fixtures (tests/crm/tryton.py): `tryton_server`, one real trytond per test
session (per pytest-xdist worker: each on its own free port, the template built once under a
file lock), and `tryton_db`, a fresh copy of the template database for every test. Test modules
import them:

    from tests.crm.tryton_fixture import tryton_db, tryton_server  # noqa: F401
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.crm.tryton import (
    LocalTryton,
    TrytonDatabase,
    tryton_database_drop,
)


@pytest.fixture(scope="session")
def tryton_server():  # type: ignore[no-untyped-def]
    server = LocalTryton()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tryton_db(tryton_server):  # type: ignore[no-untyped-def]
    """A database of its own for this test (copied from the template, loaded by the server)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = tryton_server.database_fresh(f"test_{worker}_{uuid.uuid4().hex[:12]}")
    yield TrytonDatabase(
        url=tryton_server.url,
        database=name,
        login=tryton_server.login,
        password=tryton_server.password,
    )
    tryton_database_drop(name)
