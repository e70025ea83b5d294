"""The preview page (output/index.html) and the pages around it, without a browser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.build import build
from generator.catalogue import load_catalogue
from generator.cli import main
from generator.errors import Problems
from generator.model import STATUSES
from generator.preview import Meter, build_cards, split_languages
from generator.previewwords import PREVIEW_WORDS, preview_words
from generator.project import load_project
from generator.templating import Templates
from generator.texts import Text
from tests.conftest import ROOT, snapshot


def _build(root: Path) -> dict[str, bytes]:
    problems = Problems()
    return dict(build(load_project(root / "kanalprofil.yml", problems), problems=problems).files)


class _Collector(HTMLParser):
    """Tags, scripts, and the text content of each element with ``data-text`` (what the
    page's copy buttons copy)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.shown: dict[str, str] = {}
        self._in_script = False
        self._open: list[str | None] = []  # per open element: its data-text, if any

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        key = dict(attrs).get("data-text")
        if tag not in ("br", "meta", "link", "input", "img"):  # void elements never close
            self._open.append(key)
        if key is not None:
            self.shown[key] = ""

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        for key in self._open:
            if key is not None:
                self.shown[key] += data


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    return parser


def test_preview_has_a_card_per_channel_and_profile_language() -> None:
    problems = Problems()
    result = build(load_project(ROOT / "kanalprofil.yml", problems), problems=problems)
    html = result.files["index.html"].decode()
    expected = sorted({f"{t.channel}-{'-'.join(t.languages)}" for t in result.texts})
    found = sorted(re.findall(r'<article class="card[^"]*" id="card-([^"]+)"', html))
    assert found == expected
    parsed = _parse(html)
    txt_files = {p: c.decode()[:-1] for p, c in result.files.items() if p.endswith(".txt")}
    # a copy button copies the text content of the element showing its text
    assert parsed.shown == txt_files, "the copy buttons must copy exactly the .txt files"
    buttons = [str(a["data-copy"]) for tag, a in parsed.tags
               if tag == "button" and "data-copy" in a]
    assert sorted(buttons) == sorted(txt_files)
    assert "threads" in html.split("Planlagte kanaler")[1]  # planned: listed, no card


def test_preview_is_deterministic_and_makes_no_network_requests() -> None:
    first = _build(ROOT)["index.html"]
    assert first == _build(ROOT)["index.html"]
    parsed = _parse(first.decode())
    for tag, attrs in parsed.tags:
        assert tag not in ("img", "iframe", "link", "object", "embed"), tag
        if tag == "script":
            assert "src" not in attrs
    assert "@import" not in first.decode() and "url(" not in first.decode()


def test_meter_says_over_limit_in_words_not_only_colour() -> None:
    templates = Templates(None)
    problems = Problems()
    catalogue = load_catalogue(ROOT / "profiles/platforms.yml", "platforms.yml", problems)
    project = load_project(ROOT / "kanalprofil.yml", problems)
    result = build(project, problems=problems)
    assert result.profiles is not None
    too_long = Text("facebook", "facebook", "bio", ("nb",), "x" * 103, (),
                    (("strictest", 103, 100),), (0,))
    cards = build_cards([too_long], [], result.profiles, catalogue.platforms,
                        {"nb": "Fjordetaten"})
    assert cards[0].over and cards[0].slots["bio"].meters[0] == Meter("strictest", 103, 100)
    words = preview_words({})
    html = templates.get("preview.html.j2").render({
        "lang": "en", "title": "t", "organisation": "o", "cards": cards, "ui": words,
        "intro": "", "statuses": {s: s for s in STATUSES}, "script_words": {},
        "filters": {"platform": [], "language": [], "status": []}, "overviews": [],
        "planned": [], "over": 1, "summary": "1 over the limit"})
    assert "103 / 100" in html
    assert "over limit by 3" in html
    assert 'class="meter over"' in html
    assert "characters (strictest count)" in html


def test_bilingual_text_is_split_for_lang_attributes() -> None:
    assert split_languages("Hei / Hello", ("nb", "en"), " / ") == (
        ("nb", "Hei"), ("", " / "), ("en", "Hello"))
    assert split_languages("a / b / c", ("nb", "en"), " / ") == (("", "a / b / c"),)


def test_profile_values_are_escaped_and_markdown_is_sanitised(
        project: Path, runner: CliRunner) -> None:
    profile = project / "profiles/channels/facebook.yml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace("alle som bor eller ferdes langs kysten",
                        "'<script>x()</script>'")
    text = text.replace("everyone who lives on or travels along the coast",
                        "'[us](javascript:alert(1)) <img src=x onerror=y>'")
    profile.write_text(text, encoding="utf-8")
    files = _build(project)
    for path, content in files.items():
        if path.endswith(".html"):
            parsed = _parse(content.decode())
            assert not any("x()" in script for script in parsed.scripts
                           if not script.lstrip().startswith("{")), path
            for tag, attrs in parsed.tags:
                assert tag != "img", path
                assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
                assert not (attrs.get("href") or "").startswith("javascript"), path
    preview = files["index.html"].decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in preview
    # the copy buttons copy the text as shown: the markup as text, never as markup
    assert "<script>x()" in "".join(_parse(preview).shown.values())
    assert "<script>x()" not in preview


def test_overview_pages_link_every_other_language_with_lang_attributes() -> None:
    files = _build(ROOT)
    for lang in ("nb", "nn", "en"):
        html = files[f"site/{lang}/overview.html"].decode()
        assert f'<html lang="{lang}">' in html
        parsed = _parse(html)
        links = {a.get("hreflang"): a for tag, a in parsed.tags if tag == "a" and a.get("hreflang")}
        assert set(links) == {"nb", "nn", "en"} - {lang}
        for code, attrs in links.items():
            assert attrs["lang"] == code
            assert attrs["href"] == f"../{code}/overview.html"
        assert [t for t, _ in parsed.tags].count("h1") == 1
        assert "tiktok" in html.lower() and "threads" not in html.lower()


def test_english_overview_has_purpose_activity_answers_and_shared_rules() -> None:
    md = _build(ROOT)["site/en/overview.md"].decode()
    assert "**What it is for:**" in md
    assert "**How active we are:** we post three to five times a week" in md
    assert "we answer within four hours. We keep an eye on the channel every day" in md
    assert "**Trial:**" in md
    assert "## The same rules everywhere" in md
    assert "In an emergency, call 112." in md


def test_filtered_build_leaves_the_preview_alone(in_project: Path, runner: CliRunner) -> None:
    before = (in_project / "output/index.html").read_bytes()
    result = runner.invoke(main, ["build", "--channel", "facebook"])
    assert result.exit_code == 0, result.output
    assert (in_project / "output/index.html").read_bytes() == before


def _preview(project: Path, runner: CliRunner) -> str:
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    return (project / "output" / "index.html").read_text(encoding="utf-8")


def test_preview_speaks_the_first_language_built_unless_told_otherwise(
        in_project: Path, runner: CliRunner) -> None:
    nb = (ROOT / "output" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in nb
    for words in ("Alle plattformer", ">Kopier<", "Slik bruker vi kanalen", "Aktiv",
                  "Norsk nynorsk", "tegn (strengeste telling)", "Viser {count} av"):
        assert words in nb, words
    assert "All platforms" not in nb and ">Copy<" not in nb
    config = in_project / "kanalprofil.yml"
    config.write_text(config.read_text(encoding="utf-8") + "preview_language: nn\n",
                      encoding="utf-8")
    nn = _preview(in_project, runner)
    assert '<html lang="nn">' in nn
    for words in ("Alle plattformer", "Slik brukar vi kanalen", "teikn (strengaste teljing)",
                  "Førehandsvising av profilane: Fjordetaten"):
        assert words in nn, words
    config.write_text(config.read_text(encoding="utf-8").replace(
        "preview_language: nn", "preview_language: en"), encoding="utf-8")
    en = _preview(in_project, runner)
    assert '<html lang="en">' in en
    for words in ("All platforms", ">Copy<", "Expectation statement", "Active",
                  "Norwegian Nynorsk", "characters (strictest count)",
                  "Profile preview: The Norwegian Fjord Agency"):
        assert words in en, words
    # Only the preview's own words changed: every text and statement is as before.
    assert nb.count('data-copy="') == en.count('data-copy="')


def test_a_preview_language_the_project_does_not_build_is_an_error(
        in_project: Path, runner: CliRunner) -> None:
    config = in_project / "kanalprofil.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join([*lines, "preview_language: de"]) + "\n", encoding="utf-8")
    before = snapshot(in_project / "output")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"kanalprofil.yml:{len(lines) + 1}:19: " \
        "preview_language 'de' is not a language this project builds (use one of: nb, nn, en)"
    assert snapshot(in_project / "output") == before


def test_missing_preview_words_fall_back_to_english_key_by_key() -> None:
    words = preview_words({"preview": {"copy_button": "Kopier", "slots": {"bio": "Om"},
                                       "rules": "not a table", "title": 3}})
    assert words["copy_button"] == "Kopier"
    assert words["slots"] == {**PREVIEW_WORDS["slots"], "bio": "Om"}
    assert words["rules"] == PREVIEW_WORDS["rules"]
    assert words["title"] == PREVIEW_WORDS["title"]
    assert preview_words({}) == {k: dict(v) if isinstance(v, dict) else v
                                 for k, v in PREVIEW_WORDS.items()}


def test_a_counted_phrase_given_as_one_string_serves_every_form() -> None:
    # a language file written before "showing" had plural forms
    words = preview_words({"preview": {"showing": "Viser {count} av {total}."}})
    assert words["showing"] == {"one": "Viser {count} av {total}.",
                                "other": "Viser {count} av {total}."}


def test_summary_counts_in_the_language_s_plural_forms() -> None:
    import yaml

    from generator.localise import make_localiser
    from generator.preview import _counted

    words = yaml.safe_load((ROOT / "templates/nn/language.yml").read_text(encoding="utf-8"))
    nn = preview_words(words)
    localiser = make_localiser("nn", words)
    assert _counted(localiser, 1, nn["profiles"]) == "1 profil"
    assert _counted(localiser, 12, nn["profiles"]) == "12 profilar"
    assert _counted(localiser, 5000, nn["texts"]) == "5\u00a0000 tekstar"
    assert _counted(None, 1, PREVIEW_WORDS["texts"]) == "1 text"
    html = (ROOT / "output" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'id="shown" role="status">11 profiler, \d+ tekster, ingen over grensen\.<',
                     html)


def test_statements_rendered_now_are_kept_for_the_preview_as_compressed_html() -> None:
    """Until the preview, a rendered statement is its HTML, compressed, and the path of
    its Markdown in the build's files: not both texts, which were a third of the peak."""
    from generator.outputfiles import OutputFiles
    from generator.texts import Statement, StoredStatement, stored

    markdown = "# Slik bruker vi Facebook\n\nVi svarer «raskt» – på hverdager.\n" * 20
    html = "<h1>Slik bruker vi Facebook</h1>\n<p>Vi svarer «raskt» – på hverdager.</p>" * 20
    files = OutputFiles({"channels/fb/nb/statement.md": markdown.encode("utf-8")})
    statement = Statement("fb", "nb", markdown, ("casework",), html)
    kept = stored(statement, files)
    assert isinstance(kept, StoredStatement) and not hasattr(kept, "html")  # no str kept
    assert kept.packed_html is not None and len(kept.packed_html) < len(html) / 5
    assert kept.known_html() == html
    assert kept.markdown == markdown and kept.path == statement.path
    assert kept == stored(kept, files) and (kept.channel, kept.commitments) == (
        "fb", ("casework",))


def test_a_build_keeps_no_statement_text_in_memory_until_the_preview(tmp_path: Path) -> None:
    from generator.texts import StoredStatement
    from tests.conftest import copy_project

    root = copy_project(tmp_path / "project", with_output=False)
    problems = Problems()
    result = build(load_project(root / "kanalprofil.yml", problems), problems=problems)
    assert result.statements
    for statement in result.statements:
        assert isinstance(statement, StoredStatement)
        assert statement.packed_html is None and statement.known_html() is None  # preview done
        assert statement.markdown.encode("utf-8") == result.files[statement.path]


def test_a_preview_template_that_names_texts_gets_every_text(tmp_path: Path) -> None:
    """The built-in preview does not ask for ``texts`` (so a rebuild need not read them
    back); a project's own template that does still gets every text by its path."""
    from tests.conftest import copy_project

    root = copy_project(tmp_path / "project", with_output=False)
    template = root / "templates/preview.html.j2"
    source = template.read_text(encoding="utf-8")
    assert "texts" not in Templates(ROOT / "templates").undeclared("preview.html.j2")
    template.write_text(source.replace(
        "</body>", '<script type="application/json" id="all-texts">{{ texts | tojson }}'
        "</script>\n</body>"), encoding="utf-8")
    files = _build(root)
    html = files["index.html"].decode()
    embedded = html.split('<script type="application/json" id="all-texts">')[1]
    texts = json.loads(embedded.split("</script>")[0])
    assert texts == {p: c.decode()[:-1] for p, c in files.items() if p.endswith(".txt")}


def test_statements_are_inline_up_to_the_threshold_and_linked_above_it() -> None:
    from generator.preview import INLINE_STATEMENTS_MAX, inline_statements

    assert inline_statements("auto", INLINE_STATEMENTS_MAX)
    assert not inline_statements("auto", INLINE_STATEMENTS_MAX + 1)
    assert inline_statements("inline", 100_000)
    assert not inline_statements("linked", 1)


def _statement_links(html: str) -> list[str]:
    return re.findall(r'<a href="(channels/[^"]+/statement\.html)">', html)


def test_linked_statements_leave_only_links_and_switching_back_gives_the_same_page(
        in_project: Path, runner: CliRunner, monkeypatch: Any) -> None:
    """The mode is part of every card's fragment key: after an inline build fills the
    cache, a linked build must not take its cards from there, nor the other way round."""
    import generator.preview

    inline = _preview(in_project, runner)  # the example, 10 channels: inline
    assert inline.count('<div class="statement" lang=') == len(_statement_links(inline)) > 0
    config = in_project / "kanalprofil.yml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "preview_statements: linked\n", encoding="utf-8")
    linked = _preview(in_project, runner)
    assert '<div class="statement"' not in linked and "<details>" not in linked
    assert _statement_links(linked) == _statement_links(inline)
    for path in _statement_links(linked):  # every link leads to a page that is there
        assert (in_project / "output" / path).is_file()
    assert len(linked) < len(inline) / 2
    # auto above the threshold is the same page as linked
    monkeypatch.setattr(generator.preview, "INLINE_STATEMENTS_MAX", 5)
    config.write_text(original + "preview_statements: auto\n", encoding="utf-8")
    assert _preview(in_project, runner) == linked
    config.write_text(original, encoding="utf-8")
    monkeypatch.setattr(generator.preview, "INLINE_STATEMENTS_MAX", 200)
    assert _preview(in_project, runner) == inline
    assert (in_project / "output" / "index.html").read_bytes() \
        == (ROOT / "output" / "index.html").read_bytes()


def test_statements_the_preview_links_to_keep_no_html(tmp_path: Path, monkeypatch: Any
                                                      ) -> None:
    """Linked, the preview never asks for a statement's HTML, so none is kept for it."""
    import generator.texts
    from tests.conftest import copy_project

    root = copy_project(tmp_path / "project", with_output=False)
    config = root / "kanalprofil.yml"
    config.write_text(config.read_text(encoding="utf-8") + "preview_statements: linked\n",
                      encoding="utf-8")
    kept: list[bool] = []
    original = generator.texts.stored

    def recording(statement: Any, files: Any, *, html: bool = True) -> Any:
        made = original(statement, files, html=html)
        kept.append(made.packed_html is not None)
        return made

    monkeypatch.setattr("generator.rendering.stored", recording)
    problems = Problems()
    result = build(load_project(config, problems), problems=problems)
    assert kept and not any(kept)
    assert len(result.statements) == len(kept)
