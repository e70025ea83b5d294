"""Builds spread over forked workers must give exactly what one process gives."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import BuildResult, build
from generator.errors import InputError, Problems
from generator.parallel import JOBS_ENV, PARALLEL_FROM, jobs_for, map_ordered
from generator.project import load_project
from tests.conftest import copy_project

needs_fork = pytest.mark.skipif(os.name != "posix",
                                reason="workers are forked, which needs a POSIX system")


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """A process with other threads never forks (``parallel._possible``): tests that
    compare a build by workers with one in-process would compare two in-process builds.
    Threads an earlier test module left (a browser test's Playwright) get a moment to
    end; any still there fail the test instead of letting it pass without workers."""
    import time

    deadline = time.monotonic() + 10
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == 1, \
        f"other threads would stop the workers: {[t.name for t in threading.enumerate()]}"


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
    assert {s.known_html() for s in one.statements} == \
        {s.known_html() for s in many.statements}
    assert [s.markdown for s in one.statements] == [s.markdown for s in many.statements]


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


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
def test_map_ordered_shows_each_result_in_this_process_as_it_arrives(jobs: int) -> None:
    parent = os.getpid()
    seen: list[tuple[int, int]] = []
    results = map_ordered(lambda n: [n * n], list(range(30)), jobs,
                          lambda result: seen.append((result[0], os.getpid())))
    assert results == [[n * n] for n in range(30)]
    assert sorted(square for square, _ in seen) == [n * n for n in range(30)]
    assert {pid for _, pid in seen} == {parent}


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


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                    reason="needs Linux /proc to find the worker processes")
def test_workers_end_when_the_build_process_is_killed(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from bench.synth import generate
    from generator.plan import is_temp_name
    from tests.conftest import snapshot

    root = generate(tmp_path / "org", 150)
    before = snapshot(root / "output")
    env = {**os.environ, JOBS_ENV: "2", "KANALPROFIL_CACHE_DIR": "off"}
    build = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=root, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while len(workers) < 2 and build.poll() is None and time.monotonic() < deadline:
            workers = _children(build.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the build finished before its workers were seen"
        build.send_signal(signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        if build.poll() is None:
            build.kill()
    # Killed while rendering: no file changed. Files already staged may be left as temp
    # files beside their targets (only SIGKILL can do that); the next build removes them.
    after = snapshot(root / "output")
    assert {p: d for p, d in after.items() if not is_temp_name(p.rsplit("/", 1)[-1])} == before
    subprocess.run([sys.executable, "-m", "generator", "build"], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    assert not [p for p in snapshot(root / "output") if is_temp_name(p.rsplit("/", 1)[-1])]


_READ_BOTH_WAYS = """
import json, os, sys
import generator.profiles
from generator.build import prepare
from generator.errors import Problems
from generator.project import load_project

read_in_workers = []
real = generator.profiles._read_in_parallel

def spy(*args, **kwargs):
    made = real(*args, **kwargs)
    read_in_workers.append(len(made))
    return made

generator.profiles._read_in_parallel = spy
reports = []
for jobs in (1, 2):
    os.environ["KANALPROFIL_JOBS"] = str(jobs)
    os.environ["KANALPROFIL_CACHE_DIR"] = sys.argv[2] + f"/cache-{jobs}"
    problems = Problems()
    project = load_project(generator.profiles.Path(sys.argv[1]), problems)
    _, _, profiles, inputs = prepare(project, problems)
    reports.append(([str(p) for p in problems.items], repr(profiles.channels), inputs,
                    {s: repr(profiles.sources[s]) for s in profiles.sources}))
print(json.dumps({"workers": read_in_workers, "same": reports[0] == reports[1],
                  "messages": reports[0][0]}))
"""


@needs_fork
def test_profiles_read_by_workers_give_the_same_channels_and_problems(tmp_path: Path) -> None:
    """A cold build reads its channel files in workers: every error, warning and finding
    comes back, in file order, as reading them in this process gives. Run in a process
    of its own: one with other threads (a browser test's server) never forks."""
    import json
    import subprocess
    import sys

    from bench.synth import generate
    from tests.conftest import ROOT

    root = generate(tmp_path / "org", PARALLEL_FROM + 12)
    files = sorted((root / "profiles" / "channels").glob("*.yml"))
    for index, old, new in ((3, "display_name: ", "display_name: \u200b"),
                            (5, "\nowner:", "\ncolour: blue\nowner:"),
                            (7, "\nowner:", "\ndialogue: [unclosed\nowner:"),
                            (9, "owner: ", "owner: abcd-2efg-hij3-klmn "),
                            (11, "platform: ", "platform: myspace\nx_platform: ")):
        text = files[index].read_text(encoding="utf-8")
        assert old in text
        files[index].write_text(text.replace(old, new, 1), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(JOBS_ENV, None)
    ran = subprocess.run([sys.executable, "-c", _READ_BOTH_WAYS, str(root / "kanalprofil.yml"),
                          str(tmp_path)], capture_output=True, text=True, env=env,
                         timeout=300, check=True)
    report = json.loads(ran.stdout)
    assert report["workers"] == [0, len(files)]
    assert report["same"]
    messages = "\n".join(report["messages"])
    for expected in ("U+200B", "colour", "a Bluesky app password", "myspace"):
        assert expected in messages


@needs_fork
def test_meanwhile_runs_here_while_the_workers_work_and_sees_them_finish() -> None:
    import time

    parent = os.getpid()
    seen: list[tuple[int, bool]] = []

    def meanwhile(busy: Callable[[], bool]) -> None:
        seen.append((os.getpid(), busy()))
        deadline = time.monotonic() + 60
        while busy() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append((os.getpid(), busy()))

    def slow(n: int) -> int:
        time.sleep(0.2)
        return n

    assert map_ordered(slow, list(range(4)), 2, meanwhile=meanwhile) == [0, 1, 2, 3]
    assert seen == [(parent, True), (parent, False)]
    seen.clear()
    assert map_ordered(slow, list(range(4)), 1, meanwhile=meanwhile) == [0, 1, 2, 3]
    assert seen == []  # no workers: nothing to wait through


def test_warming_up_stops_when_the_workers_are_done(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is not compiled before the workers finish is compiled where it is used."""
    import generator.counting
    from generator.build import _warm_up
    from generator.templating import Templates

    ran: list[str] = []
    monkeypatch.setattr(generator.counting, "WARM_UP",
                        (lambda: ran.append("a"), lambda: ran.append("b")))
    monkeypatch.setattr(Templates, "precompiling",
                        lambda self: [lambda: ran.append("t1"), lambda: ran.append("t2")])
    checks = iter([True, True, True, False])
    _warm_up(Templates(None), lambda: next(checks))
    assert ran == ["a", "b", "t1"]
    ran.clear()
    _warm_up(Templates(None), lambda: True)
    assert ran == ["a", "b", "t1", "t2"]


def test_every_template_can_be_compiled_ahead() -> None:
    from generator.templating import Templates

    templates = Templates(None)
    steps = templates.precompiling()
    assert len(steps) == sum(1 for name, _ in templates.files() if name.endswith(".j2")) > 10
    for step in steps:
        step()

    def unreadable(*args: object) -> None:
        raise AssertionError("compiled again")

    for env in (templates.env, templates.text_env):
        env.loader.get_source = unreadable  # type: ignore[union-attr,method-assign]
    assert templates.get("nb/statement.md.j2") and templates.get("nn/bio.txt.j2")


@needs_fork
def test_a_rebuild_checks_output_while_workers_render_the_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a few channel files changed, the workers start on the pages at once and this
    process checks output/ and renders the stale channels meanwhile (a hand-edited
    file of another channel included); output/ then equals a fresh full build's."""
    import shutil

    from click.testing import CliRunner

    import generator.build
    import generator.parallel
    from bench.synth import generate, touch_one_channel
    from generator.cli import main
    from tests.conftest import snapshot

    root = generate(tmp_path / "org", PARALLEL_FROM + 12)
    monkeypatch.setenv("KANALPROFIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(JOBS_ENV, "2")
    assert CliRunner().invoke(main, ["build", "--config", str(root / "kanalprofil.yml")]
                              ).exit_code == 0
    touch_one_channel(root, PARALLEL_FROM + 12, variant=1)
    edited = sorted((root / "output/channels").glob("*/nb/bio.txt"))[3]
    edited.write_text("Edited by hand.\n", encoding="utf-8")
    (root / "output/site/nb/overview.html").unlink()

    checked_while_workers_ran = []
    check_output = generator.build._check_output

    def checking(survey: object) -> object:
        checked_while_workers_ran.append(generator.parallel._WORK is not None)
        return check_output(survey)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.build, "_check_output", checking)
    rebuilt = CliRunner().invoke(main, ["build", "--config", str(root / "kanalprofil.yml")])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert checked_while_workers_ran == [True]

    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("output"))
    monkeypatch.setenv("KANALPROFIL_CACHE_DIR", "off")
    monkeypatch.setenv(JOBS_ENV, "1")
    assert CliRunner().invoke(main, ["build", "--config", str(fresh / "kanalprofil.yml")]
                              ).exit_code == 0
    assert snapshot(root / "output") == snapshot(fresh / "output")


def test_pages_are_grouped_by_language_as_far_as_the_languages_share_out() -> None:
    from generator.rendering import _page_groups

    pages = [(lang, name) for lang in ("nb", "nn", "en")
             for name in ("overview", "channels", "guidelines")]
    assert _page_groups(pages, 1) == [tuple(pages[0:3]), tuple(pages[3:6]),
                                      tuple(pages[6:9])]
    assert _page_groups(pages, 3) == _page_groups(pages, 1)
    assert _page_groups(pages, 2) == [tuple(pages[0:3]), tuple(pages[3:6]),
                                      *((page,) for page in pages[6:9])]
    assert _page_groups(pages, 4) == [(page,) for page in pages]
    assert _page_groups(pages[:3], 2) == [(page,) for page in pages[:3]]
