"""Properties every counting rule must keep, whatever the text (hypothesis)."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.counting import (
    RULES,
    all_counts,
    code_points,
    count,
    graphemes,
    strictest,
    utf8_bytes,
    utf16,
    x_weighted,
)

#: Surrogates cannot be encoded, so they are left out of generated text.
any_text = st.text(st.characters(codec="utf-8"), max_size=80)

#: Pieces that make URLs, emoji sequences, combining marks and mentions likely, so the
#: interesting code paths run far more often than in uniformly random text.
_PIECES = [
    " ",
    ".",
    "/",
    "?",
    "(",
    ")",
    "@",
    "\r\n",
    "https://",
    "http://",
    "www.",
    "example",
    ".no",
    ".com",
    "t.co/",
    "nav@social.example",
    "\u00e5",
    "a\u030a",
    "o\u0308",
    "\u1100\u1161",
    "\u0915\u094d\u0937\u093f",
    "\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2",
    "\U0001f44d\U0001f3fd",
    "\U0001f1f3\U0001f1f4",
    "\u2764\ufe0f",
    "\u00a9",
    "\u200d",
    "\ufe0f",
    "\u65e5\u672c",
    "\u0420\u0443\u0441",
]
structured_text = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(st.characters(codec="utf-8"), max_size=3)),
    max_size=25,
).map("".join)
texts = st.one_of(any_text, structured_text)


@settings(deadline=None)
@given(texts)
def test_units_are_ordered(text: str) -> None:
    assert graphemes(text) <= code_points(text) <= utf16(text)
    assert utf8_bytes(text) >= code_points(text)


@settings(deadline=None)
@given(texts)
def test_x_weighted_ignores_normalisation_form(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert x_weighted(nfc) == x_weighted(nfd) == x_weighted(text)


@settings(deadline=None)
@given(texts)
def test_strictest_is_at_least_every_candidate(text: str) -> None:
    result = strictest(text)
    assert result >= code_points(text)
    assert result >= utf16(text)
    assert result >= graphemes(text)
    assert result == max(code_points(text), utf16(text), graphemes(text))


@settings(deadline=None)
@given(texts)
def test_count_agrees_with_rules(text: str) -> None:
    counts = all_counts(text)
    assert list(counts) == sorted(RULES)
    for name, rule in RULES.items():
        assert count(text, name) == rule(text) == counts[name]
        assert counts[name] >= 0


@settings(deadline=None)
@given(texts)
def test_concatenation_never_shrinks_plain_units(text: str) -> None:
    """Appending text never lowers a plain count (a cluster can absorb, not remove)."""
    longer = text + "a"
    for rule in (code_points, utf16, utf8_bytes):
        assert rule(longer) == rule(text) + 1
    assert graphemes(longer) >= graphemes(text)


#: Emoji pieces that share prefixes: ZWJ families, skin tones, flags, keycaps, subdivision
#: tags, text-style characters with and without U+FE0F, and stray joiners.
_EMOJI_PIECES = [
    "\U0001f9d1", "\U0001f9d2", "\u200d", "\ufe0f", "\U0001f3fd", "\U0001f44d",
    "\U0001f1f3", "\U0001f1f4", "\U0001f3f4", "\U000e0067", "\U000e0062", "\U000e0073",
    "\U000e0063", "\U000e0074", "\U000e007f", "#", "1", "\u20e3", "\u00a9", "\u00ae",
    "\u2764", "\U0001f525", "\u263a", "\U0001f468", "\U0001f469", "\U0001f467", "a", " ",
]
emoji_text = st.lists(st.sampled_from(_EMOJI_PIECES), max_size=30).map("".join)


@functools.cache
def _emoji_regex_spans_finder() -> Any:
    """The one regular expression of every sequence the trie walk replaced (slow to compile,
    exact by construction): the reference the walk must agree with."""
    import emoji
    import regex

    from generator.counting import _EMOJI_START, _trie_pattern

    fully_qualified = emoji.STATUS["fully_qualified"]
    sequences = [seq for seq, data in emoji.EMOJI_DATA.items()
                 if data["status"] <= fully_qualified or seq.endswith("\u20e3")]
    return regex.compile(f"(?={_EMOJI_START}){_trie_pattern(sequences)}")


@settings(deadline=None)
@given(st.one_of(emoji_text, texts))
def test_emoji_spans_match_the_longest_first_regular_expression(text: str) -> None:
    from generator.counting import _EMOJI_PRESENTATION, _emoji_spans

    expected = {m.start(): m.end() for m in _emoji_regex_spans_finder().finditer(text)
                if m.end() - m.start() > 1 or _EMOJI_PRESENTATION.match(text, m.start())}
    assert _emoji_spans(text) == expected


#: A config whose weights differ from v3's where text is common: Latin-1 weighs 3, the
#: default 5 (so a wrong range or a character weighed twice shows in the total).
_ODD_CONFIG = {"version": 9, "maxWeightedTweetLength": 280, "scale": 100,
               "defaultWeight": 500, "transformedURLLength": 23, "emojiParsingEnabled": True,
               "ranges": [{"start": 0, "end": 127, "weight": 100},
                          {"start": 128, "end": 255, "weight": 300}]}


#: URLs whose path or query ends in a keycap ("t.co/1" + U+FE0F U+20E3): an emoji that
#: starts inside a URL and ends after it, whose rest x_parse weighs character by character.
url_emoji_text = st.lists(st.sampled_from([
    "t.co/", "example.no/", "https://", "?q=", "#", "1", "1\ufe0f\u20e3", "#\ufe0f\u20e3",
    "\u20e3", "\ufe0f", "a", " ", "\U0001f44d", "\u00e6", "\u65e5"]), max_size=20
).map("".join)


@settings(deadline=None)
@given(st.one_of(texts, emoji_text, url_emoji_text), st.sampled_from(["v2", "v3", "odd"]))
@example("t.co/1\ufe0f\u20e3", "v3")  # the URL ends at "1", the keycap emoji after it
def test_x_weighted_weighs_as_the_full_parse(text: str, version: str) -> None:
    """``x_weighted`` sums stretches between URLs and emoji; ``x_parse`` steps through
    every character: the same weighted length, whatever the text and config."""
    from generator.counting import XConfig, load_x_config, x_parse

    config = XConfig.from_mapping(_ODD_CONFIG) if version == "odd" \
        else load_x_config(int(version[1]))
    assert x_weighted(text, config) == x_parse(text, config).weighted_length


@settings(deadline=None)
@given(st.one_of(texts, structured_text.map(lambda t: t.replace("://", ":/"))))
def test_a_mastodon_url_needs_its_scheme_separator(text: str) -> None:
    """``mastodon_countable_text`` skips the URL pattern for a text without "://"."""
    from generator.counting import _mastodon_url_pattern

    if "://" not in text:
        assert _mastodon_url_pattern().search(text) is None
