"""Shared fixtures: a private copy of the example project, and a Click runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None,
                          print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds in tests keep their Markdown cache in a temp folder, not in ~/.cache."""
    if "KANALPROFIL_CACHE_DIR" not in os.environ:
        monkeypatch.setenv("KANALPROFIL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


#: The day the tests run on, whatever the calendar says: 2026-11-29, 00:00 UTC. Checks such
#: as review-overdue depend on today; the example's review dates would otherwise start
#: to warn (and change what commands print) as the months pass.
TODAY_EPOCH = "1795910400"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH)


def copy_project(target: Path, *, with_output: bool = True) -> Path:
    """The bundled example as a standalone project in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "kanalprofil.yml", target / "kanalprofil.yml")
    shutil.copytree(ROOT / "profiles", target / "profiles")
    shutil.copytree(ROOT / "templates", target / "templates")
    if (ROOT / "schema").is_dir():
        shutil.copytree(ROOT / "schema", target / "schema")
    if with_output and (ROOT / "output").is_dir():
        shutil.copytree(ROOT / "output", target / "output")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_project(project: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(project)
    try:
        yield project
    finally:
        os.chdir(old)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove a failed run changed nothing."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
