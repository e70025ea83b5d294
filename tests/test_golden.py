"""The bundled example's committed output/ is exactly what a build produces (golden test)."""

from __future__ import annotations

from pathlib import Path

from generator.build import build
from generator.errors import Problems
from generator.project import load_project
from tests.conftest import ROOT, snapshot


def test_committed_output_matches_a_fresh_build(tmp_path: Path) -> None:
    problems = Problems()
    project = load_project(ROOT / "kanalprofil.yml", problems)
    result = build(project, problems=problems)
    committed = snapshot(ROOT / "output")
    generated = {path: content for path, content in committed.items()
                 if path in result.files}
    assert sorted(result.files) == sorted(
        p for p in committed if not p.startswith(".kanalprofil")), \
        "output/ lists other files than a build makes: run `make build` and commit"
    for path, content in result.files.items():
        assert generated[path] == content, f"{path} differs: run `make build` and commit"


def test_every_file_is_deterministic_text() -> None:
    for path, content in snapshot(ROOT / "output").items():
        text = content.decode("utf-8")
        assert text.endswith("\n"), path
        assert "\r" not in text, path
        import unicodedata

        assert unicodedata.is_normalized("NFC", text), path
