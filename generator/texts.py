"""What rendering makes: fitted profile texts and statements, as plain records.

Kept apart from :mod:`generator.render` (which needs Jinja2 and the counting rules) so
that a build which takes everything from output/ can describe its files without
importing any of that.
"""

from __future__ import annotations

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


@dataclass
class StoredStatement:
    """A statement taken over from output/ without reading it: a rebuild after one
    channel changed finds most preview cards in the fragment cache, keyed by each
    statement's hash, so their Markdown is read back (and checked against that hash)
    only for a card that is rendered again."""

    channel: str
    language: str
    commitments: tuple[str, ...]
    #: The build's files, which know the statement's file by its path and hash.
    files: Mapping[str, bytes] = field(compare=False, repr=False)
    html: str | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        return statement_path(self.channel, self.language)

    @property
    def markdown(self) -> str:
        return self.files[self.path].decode("utf-8")


def statement_path(channel: str, language: str) -> str:
    return f"channels/{channel}/{language}/statement.md"


@dataclass
class ChannelTexts:
    texts: list[Text] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
