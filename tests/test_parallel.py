"""Builds spread over forked workers must give exactly what one process gives."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator.build import BuildResult, build
from generator.errors import InputError, Problems
from generator.parallel import JOBS_ENV, PARALLEL_FROM, jobs_for, map_ordered
from generator.project import load_project
from tests.conftest import copy_project

needs_fork = pytest.mark.skipif(os.name != "posix",
                                reason="workers are forked, which needs a POSIX system")


def _build(root: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[BuildResult, list[str]]:
    monkeypatch.setenv(JOBS_ENV, str(jobs))
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    result = build(project, problems=problems)
    return result, [str(p) for p in problems.items]


def _same(one: BuildResult, many: BuildResult) -> None:
    assert list(one.files) == list(many.files)  # same order too, not just the same set
    assert one.files == many.files
    assert one.metadata == many.metadata
    assert one.texts == many.texts
    assert one.statements == many.statements


@needs_fork
def test_example_built_by_two_workers_is_identical(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    one, one_problems = _build(root, 1, monkeypatch)
    many, many_problems = _build(root, 2, monkeypatch)
    _same(one, many)
    assert one_problems == many_problems


@needs_fork
def test_synthetic_organisation_built_by_workers_is_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.synth import generate

    root = generate(tmp_path / "org", PARALLEL_FROM + 12)
    one, _ = _build(root, 1, monkeypatch)
    many, _ = _build(root, 3, monkeypatch)
    _same(one, many)
    assert {s.html for s in one.statements} == {s.html for s in many.statements}


@needs_fork
def test_problems_found_by_workers_all_come_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    template = root / "templates" / "en" / "bio.txt.j2"
    template.write_text("{{ 'Far too long. ' * 40 }}\n", encoding="utf-8")
    messages = []
    for jobs in (1, 2):
        monkeypatch.setenv(JOBS_ENV, str(jobs))
        problems = Problems()
        project = load_project(root / "kanalprofil.yml", problems)
        with pytest.raises(InputError) as raised:
            build(project, problems=problems)
        messages.append([str(p) for p in raised.value.problems])
        assert len(messages[-1]) > 1
    assert messages[0] == messages[1]


@needs_fork
def test_map_ordered_keeps_task_order_and_really_forks() -> None:
    parent = os.getpid()
    results = map_ordered(lambda n: (n * n, os.getpid()), list(range(40)), 2)
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert {pid for _, pid in results} - {parent}


def _fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n


@needs_fork
def test_an_exception_in_a_worker_is_raised_in_the_parent() -> None:
    with pytest.raises(ValueError, match="seven"):
        map_ordered(_fails_on_seven, list(range(20)), 2)


def test_jobs_setting_and_automatic_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOBS_ENV, "1")
    assert jobs_for(10_000) == 1
    monkeypatch.delenv(JOBS_ENV)
    assert jobs_for(PARALLEL_FROM - 1) == 1  # too little work to pay for forking
    monkeypatch.setenv(JOBS_ENV, "not a number")
    assert jobs_for(1) == 1
    if os.name == "posix":
        monkeypatch.setenv(JOBS_ENV, "3")
        # Other tests may leave threads behind; count only this test's own.
        monkeypatch.setattr(threading, "active_count", lambda: 1)
        assert jobs_for(1) == 3
        monkeypatch.setattr(threading, "active_count", lambda: 2)
        assert jobs_for(10_000) == 1  # never fork a threaded process (serve's watcher)
