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
organisation and generated documents. Chunks also outlive the process when a build turns
on the on-disk cache (:func:`use_cache`, :mod:`generator.chunkcache`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import markdown as markdown_lib
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

from generator import __version__
from generator.chunkcache import ChunkStore, key
from generator.fastmarkdown import fast_html

#: Whatever makes a document's parts depend on each other: see the module docstring.
_WHOLE_DOCUMENT_CHARS = ("<", "\t", "\r", "\x02", "\x03")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]*\]:", re.MULTILINE)
_CACHE_SIZE = 1 << 13  # shared chunks are few; unique ones only fill it


#: Every inline pattern Python-Markdown registers (3.x, with tables), and what a text must
#: contain for it to match at all: `` ` `` (code), ``\\`` (escapes), any ``[`` (links and
#: references; one after ``!`` too, since an escape before the ``!`` frees it), ``![``
#: (images), ``<`` (autolinks, HTML), ``&`` (entities), ``*`` and ``_`` (emphasis), two
#: spaces before a line break.
_LINK = frozenset({"[", "!["})
_TRIGGERS: dict[str, frozenset[str]] = {
    "backtick": frozenset("`"), "escape": frozenset("\\"), "reference": _LINK,
    "link": _LINK, "image_link": frozenset({"!["}), "image_reference": frozenset({"!["}),
    "short_reference": _LINK, "short_image_ref": frozenset({"!["}),
    "autolink": frozenset("<"), "automail": frozenset("<"), "linebreak": frozenset({"  \n"}),
    "html": frozenset("<"), "entity": frozenset("&"), "em_strong": frozenset("*_"),
}
#: Finds every trigger (``![`` as one token).
_TRIGGER = re.compile(r"!\[|[`\\\[<&*_]|  \n")


class _PlainTextFirst(InlineProcessor):
    """Python-Markdown's inline processor, minus the patterns that cannot match.

    The stock processor tries all fourteen patterns on every text node, each a regular
    expression search over the whole text. Each text is looked at once for what the
    patterns start with (:data:`_TRIGGERS`): a text with none of it is returned as it is,
    and otherwise only the patterns it has a start for are tried, in the stock order.
    Skipping a pattern is what the stock loop does when it finds no match (go to the
    next one, from the text's start), and as patterns only replace text by placeholders
    (``\x02klzzwxh:N\x03``), a start missing at first never appears later.
    """

    def __init__(self, md: markdown_lib.Markdown, triggers: list[frozenset[str]]) -> None:
        super().__init__(md)
        self._triggers = triggers

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        present = set(_TRIGGER.findall(data))
        if not present:
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns = self.inlinePatterns
        triggers = self._triggers
        start = 0
        while patternIndex < len(triggers):
            if triggers[patternIndex].isdisjoint(present):
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


@lru_cache(maxsize=1)
def _converter() -> markdown_lib.Markdown:
    # the extension itself, not its name: a name is looked up among every installed
    # package's entry points (importlib.metadata, a tenth of a second's start-up)
    converter = markdown_lib.Markdown(extensions=[TableExtension()], output_format="html")
    patterns = converter.inlinePatterns
    if len(patterns) == len(_TRIGGERS) and all(n in patterns for n in _TRIGGERS) \
            and "inline" in converter.treeprocessors:
        triggers = [frozenset[str]()] * len(patterns)
        for name, trigger in _TRIGGERS.items():
            triggers[patterns.get_index_for_name(name)] = trigger
        converter.treeprocessors.register(_PlainTextFirst(converter, triggers), "inline", 20)
    return converter


def _convert_whole(text: str) -> str:
    converter = _converter()
    converter.reset()
    return converter.convert(text)


#: Converted chunks by their Markdown, for this process.
_CHUNKS: dict[str, str] = {}
#: A paragraph no document contains (checked), put between chunks converted together.
_SENTINEL = "Kanalprofilchunkboundary"
_SENTINEL_HTML = f"\n<p>{_SENTINEL}</p>\n"


def chunks(text: str) -> list[str]:
    """The document cut before every block that starts with ``#`` or a letter."""
    parts: list[str] = []
    for block in text.split("\n\n"):
        if parts and not (block[:1] == "#" or block[:1].isalpha()):
            parts[-1] += "\n\n" + block
        else:
            parts.append(block)
    return parts


#: The on-disk cache in use, and chunks converted since it was last written to.
_STORE: ChunkStore | None = None
_PENDING: dict[bytes, str] = {}


def use_cache(directory: Path | None) -> None:
    """Read and keep converted chunks in ``directory`` (None: this process only)."""
    global _STORE
    flush()
    if _STORE is not None:
        _STORE.close()
    _STORE = None if directory is None else ChunkStore(
        directory, f"{__version__}|{markdown_lib.__version__}|tables|html|{_SENTINEL}")


def cached(label: str, text: str, make: Callable[[str], str]) -> str:
    """``make(text)``, kept in the on-disk cache under ``label`` (which must name every
    input besides ``text`` that shapes the result, such as a sanitiser's version)."""
    return cached_many(label, [text], make)[0]


def cached_many(label: str, texts: list[str], make: Callable[[str], str]) -> list[str]:
    """:func:`cached` for many texts, looked up in one query (batched) instead of one each."""
    if _STORE is None:
        return [make(text) for text in texts]
    digests = [key(f"{label}\0{text}") for text in texts]
    stored = _STORE.get_many(digest for digest in digests if digest not in _PENDING)
    made = []
    for text, digest in zip(texts, digests, strict=True):
        found = _PENDING.get(digest)
        if found is None:
            found = stored.get(digest)
        if found is None:
            found = _PENDING[digest] = make(text)
        made.append(found)
    return made


def flush() -> None:
    """Write the chunks converted since the last flush to the on-disk cache, if any."""
    if _STORE is not None and _PENDING:
        _STORE.put_many(_PENDING)
    _PENDING.clear()


def _whole_document(text: str) -> bool:
    """Whether ``text`` has document-wide state, so it is never cut into chunks."""
    return any(char in text for char in _WHOLE_DOCUMENT_CHARS) or _SENTINEL in text \
        or ("]:" in text and _REFERENCE.search(text) is not None)


def markdown_to_html_finished(text: str, label: str, finish: Callable[[str], str]) -> str:
    """``finish(markdown_to_html(text))`` for a ``finish`` that works element by element
    (a sanitiser): applied to each chunk's HTML and kept in the cache under ``label``.

    A page that lists thousands of channels changes in one section when one channel
    changes; this way only that section is converted and finished again. The chunks'
    HTML are whole elements (see the module docstring), so finishing each and joining
    them is finishing the whole (``tests/test_markup.py`` checks it for the sanitiser).
    """
    if _whole_document(text):
        return finish(_convert_whole(text))
    parts = [part for part in chunks(text) if part.strip()]
    digests = [key(f"{label}\0{part}") for part in parts]
    stored = _STORE.get_many(d for d in digests if d not in _PENDING) \
        if _STORE is not None else {}
    done = [_PENDING.get(digest) or stored.get(digest) for digest in digests]
    missing = [index for index, found in enumerate(done) if found is None]
    # converted together, as markdown_to_html does: a conversion has a fixed cost
    for index, html in zip(missing, _chunks_html([parts[i] for i in missing]), strict=True):
        # "+" and the finished HTML, or "-" for a chunk that makes no HTML: a chunk that
        # makes some still gets its line break when finishing removes all of it (an <hr>)
        made = done[index] = "+" + finish(html) if html else "-"
        if _STORE is not None:
            _PENDING[digests[index]] = made
    return "\n".join(part[1:] for part in done if part and part[0] == "+")


def markdown_to_html(text: str) -> str:
    """The HTML Python-Markdown (with tables) makes of ``text``; not sanitised."""
    if _whole_document(text):
        return _convert_whole(text)
    parts = [part for part in chunks(text) if part.strip()]
    return "\n".join(part for part in _chunks_html(parts) if part)


def _chunks_html(parts: list[str]) -> list[str]:
    """Each chunk's HTML: from this process, the shortcut for plain chunks
    (:mod:`generator.fastmarkdown`), the on-disk cache, or converted together."""
    if not parts:
        return []
    html = [_CHUNKS.get(part) for part in parts]
    for index, known in enumerate(html):
        if known is None:  # exact, and cheaper than looking it up in the on-disk cache
            html[index] = fast_html(parts[index])
    missing = [index for index, known in enumerate(html) if known is None]
    if missing and _STORE is not None:
        keys = {index: key(parts[index]) for index in missing}
        stored = _STORE.get_many(keys.values())
        for index, digest in keys.items():
            html[index] = stored.get(digest)
        missing = [index for index in missing if html[index] is None]
    if missing:
        for index, converted in zip(missing, _convert_many([parts[i] for i in missing]),
                                    strict=True):
            html[index] = converted
            if _STORE is not None:
                _PENDING[key(parts[index])] = converted
    for index, part in enumerate(parts):
        if len(_CHUNKS) >= _CACHE_SIZE:
            _CHUNKS.clear()
        _CHUNKS[part] = html[index] or ""
    return [part or "" for part in html]


def _convert_many(parts: list[str]) -> list[str]:
    """Convert chunks in one call, separated by a sentinel paragraph, and split again.

    A conversion has a fixed cost (reset, preprocessors, serialiser), so a document's new
    chunks are converted together; each starts with ``#`` or a letter (or is the first),
    so the sentinel before it changes nothing.
    """
    if len(parts) == 1:
        return [_convert_whole(parts[0])]
    html = _convert_whole(f"\n\n{_SENTINEL}\n\n".join(parts)).split(_SENTINEL_HTML)
    if len(html) != len(parts):  # pragma: no cover - a chunk that renders to nothing
        return [_convert_whole(part) for part in parts]
    return html
