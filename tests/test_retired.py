"""Retired and planned channels: closing texts in every language, and nothing public else."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.catalogue import load_catalogue
from generator.cli import main
from generator.errors import Problems
from generator.fitting import measure
from generator.model import Channel, Retirement
from generator.render import Renderer
from tests.conftest import ROOT

OUTPUT = ROOT / "output"
MANIFEST = json.loads((OUTPUT / ".kanalprofil-manifest.json").read_text(encoding="utf-8"))
CONTACT = {"nb": "https://fjordetaten.example/kontakt",
           "nn": "https://fjordetaten.example/nn/kontakt",
           "en": "https://fjordetaten.example/en/contact"}
BLUESKY = "https://bsky.app/profile/fjordetaten.bsky.social"
#: How each language's closing text starts (the longest variant says since when).
NO_LONGER = {"nb": ("Ikke i bruk",), "nn": ("Ikkje i bruk",),
             "en": ("We no longer post here", "We stopped posting here on ")}


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
@pytest.mark.parametrize("slot", ["bio", "pinned"])
def test_retired_closing_text_in_every_language_fits_x(lang: str, slot: str) -> None:
    path = f"channels/x/{lang}/{slot}.txt"
    text = (OUTPUT / path).read_text(encoding="utf-8").removesuffix("\n")
    # says it is closed, where to go instead, and where questions go
    assert text.startswith(NO_LONGER[lang]), text
    assert BLUESKY in text
    assert CONTACT[lang] in text
    entry = MANIFEST["files"][path]
    assert {"retired", "contact_route"} <= set(entry["commitments"])
    # measured again here, against the catalogue, not only as the manifest says
    catalogue = load_catalogue(None, "", Problems())
    limits = catalogue.platforms["x"].slots[slot].limits
    assert limits
    for result in measure(text, limits):
        assert result.fits, f"{path}: {result.count} > {result.limit} ({result.rule})"


def test_retired_channel_has_no_statement_and_leaves_the_overview() -> None:
    assert not list((OUTPUT / "channels/x").glob("*/statement.*"))
    for lang in ("nb", "nn", "en"):
        overview = (OUTPUT / f"site/{lang}/overview.md").read_text(encoding="utf-8")
        assert "x.com" not in overview and "/channels/x/" not in overview
        register = (OUTPUT / f"internal/{lang}/channels.md").read_text(encoding="utf-8")
        assert "| x |" in register


def test_planned_channel_has_no_public_text() -> None:
    assert not (OUTPUT / "channels/threads").exists()
    for lang in ("nb", "nn", "en"):
        overview = (OUTPUT / f"site/{lang}/overview.md").read_text(encoding="utf-8")
        assert "threads" not in overview.lower()


def test_a_retired_bilingual_profile_keeps_its_own_languages_and_gets_each_one() -> None:
    channel = Channel(id="old", platform="x", url="https://x.com/old", languages=("nb", "en"),
                      status="retired", retired=Retirement(date=dt.date(2025, 1, 31)))
    assert Renderer.profile_languages(channel, ("nb", "nn", "en")) == [
        ("nb", "en"), ("nb",), ("nn",), ("en",)]
    live = Channel(id="live", platform="x", url="https://x.com/live", languages=("nb",))
    assert Renderer.profile_languages(live, ("nb", "nn", "en")) == [("nb",)]


def test_retired_without_successor_points_to_the_website(in_project: Path, runner: CliRunner
                                                         ) -> None:
    x = in_project / "profiles/channels/x.yml"
    x.write_text(x.read_text(encoding="utf-8").replace(
        'retired: {date: "2025-01-31", successor: bluesky}', 'retired: {date: "2025-01-31"}'),
        encoding="utf-8")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert "retired-no-successor" in result.stderr
    for lang, site in (("nb", "https://fjordetaten.example"),
                       ("nn", "https://fjordetaten.example/nn"),
                       ("en", "https://fjordetaten.example/en")):
        bio = (in_project / f"output/channels/x/{lang}/bio.txt").read_text(encoding="utf-8")
        assert site in bio and BLUESKY not in bio


def test_show_prints_the_closing_text_in_another_language(in_project: Path,
                                                          runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "x", "--lang", "nn"])
    assert result.exit_code == 0, result.output
    assert result.output == (OUTPUT / "channels/x/nn/bio.txt").read_text(encoding="utf-8")
