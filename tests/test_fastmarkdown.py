"""The shortcut for plain chunks gives exactly Python-Markdown's HTML, or declines."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.fastmarkdown import fast_html
from generator.markup import chunks
from tests.conftest import ROOT


def _python_markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"], output_format="html")


def _assert_exact_or_declined(chunk: str) -> bool:
    made = fast_html(chunk)
    if made is not None:
        assert made == _python_markdown(chunk), repr(chunk)
    return made is not None


def _chunks_of(paths: list[Path]) -> list[str]:
    return [part for path in paths
            for part in chunks(path.read_text(encoding="utf-8")) if part.strip()]


def test_every_chunk_of_the_committed_output() -> None:
    found = _chunks_of(sorted((ROOT / "output").rglob("*.md")))
    taken = sum(_assert_exact_or_declined(chunk) for chunk in found)
    assert taken >= 0.9 * len(found)  # the shortcut is what converts them, not a no-op


def test_every_chunk_of_the_benchmark_organisation(tmp_path: Path) -> None:
    """Hundreds of channels on every platform, with handles, retirements, bilingual texts."""
    from bench.synth import generate
    from generator.build import build, write_result
    from generator.errors import Problems
    from generator.project import load_project

    root = generate(tmp_path / "org", 60)
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    write_result(project, build(project, problems=problems))
    found = _chunks_of(sorted((root / "output").rglob("*.md")))
    taken = sum(_assert_exact_or_declined(chunk) for chunk in found)
    assert taken >= 0.9 * len(found)


@pytest.mark.parametrize("chunk", [
    "## Heading\xa0",  # Python-Markdown strips a heading's Unicode spaces
    "- a\n\n- b",  # one loose list: items get paragraphs
    "Title\n=====", "Text\n---", "1. first", "> quote", "    code", "* star",
    "_emphasis_", "a **b*", "a ** b **", "**a\nb**", "[a]: https://example.org",
    "[ref] text", "see [x][ref]", "![image](x.png)", "a & b", "a < b", "a\\*b",
    "`code`", "line  \nbreak", "| a | b |\n| :-- | --- |\n| 1 | 2 |",
    "| a | b |\n| --- | --- |\n| 1 |", "| a | b |\n| --- | --- |", "a | b\n--- | ---",
    "[a](https://example.org \"title\")", "[ a ](u)", "## #tag", "#Heading",
    "- - nested", "- 1. ordered", "A\n- item", "\n\nA", "Text\n\n\n\nMore",
])
def test_what_it_does_not_model_is_declined(chunk: str) -> None:
    assert fast_html(chunk) is None


def test_what_the_templates_make_is_taken() -> None:
    chunk = ("## Spørsmål og svar\n\nVi svarer **raskt** på [nettsiden](https://x.no/a?b=c)."
             "\nLinje to med fjordetaten_vest.\n\n- **Svar:** innen to dager\n"
             "- [Gå til X](https://x.com/fjord_etaten) · [Slik](../../channels/x/nb/statement.html)"
             "\n\n| Kanal | Ansvarlig |\n| --- | --- |\n| x | **Fjordetaten** |\n|  | — |\n")
    assert _assert_exact_or_declined(chunk)


#: Pieces of lines: what the templates write, and what Markdown would read otherwise.
_INLINE = st.sampled_from([
    "Vi", "svarer", " ", "  ", "på", "«hei»", "æøå", "12.", "1.", "8.00–15.30", "(", ")",
    ":", ".", ",", "**", "*", "_", "fjord_etaten", "__", "[", "]", "](", "[lenke](https://x.no/a)",
    "[a](u)", "https://x.no/b_c", "#", "|", "-", "—", "·", "!", "![", "&", "<", ">", "\\",
    "`", "\"", "'", "\xa0", "\u2028", "\u3000", "=", "+", "@", "x", "1",
])
_LINE_START = st.sampled_from(["", "# ", "## ", "###### ", "####### ", "- ", "* ", "+ ",
                               "1. ", "> ", "    ", "| ", "|", "**", "[", "---", "==="])
_LINE = st.tuples(_LINE_START, st.lists(_INLINE, max_size=12).map("".join)).map("".join)


def _table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    cell = st.lists(_INLINE, max_size=4).map("".join).filter(lambda c: "\n" not in c)
    separator = st.sampled_from(["---", " --- ", ":--", "--:", "", "-"])

    def row(cells: st.SearchStrategy[str]) -> str:
        count = draw(st.sampled_from([columns, columns, columns + 1, max(1, columns - 1)]))
        return "|" + "|".join(draw(cells) for _ in range(count)) + "|"

    rows = [row(cell), row(separator)]
    rows += [row(cell) for _ in range(draw(st.integers(0, 3)))]
    return "\n".join(rows)


@st.composite
def _blocks(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["lines", "list", "table"]))
    if kind == "table":
        return _table(draw)
    lines = draw(st.lists(_LINE, min_size=1, max_size=4))
    if kind == "list":
        lines = ["- " + line for line in lines]
    return "\n".join(lines)


_CHUNK = st.tuples(st.lists(_blocks(), min_size=1, max_size=5),
                   st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n"]),
                   st.sampled_from(["", "\n", "\n\n"])).map(
    lambda made: made[1].join(made[0]) + made[2])


@settings(max_examples=400)
@given(_CHUNK)
def test_generated_chunks_give_python_markdowns_html_or_nothing(chunk: str) -> None:
    _assert_exact_or_declined(chunk)


_PLAIN = st.lists(st.sampled_from([
    "Vi", "svarer", " ", "på", "«hei»", "æøå", "(x)", "fjord_etaten", "**fet**", "fet**",
    "[lenke](https://x.no/a_b)", ":", ".", "—", "12", "1.", "2)", "#", "|", "!", "\"",
    "'", "=", "+", "-", "@", "_", "*", "\xa0", "\u2028", "\u3000", "(", ")", "[", "]",
    "x\ny", "\n- ", "\n## ", "\n#", "\n1. ", "\n|", "\n**b**", "\n(", "\n«",
]), min_size=1, max_size=10).map("".join)


@settings(max_examples=400)
@given(st.lists(st.tuples(st.sampled_from(["", "", "## ", "- ", "- ", "| "]), _PLAIN,
                          st.sampled_from(["\n\n", "\n\n", "\n"])), min_size=1, max_size=6))
def test_chunks_near_what_the_templates_make(lines: list[tuple[str, str, str]]) -> None:
    """Mostly plain text with what could turn it into other Markdown: most are taken."""
    chunk = "".join(start + text + end for start, text, end in lines)
    _assert_exact_or_declined(chunk)
