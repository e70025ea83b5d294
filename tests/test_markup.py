"""The chunked Markdown conversion gives exactly what converting the whole document gives."""

from __future__ import annotations

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
