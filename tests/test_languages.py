"""Languages: nynorsk is nynorsk, and a fourth language needs data and templates only."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT, snapshot

#: Bokmål forms that must never appear in nynorsk output (whole words, any case).
BOKMAL_MARKERS = ("ikke", "hva", "hvordan", "hvem", "hvis", "jeg", "svarer", "kommentarer",
                  "meldinger", "noen", "mye", "fra", "bare", "mer", "uke", "uken", "hverdager",
                  "opplysninger", "saksbehandling", "spørsmålene", "ansatte", "våre kanaler",
                  "bruker", "brukere", "hvor", "hver", "deres", "kommer", "gjelder")


def test_nynorsk_output_has_no_bokmal_forms() -> None:
    texts = {p: c.decode() for p, c in snapshot(ROOT / "output").items()
             if "/nn/" in f"/{p}" and p.endswith((".txt", ".md", ".html"))}
    assert texts, "no nynorsk output found"
    for path, text in texts.items():
        for marker in BOKMAL_MARKERS:
            found = re.search(rf"(?<![\w-]){re.escape(marker)}(?![\w-])", text, re.IGNORECASE)
            assert found is None, (f"bokmål form {marker!r} in {path}: "
                                   f"...{text[max(0, found.start() - 40):found.end() + 40]}...")


def test_nynorsk_templates_say_it_in_nynorsk() -> None:
    statement = (ROOT / "output/channels/facebook/nn/statement.md").read_text(encoding="utf-8")
    for word in ("ikkje", "brukar", "kommentarar", "korleis", "kva"):
        assert re.search(rf"\b{word}\b", statement), word


def test_a_fourth_language_needs_only_data_and_templates(tmp_path: Path, runner: CliRunner
                                                         ) -> None:
    project = tmp_path / "sami"
    shutil.copytree(ROOT / "tests/fixtures/sami", project)
    result = runner.invoke(main, ["build", "--config", str(project / "kanalprofil.yml")])
    assert result.exit_code == 0, result.output
    bio = (project / "output/channels/facebook/se/bio.txt").read_text(encoding="utf-8")
    # CLDR's Northern Sámi day names and plural forms, with no Python for the language
    assert bio.startswith("[se] Vuonaetáhta: 2 bargobeaivvi, vuossárga–bearjadat.")
    statement = (project / "output/channels/facebook/se/statement.md").read_text()
    assert "08:00–15:30" in statement
    html = (project / "output/channels/facebook/se/statement.html").read_text()
    assert '<html lang="se">' in html
    assert (project / "output/channels/facebook/en/statement.md").is_file()
