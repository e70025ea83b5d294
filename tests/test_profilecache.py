"""The per-file profile cache: the same build and the same problems in every state of it.

A warm cache must only save time: every output file, every reported problem (message,
location, order) and every exit code must be what reading every file gives, whether
the cache is cold, warm, off, damaged as a file, damaged entry by entry, or cannot be
written. And after one channel changes, only that file is read and checked again.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.synth import generate, touch_one_channel
from generator import profilecache, profiles, schema
from generator.build import build, load_inputs, prepare
from generator.chunkcache import CACHE_ENV
from generator.cli import main
from generator.errors import InputError, Problems
from generator.project import load_project
from tests.conftest import copy_project, snapshot

#: The owner block of the example's facebook.yml (removed to trigger no-owner).
FACEBOOK_OWNER = ("owner:\n  nb: Kommunikasjonsavdelingen, seksjon for digitale kanaler\n"
                  "  nn: Kommunikasjonsavdelinga, seksjon for digitale kanalar\n"
                  "  en: Communications department, digital channels section\n")


def _replace(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"fixture text {old!r} not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _errors_and_warnings(root: Path) -> None:
    """Errors in several channel files (YAML, schema, platform, reference, secret, file
    name) and check warnings in others: the organisation itself is valid, so the checks
    run too."""
    channels = root / "profiles" / "channels"
    _append(channels / "facebook.yml", "respons: {}\n")
    _replace(channels / "tiktok.yml", "{posts: 1, per: week}", "{posts: many, per: week}")
    _replace(channels / "instagram.yml", "platform: instagram", "platform: instagran")
    _replace(channels / "youtube.yml", "go_to: facebook", "go_to: facebok")
    _append(channels / "bluesky.yml", "notes: pw abcd-efgh-ijkl-mnop\n")
    _append(channels / "linkedin.yml", "comments: [open\n")
    (channels / "empty.yml").write_text("# nothing yet\n")
    (channels / "My Channel.yml").write_text("platform: x\n")
    _warnings(root)


def _warnings(root: Path) -> None:
    """Only warnings, in several files: the build succeeds and prints them."""
    channels = root / "profiles" / "channels"
    _replace(channels / "facebook.yml",
             FACEBOOK_OWNER, "")
    _replace(channels / "instagram.yml", "  en: people who love the coast",
             "  en: people who love the \u202ecoast")
    _append(channels / "x.yml", "criticism_welcome: false\n")


def _organisation_error(root: Path) -> None:
    """An invalid organisation file: no checks run, channel errors still reported."""
    _replace(root / "profiles/organisation.yml", "casework: true", "casework: yes")
    _append(root / "profiles/channels/facebook.yml", "respons: {}\n")


def _example(target: Path) -> Path:
    return copy_project(target, with_output=False)


def _variant(change: Callable[[Path], None]) -> Callable[[Path], Path]:
    def make(target: Path) -> Path:
        root = copy_project(target, with_output=False)
        change(root)
        return root
    return make


def _synthetic(target: Path) -> Path:
    generate(target, 30)
    return target


PROJECTS: dict[str, Callable[[Path], Path]] = {
    "example": _example,
    "synthetic": _synthetic,
    "errors-and-warnings": _variant(_errors_and_warnings),
    "warnings": _variant(_warnings),
    "organisation-error": _variant(_organisation_error),
}


@dataclass
class Outcome:
    """Everything a user or a test can see of a run."""

    problems: list[str]  # in the order reading and checking collected them
    exit_code: int
    stdout: str
    stderr: str
    output: dict[str, bytes]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The channel files parsed and validated (not taken from the cache), by name."""
    seen: list[str] = []
    real = profiles._read_channel

    def counting(channel_id: str, name: str, *args: Any) -> Any:
        seen.append(name)
        return real(channel_id, name, *args)

    monkeypatch.setattr(profiles, "_read_channel", counting)
    return seen


def _api(root: Path) -> tuple[list[str], dict[str, bytes] | None, list[str] | None]:
    problems = Problems()
    try:
        files: dict[str, bytes] | None = dict(build(
            load_project(root / "kanalprofil.yml", problems), problems=problems).files)
        raised = None
    except InputError as exc:
        files, raised = None, [str(p) for p in exc.problems]
    return [str(p) for p in problems.items], files, raised


def _prepare(root: Path) -> list[str]:
    """Every problem reading and checking the profiles reports, in the order found (the
    CLI sorts errors and leaves out warnings when there are errors)."""
    problems = Problems()
    prepare(load_project(root / "kanalprofil.yml", problems), problems)
    return [str(p) for p in problems.items]


def _outcome(root: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    with monkeypatch.context() as patch:
        patch.chdir(root)
        result = CliRunner().invoke(main, ["build"])
    assert "Traceback" not in result.output
    return Outcome(_prepare(root), result.exit_code, result.stdout, result.stderr,
                   snapshot(root / "output"))


def _warm(source: Path, folder: Path, where: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Fill ``folder`` with a build of a copy of ``source`` (same names, same entries);
    False when nothing was kept (an invalid organisation file: nothing to check against)."""
    monkeypatch.setenv(CACHE_ENV, str(folder))
    shutil.copytree(source, where)
    _prepare(where)
    return bool(list(folder.glob("profiles-*.sqlite3")))


def _damage_entries(folder: Path) -> None:
    """Every entry damaged another way: truncated, a flipped byte, swapped, emptied."""
    (path,) = folder.glob("profiles-*.sqlite3")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT key, data, findings FROM entries").fetchall()
        assert rows
        for number, (row, data, findings) in enumerate(rows):
            if number % 4 == 0:
                data = data[: len(data) // 2]
            elif number % 4 == 1:
                data = data[:-1] + bytes([data[-1] ^ 1])
            elif number % 4 == 2:
                data = rows[(number + 1) % len(rows)][1]  # another file's entry
            else:
                findings = b""
            connection.execute("UPDATE entries SET data = ?, findings = ? WHERE key = ?",
                               (data, findings, row))


def _cannot_write(*args: Any) -> None:
    raise sqlite3.OperationalError("attempt to write a readonly database")


MODES = ("off", "cold", "warm", "damaged-file", "damaged-entries", "unwritable",
         "write-fails")


def _set_up(mode: str, source: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Put the cache in the state ``mode`` names; whether a warm-up left entries."""
    folder = scratch / "cache"
    if mode == "off":
        monkeypatch.setenv(CACHE_ENV, "off")
    elif mode == "cold":
        monkeypatch.setenv(CACHE_ENV, str(folder))
    elif mode == "unwritable":
        blocker = scratch / "a-file"
        blocker.write_text("not a folder\n")
        monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    else:
        if not _warm(source, folder, scratch / "warm-up", monkeypatch):
            return False
        if mode == "damaged-file":
            for path in folder.glob("profiles-*"):
                path.write_bytes(b"\x00garbage, not a database\xff" * 200)
        elif mode == "damaged-entries":
            _damage_entries(folder)
        elif mode == "write-fails":
            monkeypatch.setattr(profilecache.ProfileCache, "_write", _cannot_write)
        return True
    return False


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_state_of_the_cache_gives_the_same_build_and_problems(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]) -> None:
    source = PROJECTS[name](tmp_path / "source")
    outcomes: dict[str, Outcome] = {}
    for mode in MODES:
        scratch = tmp_path / mode
        scratch.mkdir()
        with monkeypatch.context() as patch:
            warmed = _set_up(mode, source, scratch, patch)
            root = scratch / "project"
            shutil.copytree(source, root)
            reads.clear()
            outcomes[mode] = _outcome(root, patch)
            if warmed and mode == "warm":
                assert reads == [], "a warm cache parses no channel file"
            elif warmed and mode in ("damaged-file", "damaged-entries"):
                assert reads, "a damaged cache is read as a miss"
            if mode not in ("off", "cold", "unwritable"):
                assert warmed == (name != "organisation-error")
    expected = outcomes["off"]
    assert expected.problems or name in ("example", "synthetic")
    if name == "errors-and-warnings":
        assert expected.exit_code == 1 and "[secret-in-profile]" in expected.stderr
        assert "instagran" in expected.stderr
        assert any(": warning: " in problem for problem in expected.problems)
    if name == "warnings":
        assert expected.exit_code == 0 and ": warning: " in expected.stderr
    for mode, outcome in outcomes.items():
        assert outcome == expected, mode


def test_damaged_entries_are_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      reads: list[str]) -> None:
    source = _example(tmp_path / "source")
    assert _warm(source, tmp_path / "cache", tmp_path / "first", monkeypatch)
    _damage_entries(tmp_path / "cache")
    _api(source)
    assert reads
    reads.clear()
    _api(source)
    assert reads == []


@pytest.fixture
def warm_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 reads: list[str]) -> Iterator[Path]:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    root = _example(tmp_path / "project")
    _api(root)
    assert len(reads) == len(list((root / "profiles/channels").glob("*.yml")))
    reads.clear()
    yield root


def test_after_one_channel_changed_only_that_file_is_read_and_scanned(
        warm_example: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import checks

    scanned: list[str] = []
    real = schema.iter_strings

    def iter_strings(value: Any, loc: Any) -> Any:
        scanned.append(loc.file)
        return real(value, loc)

    monkeypatch.setattr(checks, "iter_strings", iter_strings)
    checked: list[str] = []
    real_check = schema.Record.check

    def record_check(self: schema.Record, value: Any, loc: Any, ctx: Any) -> Any:
        checked.append(loc.file)
        return real_check(self, value, loc, ctx)

    monkeypatch.setattr(schema.Record, "check", record_check)
    _append(warm_example / "profiles/channels/tiktok.yml", "notes: a new note\n")
    _, files, raised = _api(warm_example)
    assert files is not None and raised is None
    assert reads == ["profiles/channels/tiktok.yml"]
    # the organisation is always read; of the channels, only the changed one
    assert {name for name in checked if name.startswith("profiles/")} == {
        "profiles/organisation.yml", "profiles/channels/tiktok.yml"}
    assert set(scanned) == {"profiles/organisation.yml", "profiles/channels/tiktok.yml"}
    reads.clear()
    _api(warm_example)
    assert reads == []


def test_the_synthetic_rebuild_reads_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              reads: list[str]) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    root = generate(tmp_path / "org", 40)
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    _, _, first = load_inputs(project, problems)
    assert first is not None
    first.save_cache()
    reads.clear()
    changed = touch_one_channel(root, 40, 3)
    _, _, second = load_inputs(project, Problems())
    assert second is not None
    assert reads == [f"profiles/channels/{changed.name}"]
    assert [c.id for c in second.channels] == [c.id for c in first.channels]
    differ = [c.id for c, d in zip(first.channels, second.channels, strict=True) if c != d]
    assert differ == [changed.stem]


def test_a_change_to_the_organisation_defaults_invalidates_every_channel(
        warm_example: Path, reads: list[str]) -> None:
    channels = sorted(p.stem for p in (warm_example / "profiles/channels").glob("*.yml"))
    org = warm_example / "profiles/organisation.yml"
    content = org.read_text(encoding="utf-8")
    assert "within: 2" in content
    org.write_text(content.replace("within: 2", "within: 1", 1), encoding="utf-8")
    problems = Problems()
    project = load_project(warm_example / "kanalprofil.yml", problems)
    _, _, loaded = load_inputs(project, problems)
    assert loaded is not None
    assert sorted(Path(name).stem for name in reads) == channels
    # no stale channel: every one that takes the default has the new value
    defaulted = [c for c in loaded.channels if c.response.time is not None
                 and "time" not in (loaded.sources[c.id].get("response") or {})]
    assert defaulted and all(c.response.time.within == 1 for c in defaulted)  # type: ignore[union-attr]
    assert _api(warm_example)[1] is not None


def test_a_change_to_the_catalogue_invalidates_every_channel(
        warm_example: Path, reads: list[str]) -> None:
    channels = sorted(p.stem for p in (warm_example / "profiles/channels").glob("*.yml"))
    _replace(warm_example / "profiles/channels/tiktok.yml", "platform: tiktok",
             "platform: google-plus")
    problems = Problems()
    load_inputs(load_project(warm_example / "kanalprofil.yml", problems), problems)
    assert reads == ["profiles/channels/tiktok.yml"]
    assert any("unknown platform 'google-plus'" in str(p) for p in problems.items)
    reads.clear()
    (warm_example / "profiles/platforms.yml").write_text(
        "google-plus:\n  name: Google+\n  kind: social_network\n  slots:\n    bio:\n"
        "      limits: [{max: 500, count: strictest}]\n      line_breaks: true\n"
        "      links: true\n      confidence: unknown\n      source: a test\n",
        encoding="utf-8")
    problems = Problems()
    _, _, loaded = load_inputs(load_project(warm_example / "kanalprofil.yml", problems),
                               problems)
    assert sorted(Path(name).stem for name in reads) == channels
    assert not any("unknown platform" in str(p) for p in problems.items), problems.items
    assert loaded is not None and loaded.channel("tiktok") is not None


def test_a_channel_with_errors_is_cached_with_its_problems(
        warm_example: Path, reads: list[str]) -> None:
    _append(warm_example / "profiles/channels/facebook.yml", "respons: {}\n")
    first = _api(warm_example)
    assert first[2] is not None and any("respons" in p for p in first[2])
    reads.clear()
    assert _api(warm_example) == first
    assert reads == []


def test_files_of_other_versions_are_removed_and_unused_rows_dropped(
        warm_example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    (old,) = folder.glob("profiles-*.sqlite3")
    monkeypatch.setattr(profilecache, "FORMAT", profilecache.FORMAT + 1)
    _api(warm_example)
    (new,) = folder.glob("profiles-*.sqlite3")
    assert new != old and not old.exists()
    count = len(list((warm_example / "profiles/channels").glob("*.yml")))
    (warm_example / "profiles/channels/tiktok.yml").unlink()
    _replace(warm_example / "profiles/channels/facebook.yml", "fjordetaten", "fjordetaten2")
    _api(warm_example)
    with sqlite3.connect(new) as connection:
        rows = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    assert rows == count - 1  # the removed file's and facebook's old entry are gone


def test_a_cache_locked_by_another_build_is_left_alone(
        warm_example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        reads: list[str]) -> None:
    """Locked is not damaged: the build goes on without it and deletes nothing."""
    monkeypatch.setattr(profilecache, "_TIMEOUT", 0.05)
    (path,) = (tmp_path / "cache").glob("profiles-*.sqlite3")
    _append(warm_example / "profiles/channels/tiktok.yml", "notes: a new note\n")
    expected = _prepare(warm_example)
    reads.clear()
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        _replace(warm_example / "profiles/channels/tiktok.yml", "a new note", "another note")
        locked = _prepare(warm_example)
        assert len(reads) > 1  # nothing could be read from the cache
        other.execute("ROLLBACK")
    assert path.exists()
    assert locked == [line.replace("a new note", "another note") for line in expected]
    reads.clear()
    _prepare(warm_example)
    assert reads == ["profiles/channels/tiktok.yml"]  # the others' entries survived


def test_audit_reports_the_same_from_a_warm_cache(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  reads: list[str]) -> None:
    """``audit`` reads profiles and runs every check too: its report (every finding, the
    per-file ones included) must not depend on the cache either."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    source = tmp_path / "source"
    shutil.copytree(Path(__file__).parent / "fixtures" / "audit-findings", source)
    (secret,) = sorted((source / "profiles/channels").glob("*.yml"))[:1]
    _append(secret, "notes: pw abcd-efgh-ijkl-mnop\n")
    reports = {}
    for mode in ("off", "cold", "warm"):
        monkeypatch.setenv(CACHE_ENV, "off" if mode == "off" else str(tmp_path / "cache"))
        root = tmp_path / mode
        shutil.copytree(source, root)
        reads.clear()
        result = CliRunner().invoke(
            main, ["audit", "--format", "json", "--config", str(root / "kanalprofil.yml")])
        reports[mode] = (result.exit_code, result.stdout, result.stderr)
        assert (reads == []) == (mode == "warm"), mode
    assert reports["off"][0] == 1 and "secret-in-profile" in reports["off"][1]
    assert "invisible-unicode" in reports["off"][1]
    assert reports["cold"] == reports["off"]
    assert reports["warm"] == reports["off"]
