"""The house's plan holds: the import contracts (.importlinter) cover every room, fail on an
upward import, and no module hides an import of our code inside a function."""

import ast
import configparser
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
LINT = Path(sys.executable).parent / "lint-imports"


def _config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def _root_packages() -> list[str]:
    return _config()["importlinter"]["root_packages"].split()


def _layers() -> list[list[str]]:
    raw = _config()["importlinter:contract:layers"]["layers"].split("\n")
    return [[room.strip() for room in line.split("|")] for line in raw if line.strip()]


def _project_packages() -> set[str]:
    return {
        p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in {"tests", "bench"}
    }


def test_every_room_is_in_the_plan():
    assert set(_root_packages()) == _project_packages()
    in_layers = [room for line in _layers() for room in line]
    assert sorted(in_layers) == sorted(_project_packages())


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(cwd / ".importlinter")],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_of_the_code(tmp_path: Path) -> None:
    for package in _root_packages():
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(CONFIG, tmp_path / ".importlinter")


def test_contracts_hold_on_the_code():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers(tmp_path):
    _copy_of_the_code(tmp_path)
    # the business schema reaching up into the pipeline, as a convenience import would
    target = tmp_path / "business" / "labels.py"
    target.write_text(target.read_text() + "\nfrom pipeline.models import Opportunity  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "business.labels -> pipeline.models" in result.stdout


def test_a_cycle_between_modules_breaks_the_contract(tmp_path):
    _copy_of_the_code(tmp_path)
    # the company models reaching for a selector that reads them
    target = tmp_path / "tenants" / "models.py"
    target.write_text(target.read_text() + "\nfrom tenants import selectors  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1
    assert "No cycles are allowed in tenants" in result.stdout


def _deferred_imports() -> list[str]:
    """Imports of our own code made inside a function, outside an app's apps.py."""
    ours = set(_root_packages())
    found = []
    for package in ours:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "apps.py":
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and inner.module:
                        names = [inner.module]
                    elif isinstance(inner, ast.Import):
                        names = [alias.name for alias in inner.names]
                    else:
                        continue
                    for name in names:
                        if name.split(".")[0] in ours:
                            found.append(f"{path.relative_to(ROOT)}:{inner.lineno} {name}")
    return sorted(set(found))


def test_imports_of_our_code_sit_at_module_level():
    """Only an app's apps.py imports our code inside functions (.importlinter says why)."""
    assert _deferred_imports() == []


def test_rooms_read_shared_records_only_through_sharings_selectors():
    """The owner's reads of its own shared records go through sharing.records.access like
    everyone else's: no room outside sharing queries the network's record tables itself."""
    tables = ("SharedRecord", "Participation", "SharedRecordGroupPermission")
    offenders = []
    for package in _root_packages():
        if package == "sharing":
            continue
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            offenders += [
                f"{path.relative_to(ROOT)}: {t}.objects" for t in tables if f"{t}.objects" in text
            ]
    assert offenders == []
