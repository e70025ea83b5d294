"""The chunked Markdown conversion gives exactly what converting the whole document gives."""

from __future__ import annotations

from pathlib import Path

import markdown
from hypothesis import given
from hypothesis import strategies as st

from generator.markup import chunks, markdown_to_html
from tests.conftest import ROOT


def _whole(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"], output_format="html")


def test_every_committed_markdown_file() -> None:
    for path in sorted((ROOT / "output").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert markdown_to_html(text) == _whole(text), path
        assert markdown_to_html(text) == _whole(text), path  # from the cache


def test_chunks_rejoin_to_the_document() -> None:
    text = "# A\n\nPara\n\n- x\n\n- y\n\n\nB\n\n    code\n\nC"
    assert "\n\n".join(chunks(text)) == text
    # "\n\n\nB" leaves a block that starts with a line break: it stays with the one before
    assert chunks(text) == ["# A", "Para\n\n- x\n\n- y\n\n\nB\n\n    code", "C"]


BLOCKS = st.sampled_from([
    "# Heading", "## Sub *heading*", "Paragraph with [a link](https://example.org).",
    "Two\nlines", "- item\n- item two", "* star item", "1. first\n2. second",
    "    indented code", "> quote", "> quote\ncontinued", "| a | b |\n| --- | --- |\n| 1 | 2 |",
    "---", "Title\n=====", "text with **bold** and `code`", "- loose", "  - nested",
    "[ref]: https://example.org", "see [x][ref]", "<div>raw</div>", "a < b & c",
    "\tTabbed", "trailing  ", "", "ord 1. not a list", "_emphasis_ first",
    "Kanalprofilchunkboundary",
])


@given(st.lists(BLOCKS, max_size=12), st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n"]),
                                               min_size=12, max_size=12))
def test_generated_documents(blocks: list[str], separators: list[str]) -> None:
    text = "".join(block + separator for block, separator in zip(blocks, separators,
                                                                  strict=False))
    assert markdown_to_html(text) == _whole(text)


INLINE = st.text(alphabet=st.sampled_from("ab *_`[]()<>&\\!#:/.-\n  éø") , max_size=60)


@given(st.lists(INLINE, min_size=1, max_size=5))
def test_inline_markup_and_plain_text_convert_as_python_markdown_does(
        paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    assert markdown_to_html(text) == _whole(text)


#: Pieces that start (and end) every inline pattern, so generated texts often match them.
TOKENS = st.sampled_from([
    "a", " ", "b c", "\n", "  \n", "*", "**", "_", "__", "`", "``", "\\", "\\!", "\\[", "!",
    "[", "]", "![", "](", ")", "[x](https://example.org)", "![alt](https://e.org/i.png)",
    "[ref]", "[ref][]", "<https://example.org>", "<a@b.no>", "<b>", "</b>", "<!-- c -->",
    "&amp;", "&#38;", "&", "<", ">", "(", "æ", ":", "#",
])


@given(st.lists(st.lists(TOKENS, min_size=1, max_size=25).map("".join), min_size=1,
                max_size=4))
def test_only_the_patterns_a_text_can_match_are_tried_with_the_same_result(
        paragraphs: list[str]) -> None:
    from generator.markup import _converter, _PlainTextFirst

    assert isinstance(_converter().treeprocessors["inline"], _PlainTextFirst)
    text = "\n\n".join(paragraphs)
    assert markdown_to_html(text) == _whole(text)


def _sanitised_whole(text: str) -> str:
    from generator.pages import _sanitise

    return _sanitise(_whole(text))


def _sanitised_by_chunk(text: str) -> str:
    from generator.markup import markdown_to_html_finished
    from generator.pages import _SANITISED_CHUNK, _sanitise

    return markdown_to_html_finished(text, _SANITISED_CHUNK, _sanitise)


def test_pages_sanitised_chunk_by_chunk_are_sanitised_whole(tmp_path: Path) -> None:
    from generator import markup

    pages = sorted((ROOT / "output").glob("*/*/*.md"))
    assert pages, "expected the example's pages"
    markup.use_cache(tmp_path)  # the second round reads the sanitised chunks back
    try:
        for _ in range(2):
            for path in pages:
                text = path.read_text(encoding="utf-8")
                assert _sanitised_by_chunk(text) == _sanitised_whole(text), path
            markup.flush()
    finally:
        markup.use_cache(None)


def test_a_chunk_the_sanitiser_empties_keeps_its_line_break() -> None:
    text = "---\n\n# Heading\n"  # <hr> is not allowed: the whole gives "\n<h1>..."
    assert _sanitised_by_chunk(text) == _sanitised_whole(text) == "\n<h1>Heading</h1>"


@given(st.lists(BLOCKS, max_size=12), st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n"]),
                                               min_size=12, max_size=12))
def test_generated_documents_sanitised_chunk_by_chunk(blocks: list[str],
                                                      separators: list[str]) -> None:
    text = "".join(block + separator for block, separator in zip(blocks, separators,
                                                                  strict=False))
    assert _sanitised_by_chunk(text) == _sanitised_whole(text)


@given(st.lists(st.lists(TOKENS, min_size=1, max_size=25).map("".join), min_size=1,
                max_size=4))
def test_inline_markup_sanitised_chunk_by_chunk(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    assert _sanitised_by_chunk(text) == _sanitised_whole(text)
