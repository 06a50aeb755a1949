"""`./run`: the whole demo network on one machine, with nothing pre-installed but Python.

Starts an embedded PostgreSQL (pgserver) under .local/ when DATABASE_URL is unset, migrates,
creates the network, template schema and schema pool, loads the demo companies, then runs the
web server and a real Celery worker (with beat) until Ctrl-C. With REDIS_URL set, Celery uses
Redis; otherwise the filesystem broker under .local/broker (no server needed).

The web server is gunicorn with one process and a fixed pool of WEB_THREADS reused threads, and
the worker runs CELERY_CONCURRENCY processes; each thread or process keeps at most one database
connection, so the demo never holds more than WEB_THREADS + CELERY_CONCURRENCY + 2 (the
worker's main process and beat's) whatever the traffic. Django's runserver started a thread per
request and each kept its connection open: a few thousand requests filled max_connections.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ecosystem.demo_idp import DEMO_IDP_ACCOUNTS, DEMO_IDP_CLIENT_ID, DEMO_IDP_CLIENT_SECRET

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"


def _embedded_database_url() -> str:
    import pgserver
    from psycopg import sql

    LOCAL.mkdir(exist_ok=True)
    # stopped when ./run exits (Ctrl-C or SIGTERM), like everything else it started; the data
    # stays in .local/pgdata for the next run
    server = pgserver.get_server(LOCAL / "pgdata", cleanup_mode="stop")
    import psycopg

    base = server.get_uri()
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'ecosystem'").fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("ecosystem")))
    return base.replace("/postgres?", "/ecosystem?")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


# kombu's filesystem transport: where messages are written and read, where read ones go, and
# the exchange tables (which queues each exchange routes to).
BROKER_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")

# Threads of the one web process: at most this many requests at once, and database connections.
WEB_THREADS = 8
# Worker processes of Celery's prefork pool: one database connection each.
CELERY_CONCURRENCY = 2


def web_command(port: str | int) -> list[str]:
    """The demo's web server on `port`: its database connections are bounded by WEB_THREADS.

    It listens on the loopback interface only (HOST overrides): gunicorn reads a request's
    headers in one of its few threads, so clients that send headers slowly can hold them all.
    Deployments put a buffering proxy in front (compose.yaml's Caddy); the demo is for this
    machine."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "ecosystem.wsgi:application",
        "--bind",
        f"{os.environ.get('HOST', '127.0.0.1')}:{port}",
        # One process only: the dev cache is an in-process LocMemCache (without REDIS_URL), and
        # the login rate-limit counters and routing cache live there; several processes would
        # each keep their own, and a limit of 10 failed logins would become 10 per process.
        "--workers",
        "1",
        # A fixed pool of threads that are reused: each keeps one persistent connection
        # (CONN_MAX_AGE), so the pool's size is the bound, not the number of requests served.
        "--worker-class",
        "gthread",
        "--threads",
        str(WEB_THREADS),
        # Ctrl-C and stop() below should not wait for the default 30 s.
        "--graceful-timeout",
        "5",
        # The demo has no use for the control socket, and two demos on one machine would both
        # claim its default path (~/.gunicorn/gunicorn.ctl).
        "--no-control-socket",
        "--access-logfile",
        "-",
    ]


def celery_command() -> list[str]:
    """The demo's Celery worker with beat embedded: CELERY_CONCURRENCY processes."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ecosystem",
        "worker",
        "-B",
        "--loglevel=INFO",
        "--pool=prefork",
        f"--concurrency={CELERY_CONCURRENCY}",
        "--schedule",
        str(LOCAL / "celerybeat-schedule"),
    ]


IDP_DIR = ROOT / "tests" / "idp" / "oidc"  # the tests' local OpenID provider, also the demo's
DEMO_DNS_PORT = 8053


def demo_dns_command(port: int = DEMO_DNS_PORT) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "demo_dns", "--port", str(port)]


def demo_idp_start() -> subprocess.Popen | None:
    """The demo's OpenID provider (Harbor's IdP, ecosystem.demo.identity), on DEMO_IDP_PORT.
    Runs in the background after the web server has started: installing its npm packages the
    first time takes a while, and nothing else waits for it. Without Node.js the demo runs
    without it (Harbor's "Sign in with" button then says the IdP did not answer)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("Node.js is not installed: the demo's local identity provider is off.")
        return None
    if not (IDP_DIR / "node_modules").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=IDP_DIR, check=False
        )
    env = {
        **os.environ,
        "PORT": os.environ.get("DEMO_IDP_PORT", "9400"),
        "CLIENTS": json.dumps(
            [{"client_id": DEMO_IDP_CLIENT_ID, "client_secret": DEMO_IDP_CLIENT_SECRET}]
        ),
        "ACCOUNTS": json.dumps(DEMO_IDP_ACCOUNTS),
    }
    return subprocess.Popen(["node", "server.mjs"], cwd=IDP_DIR, env=env)


DEMO_CRM_PORT = int(os.environ.get("DEMO_CRM_PORT", "9500"))


def demo_crm_start() -> subprocess.Popen | None:
    """The demo's CRM: a real Tryton 8 server (tests/crm/tryton.py, its own virtualenv in
    .local/tryton) on DEMO_CRM_PORT with the database `demo`, then its demo data. The first run
    installs Tryton from PyPI and builds its database (about half a minute), in the
    background: nothing waits for it."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.crm.tryton",
            "serve",
            "--port",
            str(DEMO_CRM_PORT),
            "--database",
            "demo",
        ],
        cwd=ROOT,
    )
    seeded = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.crm.demo_seed",
            "--url",
            f"http://127.0.0.1:{DEMO_CRM_PORT}",
            "--database",
            "demo",
        ],
        cwd=ROOT,
        check=False,
    )
    if server.poll() is not None or seeded.returncode != 0:
        print("The demo's Tryton CRM did not start (see .local/tryton/prepare.log).")
    return server


def broker_folders_create() -> None:
    """Creates the folders the settings give Celery's filesystem broker (none with Redis).

    The web process and the worker exchange tasks through them, so both must read the same
    absolute paths (the settings'); kombu creates none of them itself but the control folder,
    and that one only when its parent exists."""
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for option in BROKER_FOLDER_OPTIONS:
        if option in options:
            Path(options[option]).mkdir(parents=True, exist_ok=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("PUBLIC_PORT", port)
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is not set: starting the embedded PostgreSQL in .local/pgdata …")
        os.environ["DATABASE_URL"] = _embedded_database_url()
    broker_folders_create()

    _manage("migrate_schemas", "--shared", "-v", "0")
    _manage("network_setup")
    _manage("migrate_schemas", "--tenant", "-v", "0")
    _manage("demo_network")

    # domain verification in the demo asks the demo's DNS stand-in (manage.py demo_dns)
    os.environ.setdefault("DNS_RESOLVER", f"127.0.0.1:{DEMO_DNS_PORT}")
    procs = [
        subprocess.Popen(celery_command(), cwd=ROOT),
        subprocess.Popen(web_command(port), cwd=ROOT),
    ]
    print(f"\nEcosystem Cloud is running: http://localhost:{port}/  (Ctrl-C stops it)\n")
    # the local DNS and IdP come up beside it; the first page does not wait for them
    extras: list[subprocess.Popen] = [subprocess.Popen(demo_dns_command(), cwd=ROOT)]

    def idp() -> None:
        started = demo_idp_start()
        if started is not None:
            extras.append(started)
            print(
                "Harbor's identity provider (local demo): "
                f"http://127.0.0.1:{os.environ.get('DEMO_IDP_PORT', '9400')}/ — sign in at "
                f"http://harbor.localhost:{port}/ with “Sign in with Harbor IdP”"
            )

    threading.Thread(target=idp, daemon=True).start()

    def crm() -> None:
        started = demo_crm_start()
        if started is not None:
            extras.append(started)
            if started.poll() is None:
                print(
                    f"Northwind's CRM (local Tryton): connect it at http://northwind.localhost:{port}"
                    f"/settings/integrations/ — server http://127.0.0.1:{DEMO_CRM_PORT}, database "
                    "demo, user ecosystem, password ecosystem-sync-0123"
                )

    threading.Thread(target=crm, daemon=True).start()

    def stop(*_: object) -> None:
        for proc in [*procs, *extras]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*procs, *extras]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(proc.poll() is None for proc in procs):
        time.sleep(0.5)
    print("a process stopped; shutting down the rest", file=sys.stderr)
    stop()


if __name__ == "__main__":
    main()
