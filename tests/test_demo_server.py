"""The demo's web server (what `./run` starts) holds a bounded number of database connections,
however many requests arrive: a thread-per-request server with persistent connections once
filled PostgreSQL's max_connections and took every database on the server down with it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from ecosystem.devstack import ROOT, WEB_THREADS, web_command

APP_NAME = "eco-demo-test"
REQUESTS = 1500
CLIENTS = 32
STATIC_PATH = "/static/css/app.css"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(db: dict) -> str:
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _get(port: int, host: str, path: str) -> int:
    """One request on a fresh TCP connection, as a probe or a crowd of browsers sends them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0  # refused or reset: counted as a failure below
    finally:
        conn.close()


def _sampler_connection(db: dict) -> psycopg.Connection:
    # Autocommit: inside a transaction pg_stat_activity is a snapshot frozen at its first read.
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        application_name="eco-demo-test-sampler",
        autocommit=True,
    )


def _server_connections(conn: psycopg.Connection, dbname: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = %s",
        [APP_NAME, dbname],
    ).fetchone()
    return row[0]


@contextmanager
def _demo_web_server(port: int, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Exactly what `./run` serves the web with, on `port`; stopped however the test ends."""
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            web_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 30
            while _get(port, settings.BASE_DOMAIN, "/healthz") != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the web server did not start:\n{log.read().decode()[-3000:]}")
                time.sleep(0.2)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class _ConnectionSampler(threading.Thread):
    """Counts the server's connections every 50 ms; gives up the load (sets `stop`) once they
    pass twice the bound: the test has failed, and PostgreSQL is shared with other runs."""

    def __init__(self, db: dict) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.peak = 0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with _sampler_connection(self.db) as conn:
            while not self.stop.is_set():
                count = _server_connections(conn, self.db["NAME"])
                self.samples += 1
                self.peak = max(self.peak, count)
                if count > 2 * WEB_THREADS:
                    self.stop.set()
                time.sleep(0.05)


@pytest.mark.django_db
def test_demo_web_server_holds_a_bounded_number_of_database_connections(acme):
    # The session fixture committed acme; the server (another process) reads it from the test DB.
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ecosystem.settings.dev",
        "DATABASE_URL": _database_url(db),
        "CONN_MAX_AGE": "60",  # the default the probe ran with
        "PGAPPNAME": APP_NAME,  # libpq reports it: the server's connections can be counted
        "PUBLIC_PORT": str(port),
    }
    env.pop("REDIS_URL", None)  # the demo's in-process cache, as `./run` without Redis
    base, company = settings.BASE_DOMAIN, acme.host
    # (host, path, expected status); the last two reach the database on every request: a
    # host nobody owns (misses are not cached) and an expired sign-in link (a lookup, then a
    # message in the session).
    targets = [
        (host, path, 200)
        for host in (base, company)
        for path in ("/healthz", "/accounts/login/", STATIC_PATH)
    ] + [
        (f"nobody.{base}", "/healthz", 404),
        (company, f"/auth/handoff/?ticket={uuid.uuid4()}", 302),
    ]
    sampler = _ConnectionSampler(db)

    def one(i: int) -> tuple[str, str, int, int]:
        host, path, expected = targets[i % len(targets)]
        return host, path, expected, (0 if sampler.stop.is_set() else _get(port, host, path))

    with _demo_web_server(port, env):
        sampler.start()
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(one, range(REQUESTS)))
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # connections opened by the last requests show up
        sampler.stop.set()
        sampler.join(timeout=5)
        with _sampler_connection(db) as conn:
            after = _server_connections(conn, db["NAME"])

    peak = max(sampler.peak, after)
    failures = [r for r in results if r[3] != r[2]]
    print(
        f"{len(results)} requests in {elapsed:.1f} s; connections: peak {peak}, after {after}, "
        f"bound {WEB_THREADS}, {sampler.samples} samples; failures {len(failures)}"
    )
    assert peak >= 1, "no connection was counted: is PGAPPNAME honoured?"
    assert peak <= WEB_THREADS, f"{peak} connections at peak; the bound is {WEB_THREADS}"
    assert not failures, failures[:5]
