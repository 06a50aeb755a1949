"""A real Tryton 8.0 LTS CRM server (trytond + party, company, sale_opportunity on SQLite), for
the tests and the demo, started on a free loopback port.

Tryton lives in its own virtualenv (.local/tryton/venv, from tests/crm/tryton-requirements.txt)
so the product venv never gets trytond. `tryton_prepare()` builds that venv and a template
database once (modules activated; USD, EUR, the company "Northwind CRM Inc." and the CRM user
`ecosystem` made by tests/crm/tryton_init.py through proteus); later calls find the marker and
return at once. `tryton_database_copy(name)` copies the template to a fresh database, so one
running server serves a new database per test.

Tryton 8.0 loads a database only when it is named at start-up (`trytond -d NAME`) or when a
request reaches it through a route that loads it before authenticating: a JSON-RPC
`common.db.login` as the very first request to a database it has not loaded yet answers
`{"error": ["'res.user'", ""]}`, and keeps doing so until the server restarts.
`LocalTryton.database_open(name)` makes that first request (an anonymous GET on its REST
route); `LocalTryton.database_fresh(name)` copies and opens.

    python -m tests.crm.tryton prepare
    python -m tests.crm.tryton serve --port 9500 --database demo
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
REQUIREMENTS = HERE / "tryton-requirements.txt"
INIT_SCRIPT = HERE / "tryton_init.py"
ROOT = REPO / ".local" / "tryton"
VENV = ROOT / "venv"
DB_DIR = ROOT / "db"
ADMIN_CONFIG = ROOT / "trytond-admin.conf"
MARKER = ROOT / "prepared.json"
LOCK = ROOT / "prepare.lock"

TEMPLATE = "template"
MODULES = ("party", "company", "sale_opportunity")
LOGIN = "ecosystem"
PASSWORD = "ecosystem-sync-0123"
ADMIN_PASSWORD = "tryton-admin-0123"
COMPANY = "Northwind CRM Inc."
SERIES = "8.0"

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class TrytonDatabase:
    """One fresh Tryton database on the running server: `rpc_url` is its JSON-RPC endpoint,
    `login`/`password` the CRM integration user (company `company`)."""

    url: str
    database: str
    login: str
    password: str
    company: str = COMPANY

    @property
    def rpc_url(self) -> str:
        return f"{self.url}/{self.database}/rpc/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin(name: str) -> Path:
    return VENV / "bin" / name


def _env() -> dict[str, str]:
    """The environment for Tryton's processes: ours, less anything that points Python at the
    product venv or configures trytond behind our back."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TRYTOND_")
        and key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TRYTONPASSFILE"}
    }
    env["TZ"] = "UTC"  # Tryton stores naive timestamps; the SQLite backend takes local time
    return env


def _log_level() -> str:
    """WARNING unless TRYTON_LOG_LEVEL names another (DEBUG, INFO, … or a number)."""
    level = os.environ.get("TRYTON_LOG_LEVEL", "WARNING").strip().upper()
    return logging.getLevelName(int(level)) if level.isdigit() else level


def _logging_config_text() -> str:
    """trytond's --logconf (ConfigParser format): one stream to stderr (the log file), and
    werkzeug's banner and per-request lines kept below the level too."""
    level = _log_level()
    return "\n".join(
        [
            "[formatters]",
            "keys = plain",
            "[handlers]",
            "keys = stderr",
            "[loggers]",
            "keys = root, werkzeug",
            "[formatter_plain]",
            "format = %(asctime)s %(process)d %(levelname)s %(name)s %(message)s",
            "[handler_stderr]",
            "class = StreamHandler",
            "formatter = plain",
            "args = (sys.stderr,)",
            "[logger_root]",
            f"level = {level}",
            "handlers = stderr",
            "[logger_werkzeug]",
            f"level = {level}",
            "handlers =",
            "qualname = werkzeug",
            "",
        ]
    )


def _venv_fingerprint() -> str:
    # the requirements alone: whichever Python first built the venv keeps it (any 3.10+)
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def _template_fingerprint() -> str:
    digest = hashlib.sha256(_venv_fingerprint().encode())
    digest.update(INIT_SCRIPT.read_bytes())
    digest.update(json.dumps([MODULES, LOGIN, PASSWORD, ADMIN_PASSWORD, COMPANY]).encode())
    return digest.hexdigest()


def _sqlite(name: str) -> Path:
    return DB_DIR / f"{name}.sqlite"


def _config_text(listen: str | None = None) -> str:
    lines = [
        "[database]",
        "uri = sqlite://",
        f"path = {DB_DIR}",
        "",
        "[session]",
        "authentications = password",
        "",
    ]
    if listen:
        lines += ["[web]", f"listen = {listen}", ""]
    return "\n".join(lines)


@contextmanager
def _prepare_lock() -> Iterator[None]:
    ROOT.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(args: list[str], log: Path, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with open(log, "ab") as out:
        result = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)  # noqa: S603
    if result.returncode:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{tail}")


def _venv_build(log: Path) -> None:
    stamp = VENV / ".requirements.sha256"
    fingerprint = _venv_fingerprint()
    if (
        _bin("trytond").exists()
        and stamp.exists()
        and stamp.read_text() == fingerprint
        and subprocess.run([str(_bin("python")), "-c", ""], check=False).returncode == 0  # noqa: S603
    ):
        return
    shutil.rmtree(VENV, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(VENV)], log, env=_env())
    _run(
        [str(_bin("python")), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
        log,
        env=_env(),
    )
    stamp.write_text(fingerprint)


def _template_build(log: Path) -> None:
    DB_DIR.mkdir(parents=True, exist_ok=True)
    ADMIN_CONFIG.write_text(_config_text())
    passfile = ROOT / "admin-password"
    passfile.write_text(ADMIN_PASSWORD + "\n")
    building = f"{TEMPLATE}-build"
    _sqlite(building).unlink(missing_ok=True)
    _sqlite(building).touch()  # the SQLite backend opens existing files only
    env = {**_env(), "TRYTONPASSFILE": str(passfile)}
    admin = [str(_bin("trytond-admin")), "-c", str(ADMIN_CONFIG), "-d", building]
    _run([*admin, "--all", "--email", "admin@northwind-crm.test"], log, env=env)
    _run([*admin, "-u", *MODULES, "--activate-dependencies"], log, env=env)
    _run(
        [
            str(_bin("python")),
            str(INIT_SCRIPT),
            str(ADMIN_CONFIG),
            building,
            LOGIN,
            PASSWORD,
            COMPANY,
        ],
        log,
        env=env,
    )
    # Tryton keeps SQLite in WAL mode: fold the log into the file so a plain copy is whole.
    with closing(sqlite3.connect(_sqlite(building))) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{_sqlite(building)}{suffix}").unlink(missing_ok=True)
    os.replace(_sqlite(building), _sqlite(TEMPLATE))


def tryton_prepare() -> Path:
    """Build the Tryton venv and the template database unless the marker says they are
    current; return .local/tryton. Safe when several processes race (a file lock)."""
    fingerprint = _template_fingerprint()
    with _prepare_lock():
        if MARKER.exists() and _sqlite(TEMPLATE).exists():
            try:
                if json.loads(MARKER.read_text()).get("fingerprint") == fingerprint:
                    return ROOT
            except ValueError:
                pass
        MARKER.unlink(missing_ok=True)
        log = ROOT / "prepare.log"
        log.write_text("")
        started = time.monotonic()
        _venv_build(log)
        _template_build(log)
        MARKER.write_text(
            json.dumps(
                {
                    "fingerprint": fingerprint,
                    "series": SERIES,
                    "modules": MODULES,
                    "seconds": round(time.monotonic() - started, 1),
                }
            )
        )
    return ROOT


def tryton_database_copy(name: str) -> str:
    """A fresh database `name` (replacing one of that name) copied from the template, in the
    directory the servers serve from. Returns the name."""
    if not _NAME.match(name) or name in {TEMPLATE, f"{TEMPLATE}-build"}:
        raise ValueError(f"not a database name for the harness: {name!r}")
    tryton_prepare()
    target = _sqlite(name)
    partial = DB_DIR / f".{name}.{os.getpid()}.partial"
    shutil.copyfile(_sqlite(TEMPLATE), partial)
    os.replace(partial, target)
    return name


def tryton_database_drop(name: str) -> None:
    """Remove a copied database's files (a server that loaded it keeps its pool in memory)."""
    if _NAME.match(name) and name != TEMPLATE:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{_sqlite(name)}{suffix}").unlink(missing_ok=True)


def _logs_prune(days: float = 2) -> None:
    """Servers' logs are kept when they say something; forget those older than `days`."""
    horizon = time.time() - days * 86400
    for log in ROOT.glob("trytond-*.log"):
        with suppress(OSError):
            if log.stat().st_mtime < horizon:
                log.unlink()


def _post(url: str, payload: dict, timeout: float = 5) -> dict:
    request = Request(  # noqa: S310
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


class LocalTryton:
    """trytond serving every database in .local/tryton/db on 127.0.0.1:<port>."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.login = LOGIN
        self.password = PASSWORD
        self.company = COMPANY
        self.config_path = ROOT / f"trytond-{self.port}.conf"
        self.logging_path = ROOT / f"trytond-{self.port}.logging.conf"
        self.log_path = ROOT / f"trytond-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def command(self, databases: tuple[str, ...] = ()) -> list[str]:
        self.config_path.write_text(_config_text(listen=f"127.0.0.1:{self.port}"))
        self.logging_path.write_text(_logging_config_text())
        preload = ["-d", *databases] if databases else []
        return [
            str(_bin("trytond")),
            "-c",
            str(self.config_path),
            "--logconf",
            str(self.logging_path),
            *preload,
        ]

    def start(self, timeout: float = 60) -> None:
        tryton_prepare()
        _logs_prune()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command(),
                env=_env(),
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"trytond exited: {self._log_tail()}")
            try:
                answer = _post(
                    f"{self.url}/rpc/",
                    {"id": 0, "method": "common.server.version", "params": []},
                    timeout=1,
                )
                if answer.get("result") == SERIES:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"trytond did not answer on {self.url}: {self._log_tail()}")

    def database_open(self, name: str) -> None:
        """Have the server load database `name` (see the module docstring): an anonymous
        request on a route that loads the database before it checks who is asking.

        That route finds databases through trytond's list of database files, which it caches
        per request host for `[session] timeout` (5 minutes); a Host header of its own makes
        the server list the directory again and so see a database copied a moment ago (a
        valid host name: werkzeug reads one with an underscore as no host at all)."""
        host = f"open-{uuid.uuid4().hex}.localhost"
        request = Request(  # noqa: S310
            f"{self.url}/{name}/rest/model/res.user", headers={"Host": host}
        )
        try:
            with urlopen(request, timeout=60):  # noqa: S310
                pass
        except HTTPError as error:
            if error.code not in {401, 403}:
                raise RuntimeError(f"trytond could not open {name}: {error}") from error
        except URLError as error:
            raise RuntimeError(f"trytond could not open {name}: {error}") from error

    def database_fresh(self, name: str) -> str:
        tryton_database_copy(name)
        self.database_open(name)
        return name

    def rpc_url(self, database: str) -> str:
        return f"{self.url}/{database}/rpc/"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self.config_path.unlink(missing_ok=True)
        self.logging_path.unlink(missing_ok=True)
        # a quiet run leaves an empty log: keep only logs that say something
        if self.log_path.exists() and not self.log_path.stat().st_size:
            self.log_path.unlink()

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def __enter__(self) -> LocalTryton:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.crm.tryton",
        description="The local Tryton 8.0 CRM: prepare its venv and template, or serve it.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="build the Tryton venv and template database")
    serve = commands.add_parser("serve", help="run trytond in the foreground")
    serve.add_argument("--port", type=int, default=9500, help="on 127.0.0.1 (default 9500)")
    serve.add_argument(
        "--database", default="demo", help="copied from the template if missing (default demo)"
    )
    serve.add_argument(
        "--fresh", action="store_true", help="copy the template over the database first"
    )
    options = parser.parse_args(argv)

    started = time.monotonic()
    tryton_prepare()
    if options.command == "prepare":
        print(f"Tryton {SERIES} ready in {ROOT} ({time.monotonic() - started:.1f}s)")
        return 0
    if options.fresh or not _sqlite(options.database).exists():
        tryton_database_copy(options.database)
    server = LocalTryton(port=options.port)
    command = server.command(databases=(options.database,))
    print(
        f"Tryton {SERIES} on {server.url}  database {options.database}  "
        f"login {LOGIN} / {PASSWORD}  (JSON-RPC {server.rpc_url(options.database)})",
        flush=True,
    )
    os.chdir(ROOT)
    os.execve(command[0], command, _env())  # noqa: S606
    return 0


if __name__ == "__main__":
    sys.exit(main())
