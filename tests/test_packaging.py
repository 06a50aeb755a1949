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
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert _project_apps() <= copied, _project_apps() - copied


def test_package_includes_every_project_app():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    assert {f"{app}*" for app in _project_apps() | {"ecosystem"}} <= set(include)
