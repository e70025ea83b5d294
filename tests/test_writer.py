"""Tests for generator.writer: atomic, all-or-nothing, never rewriting unchanged files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from generator import writer
from generator.manifest import MANIFEST_NAME
from generator.plan import TEMP_MARKER, make_plan
from generator.writer import ApplyResult, TerminatedError, apply_plan

REPO = Path(__file__).resolve().parents[1]
INPUTS = {"profiles/organisation.yml": "a" * 64, "tool": "0.1.0"}
OLD_NS = 1_000_000_000_000_000_000  # 2001-09-09: any rewrite would show a newer mtime


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and directory under root (hidden ones too) with its bytes."""
    result: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_file():
            result[key] = path.read_bytes()
        else:
            result[key + "/"] = b""
    return result


def stats(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file: a rewrite via os.replace changes both."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if TEMP_MARKER in p.name]


def age(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_NS, OLD_NS))


def many(count: int, version: str) -> dict[str, bytes]:
    """``count`` files over 40 channels and 2 languages, content depending on version."""
    return {
        f"channels/ch{i % 40:02d}/{'nb' if i % 2 else 'en'}/slot{i:04d}.txt": (
            f"{version} text for slot {i}\n" * 3
        ).encode()
        for i in range(count)
    }


def build(
    root: Path,
    files: Mapping[str, bytes],
    metadata: Mapping[str, Mapping[str, object]] | None = None,
) -> ApplyResult:
    return apply_plan(make_plan(root, files, metadata or {}, INPUTS), root)


V1 = {
    "channels/fb/nb/bio.txt": "Bærum kommune på Facebook.\n".encode(),
    "channels/fb/nb/statement.md": b"# Forventninger\n",
    "channels/old/nb/bio.txt": b"retired channel\n",
    "index.html": b"<h1>index</h1>\n",
}
V2 = {
    "channels/fb/nb/bio.txt": "Bærum kommune på Facebook – velkommen.\n".encode(),
    "channels/fb/nb/statement.md": b"# Forventninger\n",
    "channels/ig/nb/bio.txt": b"new channel\n",
    "index.html": b"<h1>index</h1>\n",
}


def expected_tree(files: Mapping[str, bytes]) -> set[str]:
    tree = set(files) | {MANIFEST_NAME}
    for path in files:
        parts = path.split("/")
        tree.update("/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    return tree


# --- ordinary builds ----------------------------------------------------------------------


def test_first_build_writes_all_files_and_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "output"
    result = build(out, V1, {"channels/fb/nb/bio.txt": {"count": 26, "limit": 150}})
    assert set(snapshot(out)) == expected_tree(V1)
    assert all((out / p).read_bytes() == data for p, data in V1.items())
    assert result.created == tuple(sorted(V1)) and result.manifest_written
    manifest = json.loads((out / MANIFEST_NAME).read_bytes())
    assert manifest["files"]["channels/fb/nb/bio.txt"]["count"] == 26
    assert manifest["inputs"] == INPUTS


def test_manifest_is_written_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    real_rename = writer._rename

    def recording(tmp: str, target: str) -> None:
        order.append(Path(target).relative_to(tmp_path).as_posix())
        real_rename(tmp, target)

    monkeypatch.setattr(writer, "_rename", recording)
    build(tmp_path, V1)
    assert order == [*sorted(V1), MANIFEST_NAME]


def test_rebuild_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    build(tmp_path, V1)
    age(tmp_path)
    before_bytes, before_stats = snapshot(tmp_path), stats(tmp_path)
    plan = make_plan(tmp_path, V1, {}, INPUTS)
    result = apply_plan(plan, tmp_path)
    assert not plan.has_changes
    assert result == ApplyResult() and not result.changed
    assert snapshot(tmp_path) == before_bytes
    assert stats(tmp_path) == before_stats  # same inode and mtime, manifest included
    assert all(ns == OLD_NS for _, ns in before_stats.values())


def test_update_rewrites_only_changed_files_and_deletes_stale_ones(tmp_path: Path) -> None:
    build(tmp_path, V1)
    (tmp_path / "channels/fb/nb/own-notes.txt").write_bytes(b"user file\n")
    (tmp_path / "empty-user-dir").mkdir()
    age(tmp_path)
    before = stats(tmp_path)

    result = build(tmp_path, V2)
    after = stats(tmp_path)
    assert result.created == ("channels/ig/nb/bio.txt",)
    assert result.updated == ("channels/fb/nb/bio.txt",)
    assert result.deleted == ("channels/old/nb/bio.txt",)
    assert result.removed_dirs == ("channels/old", "channels/old/nb")
    for same in ("channels/fb/nb/statement.md", "index.html", "channels/fb/nb/own-notes.txt"):
        assert after[same] == before[same]
    assert after["channels/fb/nb/bio.txt"] != before["channels/fb/nb/bio.txt"]
    assert (tmp_path / "channels/fb/nb/own-notes.txt").read_bytes() == b"user file\n"
    assert (tmp_path / "empty-user-dir").is_dir()
    assert set(snapshot(tmp_path)) == expected_tree(V2) | {
        "channels/fb/nb/own-notes.txt",
        "empty-user-dir/",
    }
    assert all((tmp_path / p).read_bytes() == data for p, data in V2.items())
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_bytes())
    assert sorted(manifest["files"]) == sorted(V2)


def test_user_owned_file_in_a_stale_directory_keeps_the_directory(tmp_path: Path) -> None:
    build(tmp_path, V1)
    (tmp_path / "channels/old/nb/mine.txt").write_bytes(b"mine\n")
    result = build(tmp_path, V2)
    assert result.deleted == ("channels/old/nb/bio.txt",) and result.removed_dirs == ()
    assert (tmp_path / "channels/old/nb/mine.txt").read_bytes() == b"mine\n"


def test_filtered_apply_never_deletes_unselected_files(tmp_path: Path) -> None:
    build(tmp_path, V1)
    plan = make_plan(tmp_path, V2, {}, INPUTS, selected=lambda p: p.startswith("channels/ig/"))
    result = apply_plan(plan, tmp_path)
    assert result.created == ("channels/ig/nb/bio.txt",)
    assert result.updated == result.deleted == ()
    assert (tmp_path / "channels/old/nb/bio.txt").read_bytes() == V1["channels/old/nb/bio.txt"]
    assert (tmp_path / "channels/fb/nb/bio.txt").read_bytes() == V1["channels/fb/nb/bio.txt"]
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_bytes())
    assert sorted(manifest["files"]) == sorted({*V1, "channels/ig/nb/bio.txt"})


def test_file_mode_of_an_updated_file_is_kept(tmp_path: Path) -> None:
    build(tmp_path, V1)
    (tmp_path / "channels/fb/nb/bio.txt").chmod(0o600)
    build(tmp_path, V2)
    assert (tmp_path / "channels/fb/nb/bio.txt").stat().st_mode & 0o777 == 0o600


def test_leftover_temp_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    build(tmp_path, V1)
    leftover = tmp_path / "channels/fb/nb" / f".bio.txt{TEMP_MARKER}deadbeef"
    leftover.write_bytes(b"half-written")
    plan = make_plan(tmp_path, V1, {}, INPUTS)
    assert plan.user_owned == () and not plan.has_changes
    result = apply_plan(plan, tmp_path)
    assert result.removed_leftovers == (f"channels/fb/nb/.bio.txt{TEMP_MARKER}deadbeef",)
    assert temps(tmp_path) == []


def test_signal_handlers_are_restored(tmp_path: Path) -> None:
    def mine(signum: int, frame: Any) -> None:
        raise AssertionError("not expected")

    old = signal.signal(signal.SIGTERM, mine)
    try:
        build(tmp_path, V1)
        assert signal.getsignal(signal.SIGTERM) is mine
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, old)


# --- all or nothing -------------------------------------------------------------------------


def fail_after(count: int, exc: BaseException) -> Callable[[str, bytes, int | None], None]:
    real = writer._write_temp
    calls = 0

    def write(tmp: str, data: bytes, mode: int | None) -> None:
        nonlocal calls
        calls += 1
        if calls > count:
            raise exc
        real(tmp, data, mode)

    return write


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_while_preparing_leaves_output_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    build(tmp_path, many(300, "v1"))
    age(tmp_path)
    before, before_stats = snapshot(tmp_path), stats(tmp_path)
    new = {**many(300, "v2"), **{f"new/dir{i}/f.txt": b"new\n" for i in range(10)}}
    plan = make_plan(tmp_path, new, {}, INPUTS)
    monkeypatch.setattr(writer, "_write_temp", fail_after(305, exc))
    with pytest.raises(type(exc)):
        apply_plan(plan, tmp_path)
    assert snapshot(tmp_path) == before  # also: no temp files, no new directories
    assert stats(tmp_path) == before_stats


def test_failure_on_first_build_removes_the_created_output_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    plan = make_plan(out, V1, {}, INPUTS)
    monkeypatch.setattr(writer, "_write_temp", fail_after(2, OSError(5, "I/O error")))
    with pytest.raises(OSError, match="I/O error"):
        apply_plan(plan, out)
    assert not out.exists()


def test_sigterm_while_committing_is_held_until_the_commit_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, V1)
    real_rename = writer._rename
    sent = False

    def rename_then_signal(tmp: str, target: str) -> None:
        nonlocal sent
        real_rename(tmp, target)
        if not sent:
            sent = True
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(writer, "_rename", rename_then_signal)
    with pytest.raises(TerminatedError, match="after output/ was fully updated") as info:
        build(tmp_path, V2)
    assert info.value.exit_code == 143
    assert {p: (tmp_path / p).read_bytes() for p in V2} == V2
    assert not (tmp_path / "channels/old").exists()
    assert json.loads((tmp_path / MANIFEST_NAME).read_bytes())["files"].keys() == V2.keys()
    assert temps(tmp_path) == []


# --- real processes and real signals --------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from generator import writer
    from generator.plan import make_plan

    out, files_json, stage, after = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    files = {p: t.encode() for p, t in json.loads(Path(files_json).read_text()).items()}
    plan = make_plan(out, files, {}, {"tool": "0.1.0"})
    name = "_write_temp" if stage == "writing" else "_rename"
    real = getattr(writer, name)
    calls = 0

    def stalling(*args):
        global calls
        real(*args)
        calls += 1
        if calls == after:
            print(stage, flush=True)
            time.sleep(60)

    setattr(writer, name, stalling)
    try:
        writer.apply_plan(plan, out)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    except writer.TerminatedError as exc:
        print(exc.message, flush=True)
        sys.exit(exc.exit_code)
    print("finished", flush=True)
    """
)


def run_child(
    tmp_path: Path, out: Path, files: Mapping[str, bytes], stage: str, after: int
) -> subprocess.Popen[str]:
    files_json = tmp_path / "files.json"
    files_json.write_text(json.dumps({p: d.decode() for p, d in files.items()}))
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, str(script), str(out), str(files_json), stage, str(after)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    if line != stage:
        child.kill()
        child.wait()
        pytest.fail(f"child did not reach the {stage} stage: {line!r}")
    return child


@pytest.fixture
def big_output(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """output/ built from 2,000 files; the next set updates 1,800, creates 90, deletes 200."""
    out = tmp_path / "output"
    old = many(2000, "old")
    build(out, old)
    new = {p: d for p, d in many(2100, "new").items() if not p.endswith("0.txt")}
    return out, old, new


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "exit_code", "message"),
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "terminated (SIGTERM); output/ was not changed"),
    ],
)
def test_signal_while_preparing_leaves_output_byte_identical(
    tmp_path: Path,
    big_output: tuple[Path, dict[str, bytes], dict[str, bytes]],
    signum: int,
    exit_code: int,
    message: str,
) -> None:
    out, _old, new = big_output
    before = snapshot(out)
    child = run_child(tmp_path, out, new, "writing", after=1000)
    assert len(temps(out)) == 1000  # the interruption really is in the middle of phase 1
    child.send_signal(signum)
    stdout, _ = child.communicate(timeout=30)
    assert child.returncode == exit_code
    assert stdout.strip() == message
    assert temps(out) == []
    assert snapshot(out) == before


@pytest.mark.slow
def test_sigkill_while_committing_leaves_whole_files_and_the_next_build_repairs(
    tmp_path: Path, big_output: tuple[Path, dict[str, bytes], dict[str, bytes]]
) -> None:
    out, old, new = big_output
    old_manifest = (out / MANIFEST_NAME).read_bytes()
    child = run_child(tmp_path, out, new, "renaming", after=700)
    child.kill()
    child.wait(timeout=30)

    on_disk = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and TEMP_MARKER not in p.name and p.name != MANIFEST_NAME
    }
    renamed = [p for p, data in on_disk.items() if p in new and data == new[p]]
    assert len(renamed) == 700
    for path, data in on_disk.items():
        assert data in (old.get(path), new.get(path)), path  # wholly old or wholly new
    assert (out / MANIFEST_NAME).read_bytes() == old_manifest  # the manifest comes last
    assert temps(out)  # the not-yet-renamed temp files are left behind ...

    plan = make_plan(out, new, {}, {"tool": "0.1.0"})
    assert plan.user_owned == ()  # ... are never mistaken for user files ...
    assert len(plan.unchanged) == 700
    apply_plan(plan, out)
    assert temps(out) == []  # ... and the repair removes them
    assert snapshot(out) == {
        **{p: b"" for p in expected_tree(new) if p.endswith("/")},
        **new,
        MANIFEST_NAME: plan.new_manifest_bytes,
    }
    assert not make_plan(out, new, {}, {"tool": "0.1.0"}).has_changes
