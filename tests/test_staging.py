"""``build`` writes files while it renders (generator/staging.py), with the writer's promises:
the same output as writing at the end, and output/ untouched by a build that fails or is
stopped after files were staged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generator import writer
from generator.build import build, write_result
from generator.cli import main
from generator.errors import KanalprofilError, Problems
from generator.outputfiles import OutputFiles
from generator.plan import TEMP_MARKER, make_plan
from generator.project import load_project
from generator.staging import Stager, staging
from generator.writer import apply_plan
from tests.conftest import ROOT, copy_project
from tests.test_writer import INPUTS, snapshot


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if TEMP_MARKER in p.name]


def _force_rerender(project: Path) -> None:
    """Change the organisation file, so every channel and page is rendered (and staged)."""
    org = project / "profiles" / "organisation.yml"
    org.write_text(org.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")


def test_a_staged_build_writes_what_an_unstaged_one_writes(tmp_path: Path) -> None:
    staged_root = copy_project(tmp_path / "staged", with_output=False)
    plain_root = copy_project(tmp_path / "plain", with_output=False)
    staged_project = load_project(staged_root / "kanalprofil.yml", Problems())
    with staging(staged_project.output_dir) as stager:
        assert stager is not None
        result = build(staged_project, stager=stager)
        assert result.files.held() == []  # every file went to disk: no bytes kept
        assert len(stager.staged) == len(result.files)
        assert _temps(staged_project.output_dir)  # written before the writer ran
        _, applied = write_result(staged_project, result, stager=stager)
    plain_project = load_project(plain_root / "kanalprofil.yml", Problems())
    write_result(plain_project, build(plain_project))
    assert len(applied.created) == len(result.files)
    assert snapshot(staged_project.output_dir) == snapshot(plain_project.output_dir)
    assert snapshot(staged_project.output_dir) == snapshot(ROOT / "output")


def test_build_command_stages_only_changed_files_and_a_rebuild_writes_nothing(
        in_project: Path, runner: CliRunner) -> None:
    output = in_project / "output"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in output.rglob("*.*")}
    _force_rerender(in_project)
    (in_project / "templates" / "nb" / "statement.md.j2").open("a").write("\nNy linje.\n")
    first = runner.invoke(main, ["build"])
    assert first.exit_code == 0, first.output
    changed = {p for p, stat in before.items() if (p.stat().st_ino, p.stat().st_mtime_ns) != stat}
    # the nb statements, and the preview, which shows them
    updated = {p for p in before if p.parent.name == "nb" and p.stem == "statement"}
    updated.add(output / "index.html")
    assert len(updated) > 2
    assert changed == updated | {output / ".kanalprofil-manifest.json"}
    assert f"{len(updated)} updated" in first.output
    second = runner.invoke(main, ["build"])
    assert "nothing written" in second.output
    assert _temps(output) == []


def test_a_build_that_fails_after_staging_leaves_output_byte_identical(
        in_project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.preview

    (in_project / "templates" / "nb" / "statement.md.j2").open("a").write("\nNy linje.\n")
    output = in_project / "output"
    before = snapshot(output)
    staged: list[int] = []
    real_stage = Stager.stage

    def stage(self: Stager, files: OutputFiles) -> None:
        real_stage(self, files)
        staged.append(len(self.staged))

    def broken_preview(*args: object, **kwargs: object) -> None:
        assert _temps(output), "channels were staged before the preview"
        raise KanalprofilError("the preview broke")

    monkeypatch.setattr(Stager, "stage", stage)
    monkeypatch.setattr(generator.preview, "add_preview", broken_preview)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert "the preview broke" in result.output
    assert staged and staged[-1] > 0
    assert snapshot(output) == before  # no temp file, no new directory, no file changed


def test_a_failed_first_build_leaves_no_output_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.preview

    project = load_project(copy_project(tmp_path / "p", with_output=False) / "kanalprofil.yml",
                           Problems())

    def broken_preview(*args: object, **kwargs: object) -> None:
        raise KanalprofilError("the preview broke")

    monkeypatch.setattr(generator.preview, "add_preview", broken_preview)
    with pytest.raises(KanalprofilError), staging(project.output_dir) as stager:
        build(project, stager=stager)
    assert not project.output_dir.exists()


def test_stager_writes_only_what_differs_and_keeps_file_modes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    apply_plan(make_plan(out, {"a/same.txt": b"same\n", "a/old.txt": b"old\n"}, {}, INPUTS),
               out)
    (out / "a" / "old.txt").chmod(0o600)
    (tmp_path / "elsewhere").mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    wanted = {"a/same.txt": b"same\n", "a/old.txt": b"new\n", "b/c/new.txt": b"created\n"}
    files = OutputFiles({**wanted, "link/escape.txt": b"no\n"})
    stager = Stager(out)
    stager.stage(files)
    assert stager.staged["a/same.txt"].temp is None  # equal bytes: nothing written
    temp = stager.staged["a/old.txt"].temp
    assert temp is not None
    assert Path(temp).read_bytes() == b"new\n"
    assert Path(temp).stat().st_mode & 0o777 == 0o600
    assert files.held() == ["link/escape.txt"]  # through a symlink: left to the plan
    assert files["b/c/new.txt"] == b"created\n"  # still readable, from the temp file
    with pytest.raises(KanalprofilError, match="symlink"):
        make_plan(out, files, {}, INPUTS, staged=stager.staged, disk=stager.disk)
    stager.discard()
    assert _temps(out) == []
    assert not (out / "b").exists()

    files = OutputFiles(wanted)
    stager = Stager(out)
    stager.stage(files)
    plan = make_plan(out, files, {}, INPUTS, staged=stager.staged, disk=stager.disk)
    assert [c.path for c in plan.creates] == ["b/c/new.txt"]
    assert [c.path for c in plan.updates] == ["a/old.txt"]
    assert "a/same.txt" in plan.unchanged
    apply_plan(plan, out)
    stager.finish()
    assert (out / "a" / "old.txt").read_bytes() == b"new\n"
    assert (out / "a" / "old.txt").stat().st_mode & 0o777 == 0o600
    assert _temps(out) == []
    assert not make_plan(out, wanted, {}, INPUTS).has_changes


def test_a_stager_that_cannot_write_leaves_the_files_to_the_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "output"
    real = writer._write_temp
    calls = 0

    def full_disk(tmp: str, data: bytes, mode: int | None) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        real(tmp, data, mode)

    monkeypatch.setattr(writer, "_write_temp", full_disk)
    files = OutputFiles({f"f{i}.txt": f"{i}\n".encode() for i in range(4)})
    stager = Stager(out)
    stager.stage(files)
    assert stager.off
    assert sorted(stager.staged) == ["f0.txt"]
    assert files.held() == ["f1.txt", "f2.txt", "f3.txt"]
    plan = make_plan(out, files, {}, INPUTS, staged=stager.staged, disk=stager.disk)
    apply_plan(plan, out)
    stager.finish()
    assert sorted(p.name for p in out.iterdir()) == [
        ".kanalprofil-manifest.json", "f0.txt", "f1.txt", "f2.txt", "f3.txt"]


CHILD = textwrap.dedent(
    """
    import sys, time
    from generator import writer
    from generator.cli import main

    real, calls = writer._write_temp, 0

    def stalling(*args):
        global calls
        real(*args)
        calls += 1
        if calls == 5:
            print("staging", flush=True)
            time.sleep(60)

    writer._write_temp = stalling
    sys.exit(main(["build"], prog_name="kanalprofil"))
    """
)


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_staging_leaves_output_byte_identical(
        project: Path, tmp_path: Path, signum: int, exit_code: int) -> None:
    _force_rerender(project)
    (project / "templates" / "en" / "statement.md.j2").open("a").write("\nOne more line.\n")
    before = snapshot(project / "output")
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KANALPROFIL_JOBS": "1"}
    child = subprocess.Popen([sys.executable, str(script)], cwd=project, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    if line != "staging":
        child.kill()
        pytest.fail(f"the build did not reach staging: {line!r} {child.communicate()}")
    assert len(_temps(project / "output")) == 5  # really in the middle of staging
    child.send_signal(signum)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == exit_code, stderr
    assert "Traceback" not in stderr
    assert snapshot(project / "output") == before


def test_a_file_staged_again_is_written_with_its_last_bytes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    stager = Stager(out)
    files = OutputFiles({"a.txt": b"first\n"})
    stager.stage(files)
    files["a.txt"] = b"second\n"  # held again, e.g. rendered once more
    stager.stage(files)
    plan = make_plan(out, files, {}, INPUTS, staged=stager.staged, disk=stager.disk)
    apply_plan(plan, out)
    stager.finish()
    assert (out / "a.txt").read_bytes() == b"second\n"
    assert _temps(out) == []


PIECES = st.lists(st.text(alphabet=st.sampled_from("ae\u0301\u0323\u00e9\u1100\u1161\r\n ø")
                          | st.characters(codec="utf-8"), max_size=12), max_size=12)


@given(PIECES)
def test_a_page_staged_piece_by_piece_is_what_pieces_bytes_makes(pieces: list[str]) -> None:
    import tempfile

    import generator.outputtext
    from generator.outputtext import pieces_bytes

    saved = generator.outputtext._BATCH
    generator.outputtext._BATCH = 2  # many seams between batches, as a large page has
    try:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "output"
            files = OutputFiles()
            stager = Stager(out)
            stager.stage_pieces(files, "index.html", iter(pieces))
            assert files.held() == [] and files.on_disk("index.html")
            assert files["index.html"] == pieces_bytes(pieces)
            stager.discard()
            assert not out.exists()
    finally:
        generator.outputtext._BATCH = saved


def test_a_page_staged_piece_by_piece_is_written_only_when_it_differs(tmp_path: Path) -> None:
    out = tmp_path / "output"
    apply_plan(make_plan(out, {"index.html": b"<p>old</p>\n"}, {}, INPUTS), out)
    (out / "index.html").chmod(0o640)
    stager = Stager(out)
    files = OutputFiles()
    stager.stage_pieces(files, "index.html", iter(["<p>", "old", "</p>"]))
    assert stager.staged["index.html"].temp is None and _temps(out) == []
    stager.stage_pieces(files, "index.html", iter(["<p>", "new", "</p>"]))
    temp = stager.staged["index.html"].temp
    assert temp is not None and Path(temp).read_bytes() == b"<p>new</p>\n"
    assert Path(temp).stat().st_mode & 0o777 == 0o640
    plan = make_plan(out, files, {}, INPUTS, staged=stager.staged, disk=stager.disk)
    apply_plan(plan, out)
    stager.finish()
    assert (out / "index.html").read_bytes() == b"<p>new</p>\n"
    assert _temps(out) == []


def test_a_page_that_cannot_be_staged_fails_the_build_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.staging

    out = tmp_path / "output"
    apply_plan(make_plan(out, {"index.html": b"<p>old</p>\n"}, {}, INPUTS), out)
    before = snapshot(out)

    def full_disk(tmp: str, pieces: object, mode: int | None) -> tuple[str, int]:
        Path(tmp).write_bytes(b"<p>half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generator.staging, "_write_pieces", full_disk)
    with pytest.raises(KanalprofilError, match=r"could not write output/index\.html: No space"), \
            staging(out) as stager:
        assert stager is not None
        stager.stage_pieces(OutputFiles(), "index.html", iter(["<p>new</p>"]))
    assert snapshot(out) == before
