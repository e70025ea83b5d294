"""Languages: nynorsk is nynorsk, and a fourth language needs data and templates only."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

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
            context = text[max(0, found.start() - 40):found.end() + 40] if found else ""
            assert found is None, f"bokmål form {marker!r} in {path}: ...{context}..."


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


def test_response_times_write_small_numbers_in_words() -> None:
    import yaml

    from generator.localise import make_localiser

    def localiser(lang: str) -> Any:
        words = yaml.safe_load((ROOT / f"templates/{lang}/language.yml").read_text("utf-8"))
        return make_localiser(words["locale"], words)

    nb, nn, en = localiser("nb"), localiser("nn"), localiser("en")
    assert nb.duration(1, "business_days") == "én arbeidsdag"
    assert nb.duration(2, "business_days") == "to arbeidsdager"
    assert nn.duration(4, "hours") == "fire timar"
    assert en.duration(1, "business_days") == "one working day"
    assert en.duration(12, "hours") == "twelve hours"
    assert nb.duration(13, "business_days") == "13 arbeidsdager"  # past the words: digits
    assert nb.duration(48, "hours") == "48 timer"
