"""What rendering makes: fitted profile texts and statements, as plain records.

Kept apart from :mod:`generator.render` (which needs Jinja2 and the counting rules) so
that a build which takes everything from output/ can describe its files without
importing any of that.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    """One fitted text with what a reviewer and the manifest need to know about it."""

    channel: str
    platform: str
    slot: str
    languages: tuple[str, ...]
    text: str
    commitments: tuple[str, ...]
    measures: tuple[tuple[str, int, int], ...]
    variant: tuple[int, ...]

    @property
    def path(self) -> str:
        """Its ``.txt`` file in output/."""
        return text_path(self.channel, self.languages, self.slot)

    def metadata(self) -> dict[str, Any]:
        first = self.measures[0] if self.measures else ("", len(self.text), 0)
        return {
            "kind": "slot",
            "channel": self.channel,
            "platform": self.platform,
            "slot": self.slot,
            "language": "+".join(self.languages),
            "count": first[1],
            "limit": first[2] or None,
            "rule": first[0] or None,
            "limits": [{"rule": r, "count": c, "max": m} for r, c, m in self.measures],
            "commitments": sorted(self.commitments),
            "variant": list(self.variant),
        }


@dataclass(frozen=True)
class StoredText:
    """A text taken over from output/ unchanged: what the manifest says of it, its words
    in the build's files, read (and checked against their hash) only when asked for.

    A rebuild after one channel changed finds most preview cards in the fragment cache,
    keyed by each text's hash (:class:`generator.preview.SlotView`), so it no longer
    reads back every channel's texts (14,000 files at 5,000 channels) to make cards it
    does not render.
    """

    channel: str
    platform: str
    slot: str
    languages: tuple[str, ...]
    commitments: tuple[str, ...]
    measures: tuple[tuple[str, int, int], ...]
    variant: tuple[int, ...]
    #: The build's files, which know the text's file by its path and hash.
    files: Mapping[str, bytes] = field(compare=False, repr=False)

    @property
    def path(self) -> str:
        return text_path(self.channel, self.languages, self.slot)

    @property
    def text(self) -> str:
        return self.files[self.path].decode("utf-8")[:-1]  # without the final newline


def text_path(channel: str, languages: tuple[str, ...], slot: str) -> str:
    """A profile text's file in output/."""
    return f"channels/{channel}/{'+'.join(languages)}/{slot}.txt"


@dataclass
class Statement:
    channel: str
    language: str
    markdown: str
    commitments: tuple[str, ...]
    #: The sanitised HTML of ``markdown`` once a page made it (the preview reuses it).
    html: str | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        """Its Markdown file in output/."""
        return statement_path(self.channel, self.language)

    def known_html(self) -> str | None:
        return self.html

    def forget_html(self) -> None:
        self.html = None


@dataclass
class StoredStatement:
    """A statement whose Markdown is in the build's files, not held here.

    Taken over from output/ without reading it (a rebuild after one channel changed finds
    most preview cards in the fragment cache, keyed by each statement's hash, so their
    Markdown is read back, and checked against that hash, only for a card rendered
    again), or rendered now and kept until the preview with only its HTML, compressed
    (:func:`stored`): at 5,000 channels the statements' Markdown and HTML held until then
    were 150 MB, a third of a full build's peak memory.
    """

    channel: str
    language: str
    commitments: tuple[str, ...]
    #: The build's files, which know the statement's file by its path and hash.
    files: Mapping[str, bytes] = field(compare=False, repr=False)
    #: Its sanitised HTML, compressed with zlib, when it was rendered now.
    packed_html: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        return statement_path(self.channel, self.language)

    @property
    def markdown(self) -> str:
        return self.files[self.path].decode("utf-8")

    def known_html(self) -> str | None:
        """Its sanitised HTML if the build made it (unpacked on each call, not kept)."""
        if self.packed_html is None:
            return None
        return zlib.decompress(self.packed_html).decode("utf-8")

    def forget_html(self) -> None:
        self.packed_html = None


def stored(statement: Statement | StoredStatement, files: Mapping[str, bytes], *,
           html: bool = True) -> StoredStatement:
    """``statement``, whose Markdown ``files`` hold, as a :class:`StoredStatement` that
    keeps its HTML compressed (level 1: a tenth of its size, in a few milliseconds), or
    with ``html`` False none of it (the preview only links to it)."""
    if isinstance(statement, StoredStatement):
        return statement
    html_text = statement.html if html else None
    return StoredStatement(statement.channel, statement.language, statement.commitments,
                           files, packed_html=None if html_text is None
                           else zlib.compress(html_text.encode("utf-8"), 1))


def statement_path(channel: str, language: str, suffix: str = ".md") -> str:
    """A statement's file in output/: its Markdown, or with ``suffix`` its page."""
    return f"channels/{channel}/{language}/statement{suffix}"


@dataclass
class ChannelTexts:
    texts: list[Text] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
