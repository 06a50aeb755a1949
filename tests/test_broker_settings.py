"""The demo's filesystem broker (`./run` without Redis) keeps every folder under .local/: kombu's
default control folder is relative to the working directory and once put the exchange tables
into the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def _python(code: str, *, cwd: Path, **env: str) -> str:
    """Runs `code` with the demo's settings in a fresh process (settings are read at import)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CELERY_BROKER_URL", "REDIS_URL", "CELERY_BROKER_FOLDER"}
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "ecosystem.settings.dev",
            "PYTHONPATH": str(ROOT),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_filesystem_broker_keeps_every_folder_under_local(tmp_path):
    out = _python(
        "import json\n"
        "from django.conf import settings\n"
        "print(json.dumps([settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS]))",
        cwd=tmp_path,
    )
    url, options = json.loads(out)
    assert url == "filesystem://"
    assert set(FOLDER_OPTIONS) <= set(options)
    for option in FOLDER_OPTIONS:
        assert Path(options[option]).is_relative_to(ROOT / ".local"), (option, options[option])


WEB = """
import django
django.setup()
from ecosystem.celery import app
from ecosystem.devstack import broker_folders_create
broker_folders_create()
app.send_task("tests.broker_probe", args=[{}])
"""

WORKER = """
import django
django.setup()
from ecosystem.celery import app
with app.connection_for_read() as conn:
    queue = conn.SimpleQueue("celery")
    message = queue.get(timeout=10)
    message.ack()
    print(message.headers["task"])
    queue.close()
"""


def test_a_task_sent_by_the_web_process_reaches_the_worker_and_nothing_lands_in_the_cwd(
    tmp_path,
):
    broker = tmp_path / "broker"
    web_cwd, worker_cwd = tmp_path / "web", tmp_path / "worker"
    web_cwd.mkdir()
    worker_cwd.mkdir()
    env = {"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(broker)}
    # the web process sends before the worker is up (the demo loader does), from another folder
    _python(WEB, cwd=web_cwd, **env)
    assert _python(WORKER, cwd=worker_cwd, **env).strip() == "tests.broker_probe"
    assert list(web_cwd.iterdir()) == [] and list(worker_cwd.iterdir()) == []
    assert (broker / "control" / "celery.exchange").is_file()
