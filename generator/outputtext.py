"""One way to store generated text: NFC, LF line ends, one final newline, UTF-8.

Output is committed and reviewed as diffs, so the same text must always give the same
bytes, whether it was rendered as one string or, for a page that grows with every
channel, piece by piece.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

#: Longest run of combining marks looked at on each side of a seam between pieces.
_SEAM = 32
#: Pieces joined, checked and encoded at a time by :func:`pieces_bytes`, at most, and
#: characters: a page made of large pieces (cached fragments) is never joined whole.
_BATCH = 4096
_BATCH_CHARS = 1 << 18


def text_bytes(content: str) -> bytes:
    """The stored form of ``content``."""
    text = unicodedata.normalize("NFC", content.replace("\r\n", "\n"))
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def pieces_bytes(pieces: Iterable[str]) -> bytes:
    """``text_bytes("".join(pieces))``, without ever holding the joined string.

    Pieces are encoded a few thousand at a time as they come (:func:`encoded_parts`): a
    60 MB page is never held as one string plus the list of its pieces, which costs
    several times its size.
    """
    out = bytearray()
    for part in encoded_parts(pieces):
        if isinstance(part, str):
            return text_bytes(out.decode("utf-8") + part)
        out += part
    return bytes(out)


def encoded_parts(pieces: Iterable[str]) -> Iterator[bytes | str]:
    """The bytes of ``text_bytes("".join(pieces))``, a batch of pieces at a time.

    Each batch is checked to be NFC and free of carriage returns, and so is each seam
    between batches. Where that fails, the last item is a ``str``: the rest of the text,
    from that batch on; the caller then normalises the whole text (what it got so far,
    decoded, plus the rest) with :func:`text_bytes`. Otherwise the bytes end with the
    final newline.
    """
    tail = ""  # the text so far, from its last starter character
    last = ""
    iterator = iter(pieces)
    while True:
        batch: list[str] = []
        size = 0
        for piece in iterator:
            batch.append(piece)
            size += len(piece)
            if size >= _BATCH_CHARS or len(batch) >= _BATCH:
                break
        if not batch:
            break
        text = "".join(batch)
        if "\r" in text or not (text.isascii() or _joins_as_nfc(tail, text)):
            yield text + "".join(iterator)
            return
        if text:
            yield text.encode("utf-8")
            last = text[-1]
        tail = _from_last_starter(tail + text[-_SEAM:])
    if last != "\n":
        yield b"\n"


def _from_last_starter(text: str) -> str:
    """The end of ``text`` from its last character of combining class 0."""
    for index in range(len(text) - 1, -1, -1):
        if unicodedata.combining(text[index]) == 0:
            return text[index:]
    return text


def _joins_as_nfc(tail: str, piece: str) -> bool:
    """Whether ``tail + piece`` is NFC, given that ``tail`` (a normalised text's end from its
    last starter) is; checked on the seam only, up to ``piece``'s second starter."""
    head_end = next((i for i in range(1, min(len(piece), _SEAM))
                     if unicodedata.combining(piece[i]) == 0), None)
    if head_end is None and len(piece) >= _SEAM:
        return False  # a long run of combining marks: let text_bytes decide
    head = piece[:(head_end + 1) if head_end is not None else len(piece)]
    return unicodedata.is_normalized("NFC", piece) and \
        unicodedata.is_normalized("NFC", tail + head)
