"""Generated text is stored one way (NFC, LF, final newline), whole or piece by piece."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.build import BuildResult

#: Characters that make normalisation interesting at a seam between two pieces:
#: combining marks of different classes, precomposed letters, Hangul jamo, a Tamil
#: vowel sign that composes though its combining class is 0, CR and LF.
TRICKY = "ae\u0301\u0323\u0308\u00e9\u00c5\u212b\u1100\u1161\u11a8\uac00\u0bc6\u0bbe\r\n ø"
CHARACTERS = st.sampled_from(TRICKY) | st.characters(codec="utf-8")
PIECES = st.lists(st.text(alphabet=CHARACTERS, max_size=12), max_size=12)


def _whole(text: str) -> bytes:
    result = BuildResult()
    result.add("page.html", text)
    return result.files["page.html"]


def _pieces(pieces: list[str], batch: int = 2) -> bytes:
    """``add_pieces`` with small batches, so that the seams between batches are tested."""
    import generator.outputtext

    result = BuildResult()
    saved, generator.outputtext._BATCH = generator.outputtext._BATCH, batch
    try:
        result.add_pieces("page.html", iter(pieces))
    finally:
        generator.outputtext._BATCH = saved
    return result.files["page.html"]


@given(PIECES)
def test_pieces_give_the_bytes_of_the_joined_text(pieces: list[str]) -> None:
    assert _pieces(pieces) == _whole("".join(pieces))


def test_seams_that_compose_or_reorder() -> None:
    for pieces in (["e", "\u0301"], ["\u1100", "\u1161", "\u11a8"], ["\u0bc6", "\u0bbe"],
                   ["a\u0323", "\u0301x"], ["a\u0301", "\u0323"], ["line\r", "\nnext"],
                   ["x" * 40, "\u0301" * 40], ["plain ascii", " only"]):
        for batch in (1, 2, 4096):
            assert _pieces(pieces, batch) == _whole("".join(pieces)), (pieces, batch)


@given(PIECES)
def test_large_pieces_are_cut_into_batches_by_size(pieces: list[str]) -> None:
    """Cached fragments make pieces of kilobytes: batches end after a number of characters
    too, and the seams between them must still give the bytes of the joined text."""
    import generator.outputtext

    saved = generator.outputtext._BATCH_CHARS
    generator.outputtext._BATCH_CHARS = 7
    try:
        assert _pieces(pieces, batch=4096) == _whole("".join(pieces))
    finally:
        generator.outputtext._BATCH_CHARS = saved
