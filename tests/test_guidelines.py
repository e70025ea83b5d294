"""The internal guidelines (retningslinjer): a document to circulate, in every language.

Generated next to the channel register as ``output/internal/<lang>/guidelines.md`` and
``.html``; the golden test (tests/test_golden.py) holds the example's exact text.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build
from generator.cli import main
from generator.errors import Problems
from generator.project import load_project
from tests.conftest import ROOT

OUTPUT = ROOT / "output"
LANGS = ("nb", "nn", "en")
#: Field names and values of the YAML that must never show through to a reader.
INTERNAL_WORDS = re.compile(
    r"last_reviewed|pilot_ends|take_part|business_days|public_holidays|premoderated|"
    r"report_platform|report_police|user_content|covers_messages|working_hours|"
    r"private_role|\bgo_to\b|\bowner:|\bNone\b|\bTrue\b|\bFalse\b|\{\{|\{%|\[\]")
#: The guide's reminders, in each language.
REMINDERS = {
    "en": ("Criticism is welcome", "Spam and harassment are not", "freedom of expression",
           "we must answer"),
    "nb": ("Kritikk er velkommen", "Spam og trakassering er det ikke", "ytringsfriheten",
           "vi må svare"),
    "nn": ("Kritikk er velkomen", "Spam og trakassering er det ikkje", "ytringsfridomen",
           "vi må svare"),
}
#: One heading per section the guide asks for, in each language.
SECTIONS = {
    "en": ("Why we use social media", "Who decides and who follows up",
           "Our channels, and what our promises take", "Removing posts, and keeping a log",
           "Archiving and record-keeping", "Private and professional role",
           "Language, tone and etiquette", "Working hours", "Remember"),
    "nb": ("Hvorfor vi bruker sosiale medier", "Hvem som bestemmer, og hvem som følger opp",
           "Kanalene våre, og hva løftene krever", "Fjerne innlegg og føre logg",
           "Arkivering og journalføring", "Privat og profesjonell rolle",
           "Språk, tone og etikette", "Arbeidstid", "Husk"),
    "nn": ("Kvifor vi brukar sosiale medium", "Kven som avgjer, og kven som følgjer opp",
           "Kanalane våre, og kva lovnadene krev", "Fjerne innlegg og føre logg",
           "Arkivering og journalføring", "Privat og profesjonell rolle",
           "Språk, tone og etikette", "Arbeidstid", "Hugs"),
}


def sections(markdown: str) -> dict[str, str]:
    """Each heading (any level) with the text up to the next heading."""
    parts = re.split(r"^(#{1,4} .+)$", markdown, flags=re.MULTILINE)
    return {parts[i].lstrip("# ").strip(): parts[i + 1].strip()
            for i in range(1, len(parts) - 1, 2)}


def assert_a_document(markdown: str, lang: str) -> None:
    assert markdown.startswith("# "), "no title"
    assert len(re.findall(r"^# ", markdown, flags=re.MULTILINE)) == 1
    found = sections(markdown)
    for heading, body in found.items():
        assert body, f"{lang}: empty section {heading!r}"
    match = INTERNAL_WORDS.search(markdown)
    assert match is None, f"{lang}: internal field name {match.group()!r} in the guidelines"


@pytest.mark.parametrize("lang", LANGS)
def test_example_guidelines_read_as_a_document(lang: str) -> None:
    markdown = (OUTPUT / f"internal/{lang}/guidelines.md").read_text(encoding="utf-8")
    assert_a_document(markdown, lang)
    headings = sections(markdown)
    for heading in SECTIONS[lang]:
        assert heading in headings, f"{lang}: no section {heading!r}"
    for reminder in REMINDERS[lang]:
        assert reminder in markdown, f"{lang}: reminder {reminder!r} missing"
    html = (OUTPUT / f"internal/{lang}/guidelines.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and "<h2>" in html and "<table>" in html


@pytest.mark.parametrize("lang", LANGS)
def test_guidelines_name_every_channel_and_owner(lang: str) -> None:
    problems = Problems()
    result = build(load_project(ROOT / "kanalprofil.yml", problems), problems=problems)
    assert result.profiles is not None
    markdown = result.files[f"internal/{lang}/guidelines.md"].decode()
    for channel in result.profiles.channels:
        assert channel.owner and channel.owner[lang] in markdown, channel.id
        assert channel.handle is None or channel.handle in markdown, channel.id
    # the people-written sections, in this language
    written = result.profiles.organisation.guidelines
    assert written is not None and written.tone is not None and written.private_role
    assert written.tone[lang] in markdown
    assert written.private_role[lang] in markdown


def test_guidelines_are_never_public() -> None:
    problems = Problems()
    result = build(load_project(ROOT / "kanalprofil.yml", problems), problems=problems)
    assert result.profiles is not None
    written = result.profiles.organisation.guidelines
    assert written is not None
    texts = [text for section in (written.goal, written.decisions, written.moderation,
                                  written.records, written.private_role, written.tone,
                                  written.working_hours) if section
             for text in section.values()]
    assert len(texts) == 7 * 3
    for path, content in result.files.items():
        if path.startswith(("channels/", "site/")):
            for text in texts:
                assert text[:60] not in content.decode(), f"guidelines text in {path}"
    assert sorted(p for p in result.files if "guidelines" in p) == [
        f"internal/{lang}/guidelines.{ext}" for lang in ("en", "nb", "nn")
        for ext in ("html", "md")]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_without_written_sections_the_document_has_no_empty_ones(in_project: Path,
                                                                   runner: CliRunner) -> None:
    org = in_project / "profiles/organisation.yml"
    text = org.read_text(encoding="utf-8")
    org.write_text(text[:text.index("# The internal guidelines")], encoding="utf-8")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    for lang in LANGS:
        markdown = (in_project / f"output/internal/{lang}/guidelines.md").read_text()
        assert_a_document(markdown, lang)
        headings = sections(markdown)
        assert {"Private and professional role", "Privat og profesjonell rolle"} \
            .isdisjoint(headings)
        # what the profiles say is still there, with a default logging routine
        for heading in (SECTIONS[lang][2], SECTIONS[lang][3], SECTIONS[lang][-1]):
            assert heading in headings
    en = (in_project / "output/internal/en/guidelines.md").read_text()
    assert "Note each removal: the date, the channel" in en


def test_a_channel_with_its_own_rules_lists_them_in_its_section(in_project: Path,
                                                                 runner: CliRunner) -> None:
    _edit(in_project / "profiles/channels/facebook.yml", "activity:",
          "moderation: {rules: [spam], actions: [hide]}\nactivity:")
    assert runner.invoke(main, ["build"]).exit_code == 0
    en = (in_project / "output/internal/en/guidelines.md").read_text()
    facebook = sections(en)["Facebook (fjordetaten)"]
    assert "- **We remove:** spam and repeated posts." in facebook
    assert "- **When a post breaks the rules:** we may hide; the same rules apply to direct " \
        "messages." in facebook
    assert "On every channel that takes comments or messages" not in en
    assert "We remove only what breaks a channel's rules, as listed above." in en


def test_a_language_without_a_guidelines_template_has_none(tmp_path: Path,
                                                           runner: CliRunner) -> None:
    project = tmp_path / "sami"
    shutil.copytree(ROOT / "tests/fixtures/sami", project)
    result = runner.invoke(main, ["build", "--config", str(project / "kanalprofil.yml")])
    assert result.exit_code == 0, result.output
    assert not (project / "output/internal/se/guidelines.md").exists()
    assert (project / "output/internal/en/guidelines.md").is_file()


def test_a_guidelines_section_must_cover_every_language(in_project: Path,
                                                        runner: CliRunner) -> None:
    org = in_project / "profiles/organisation.yml"
    text = org.read_text(encoding="utf-8")
    hours = text.index("  working_hours:")
    org.write_text(text[:text.index("    en: >-", hours)], encoding="utf-8")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert re.search(r"profiles/organisation\.yml:\d+:\d+: missing language\(s\): en",
                     result.stderr), result.stderr


def test_an_unknown_guidelines_section_is_an_error(in_project: Path,
                                                   runner: CliRunner) -> None:
    org = in_project / "profiles/organisation.yml"
    org.write_text(org.read_text(encoding="utf-8") + "  extra: {nb: x, nn: x, en: x}\n",
                   encoding="utf-8")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert "unknown key 'extra' (known keys: goal, decisions, moderation, records, " \
        "private_role, tone, working_hours)" in result.stderr
