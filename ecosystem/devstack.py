"""`./run`: the whole demo network on one machine, with nothing pre-installed but Python.

Starts an embedded PostgreSQL (pgserver) under .local/ when DATABASE_URL is unset, migrates,
creates the network, template schema and schema pool, loads the demo companies, then runs the
web server and a real Celery worker (with beat) until Ctrl-C. With REDIS_URL set, Celery uses
Redis; otherwise the filesystem broker under .local/broker (no server needed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"


def _embedded_database_url() -> str:
    import pgserver
    from psycopg import sql

    LOCAL.mkdir(exist_ok=True)
    server = pgserver.get_server(LOCAL / "pgdata", cleanup_mode=None)
    import psycopg

    base = server.get_uri()
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'ecosystem'").fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("ecosystem")))
    return base.replace("/postgres?", "/ecosystem?")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("PUBLIC_PORT", port)
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is not set: starting the embedded PostgreSQL in .local/pgdata …")
        os.environ["DATABASE_URL"] = _embedded_database_url()
    for folder in ("broker/queue", "broker/processed"):
        (LOCAL / folder).mkdir(parents=True, exist_ok=True)

    _manage("migrate_schemas", "--shared", "-v", "0")
    _manage("network_setup")
    _manage("migrate_schemas", "--tenant", "-v", "0")
    _manage("demo_network")

    celery = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ecosystem",
        "worker",
        "-B",
        "--loglevel=INFO",
        "--concurrency=2",
        "--schedule",
        str(LOCAL / "celerybeat-schedule"),
    ]
    web = [sys.executable, str(ROOT / "manage.py"), "runserver", f"0.0.0.0:{port}", "--noreload"]
    procs = [subprocess.Popen(celery, cwd=ROOT), subprocess.Popen(web, cwd=ROOT)]
    print(f"\nEcosystem Cloud is running: http://localhost:{port}/  (Ctrl-C stops it)\n")

    def stop(*_: object) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
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
