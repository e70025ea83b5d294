"""Markdown to HTML, fast: one converter reused, and identical sections converted once.

Python-Markdown is the slowest step of a build: every statement in every language is
converted, and most of a statement's sections ("Your case", the removal rules, public
records) are the same for hundreds of channels. A document is therefore cut into chunks
at blank lines followed by a heading or a plain paragraph (a line that starts with a
letter), each chunk is converted on its own and remembered, and the HTML of the chunks is
joined with a line break, which is exactly what converting the whole document gives:

- A block that starts with ``#`` or a letter is parsed the same whatever precedes it.
  Only indented blocks (code, list continuations), list items and block quotes look at
  the element before them (Python-Markdown's ``lastChild`` sibling rules), and those are
  never the first block of a chunk.
- No block looks ahead past a blank line, so a chunk is also parsed the same whatever
  follows it.
- The whole document is converted in one piece when something has document-wide state:
  a link reference definition (``[id]: url``), raw HTML (any ``<``), tabs, carriage
  returns, or Python-Markdown's own placeholder characters.

``tests/test_markup.py`` checks the equivalence on the example, the synthetic benchmark
organisation and generated documents.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown as markdown_lib

#: Whatever makes a document's parts depend on each other: see the module docstring.
_WHOLE_DOCUMENT_CHARS = ("<", "\t", "\r", "\x02", "\x03")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]*\]:", re.MULTILINE)
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=1)
def _converter() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=["tables"], output_format="html")


def _convert_whole(text: str) -> str:
    converter = _converter()
    converter.reset()
    return converter.convert(text)


@lru_cache(maxsize=_CACHE_SIZE)
def _convert_chunk(text: str) -> str:
    return _convert_whole(text)


def chunks(text: str) -> list[str]:
    """The document cut before every block that starts with ``#`` or a letter."""
    parts: list[str] = []
    for block in text.split("\n\n"):
        if parts and not (block[:1] == "#" or block[:1].isalpha()):
            parts[-1] += "\n\n" + block
        else:
            parts.append(block)
    return parts


def markdown_to_html(text: str) -> str:
    """The HTML Python-Markdown (with tables) makes of ``text``; not sanitised."""
    if any(char in text for char in _WHOLE_DOCUMENT_CHARS) \
            or ("]:" in text and _REFERENCE.search(text)):
        return _convert_whole(text)
    html = (_convert_chunk(part) for part in chunks(text) if part.strip())
    return "\n".join(part for part in html if part)
