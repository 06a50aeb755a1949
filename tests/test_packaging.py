"""The image and the package ship every app the settings install."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _project_apps() -> set[str]:
    """Every installed app of ours, and every other top-level package the code imports
    (such as `edge`, which has no models), tests and benchmarks aside."""
    apps = {
        app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()
    }
    packages = {
        p.parent.name
        for p in ROOT.glob("*/__init__.py")
        if p.parent.name not in {"tests", "bench", "ecosystem"}
    }
    return apps | packages


def test_dockerfile_copies_every_project_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY \. \.$", dockerfile, re.M)
    ignored = {
        line.strip().strip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
    }
    assert not _project_apps() & ignored, _project_apps() & ignored


def test_package_includes_every_project_app():
    from setuptools import find_packages

    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
        "find"
    ]
    packages = set(find_packages(where=str(ROOT), exclude=found["exclude"]))
    assert _project_apps() | {"ecosystem"} <= packages, (_project_apps() | {"ecosystem"}) - packages
    assert not {p for p in packages if p.split(".")[0] in {"tests", "bench"}}
