"""Files a rebuild takes from output/ stay there: read (and checked) only when asked for."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build
from generator.cli import main
from generator.errors import KanalprofilError, Problems
from generator.outputfiles import OutputFiles
from generator.project import load_project
from tests.conftest import copy_project


def _on_disk(tmp_path: Path, data: bytes) -> tuple[OutputFiles, Path]:
    file = tmp_path / "page.html"
    file.write_bytes(data)
    files = OutputFiles({"held.txt": b"held\n"})
    files.keep_on_disk("site/page.html", str(file), hashlib.sha256(data).hexdigest())
    return files, file


def test_a_file_kept_on_disk_reads_as_its_bytes(tmp_path: Path) -> None:
    files, _ = _on_disk(tmp_path, b"<p>Hei</p>\n")
    assert files["site/page.html"] == b"<p>Hei</p>\n"
    assert files.on_disk("site/page.html") and not files.on_disk("held.txt")
    assert sorted(files) == ["held.txt", "site/page.html"] and len(files) == 2
    assert files == {"held.txt": b"held\n", "site/page.html": b"<p>Hei</p>\n"}
    files["site/page.html"] = b"new\n"  # rendered after all: held from now on
    assert not files.on_disk("site/page.html") and files["site/page.html"] == b"new\n"
    del files["site/page.html"], files["held.txt"]
    assert len(files) == 0 and "held.txt" not in files


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_file_changed_after_the_build_checked_it_is_an_error(tmp_path: Path,
                                                               change: str) -> None:
    files, file = _on_disk(tmp_path, b"<p>Hei</p>\n")
    if change == "edit":
        file.write_bytes(b"<p>Hallo</p>\n")
    else:
        file.unlink()
    with pytest.raises(KanalprofilError, match="changed while kanalprofil was building"):
        files["site/page.html"]


def test_a_rebuild_holds_no_bytes_of_the_pages_it_takes_over(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    config = ["--config", str(root / "kanalprofil.yml")]
    assert CliRunner().invoke(main, ["build", *config]).exit_code == 0
    channel = sorted((root / "profiles" / "channels").glob("*.yml"))[0]
    channel.write_text(channel.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    result = build(project, problems=problems, reuse_from=project.output_dir)

    assert result.reuse is not None and result.reuse.reused
    taken = sorted(result.current)
    assert any(p.endswith(".html") for p in taken), "expected pages taken from output/"
    # texts and statements too: the preview and publishing use the objects rebuilt from
    # them, and a build that stages its files must not write them again
    assert any(p.endswith(".txt") for p in taken)
    assert all(result.files.on_disk(path) for path in taken)
    texts = {(t.channel, "+".join(t.languages), t.slot): t.text for t in result.texts}
    for path in taken:  # and what is on disk is what a build makes
        assert result.files[path] == (project.output_dir / path).read_bytes()
        parts = path.split("/")
        if path.endswith(".txt"):  # the text rebuilt from it is the file's
            assert texts[(parts[1], parts[2], parts[3][:-4])] + "\n" == \
                result.files[path].decode("utf-8")
    checked = CliRunner().invoke(main, ["check", *config])
    assert checked.exit_code == 1, checked.output  # the manifest must record its new hash
