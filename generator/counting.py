"""Interim counting rules (replaced by the full module on the counting branch)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import regex

_GRAPHEME = regex.compile(r"\X")


def _graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


RULES: Mapping[str, Callable[[str], int]] = {
    "code_points": len,
    "utf16": _utf16,
    "graphemes": _graphemes,
    "utf8_bytes": lambda text: len(text.encode("utf-8")),
    "x_weighted": _utf16,
    "mastodon_note": _graphemes,
    "strictest": lambda text: max(len(text), _utf16(text), _graphemes(text)),
}
RULE_DESCRIPTIONS: Mapping[str, str] = {name: name for name in RULES}


def count(text: str, rule: str) -> int:
    try:
        return RULES[rule](text)
    except KeyError:
        raise ValueError(f"unknown counting rule {rule!r}; known: {', '.join(RULES)}") from None


def all_counts(text: str) -> dict[str, int]:
    return {name: RULES[name](text) for name in sorted(RULES)}
