"""Count a text's length the way each platform counts it.

Platforms disagree on what a "character" is: Bluesky counts grapheme clusters *and* UTF-8
bytes, Telegram's entity offsets are UTF-16 units, X weighs code points and counts every URL
as 23, Mastodon counts graphemes after shortening URLs and mentions. A profile text that fits
by one rule can be rejected by another, so every rule is a small pure function here, keyed
by name in :data:`RULES`.

The X rule follows twitter-text v3 (``config/v3.json`` and ``js/src/parseTweet.js``,
Apache-2.0): its weights are read from the JSON configs under ``generator/data/twitter-text``
and its URL recognition is reimplemented from twitter-text's documented behaviour. The
Mastodon rule follows ``app/validators/note_length_validator.rb``; no Mastodon code is used.
"""

from __future__ import annotations

import functools
import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import regex

# --------------------------------------------------------------------------------------
# Plain units
# --------------------------------------------------------------------------------------

#: Extended grapheme clusters as ``regex`` implements them (Unicode 15.1+ rules, so the
#: Devanagari conjunct rule GB9c applies; the ``grapheme`` package is stuck on Unicode 13).
_GRAPHEME = regex.compile(r"\X")


def code_points(text: str) -> int:
    """Unicode code points: what Python's ``len`` and Rails' ``length`` count."""
    return len(text)


def utf16(text: str) -> int:
    """UTF-16 code units: what JavaScript's ``length`` and Telegram's offsets count.

    ``surrogatepass`` so that a lone surrogate counts one unit instead of raising.
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def graphemes(text: str) -> int:
    """Extended grapheme clusters, what a reader sees as one character (Bluesky, Mastodon)."""
    return len(_GRAPHEME.findall(text))


def utf8_bytes(text: str) -> int:
    """UTF-8 bytes: Bluesky's second limit (``maxLength`` in lexicons)."""
    return len(text.encode("utf-8", "surrogatepass"))


def strictest(text: str) -> int:
    """The largest of code points, UTF-16 units and graphemes, for platforms that document
    no rule: a text within a limit by this count is within it by each of the three.

    Graphemes are never more than code points (every cluster holds at least one), so they
    cannot raise the maximum and are not computed: this keeps the rule cheap.
    """
    return max(code_points(text), utf16(text))


# --------------------------------------------------------------------------------------
# Shared URL grammar (twitter-text's, which Mastodon reuses)
# --------------------------------------------------------------------------------------
# Character sets as twitter-text defines them; they are class *contents*, to be put
# inside [...] or [^...]. They are spelled out with explicit A-Z instead of IGNORECASE so
# that case folding cannot widen them (regex would let U+017F "ſ" match [a-z]; JS does not).

_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$"  # ASCII punctuation except " and `
_SPACES = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = r"\ufffe\ufeff\uffff"
_BIDI = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_LATIN_ACCENTS = (
    r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    r"\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = r"\u0400-\u04ff"

#: A character that may appear in a domain label (anything but punctuation and spaces).
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_BIDI}]"
#: The character before a URL must not glue it to a word, a mention, a hashtag or a cashtag.
#: Order matters, as upstream: at the very start a non-ASCII letter is taken as this
#: "preceding character" rather than as part of the domain ("Åb.no" finds "b.no").
#: The empty look-ahead stands for upstream's UTF-16 view: there the first half of an
#: astral character (an emoji) can be the preceding character and its second half starts
#: the domain, so "😀.org.no" is tried as a domain before ".org.no" is.
_BEFORE_URL = f"(?P<before>(?=[\U00010000-\U0010ffff])|[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|^)"
#: After a TLD there must be no further letter, digit, "@", "+" or "-" (so "example.community"
#: is not "example.com" followed by "munity").
_TLD_END = r"(?=[^0-9a-zA-Z@+\-]|$)"
_PUNYCODE_TLD = r"(?:[xX][nN]--[\-0-9a-zA-Z]+)"
#: Labels: first and last character a domain character, "-" (and for subdomains "_") inside.
#: Possessive, then a look-behind for the last character, to avoid backtracking blow-ups.
_SUBDOMAIN = f"(?:{_DOMAIN_CHAR}(?:[_\\-]|{_DOMAIN_CHAR})*+(?<![_\\-])\\.)"
_DOMAIN_NAME = f"(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*+(?<!-)\\.)"
#: At most 126 subdomains (a DNS name has at most 127 labels): unbounded, the search is
#: quadratic in the number of dot-separated words, as upstream's is.
_DOMAIN = (
    f"(?P<domain>{_SUBDOMAIN}{{0,126}}{_DOMAIN_NAME}(?:(?i:{{tlds}}){_TLD_END}|{_PUNYCODE_TLD}))"
)
_PORT = r"(?::(?P<port>[0-9]+))?"
_ASCII_DOMAIN = (
    f"(?:[\\-a-zA-Z0-9{_LATIN_ACCENTS}]+\\.){{1,127}}(?:(?i:{{tlds}}){_TLD_END}|{_PUNYCODE_TLD})"
)

_X_PATH_CHAR = regex.compile(
    f"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
)
_X_PATH_END_CHAR = regex.compile(f"[+\\-a-zA-Z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]")
_X_QUERY_CHAR = regex.compile(r"[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]")
_X_QUERY_END_CHAR = regex.compile(r"[a-zA-Z0-9\-_&=#/]")
_TCO_URL = regex.compile(
    r"(?i:https?://t\.co/)(?P<slug>[a-zA-Z0-9]+)"
    r"(?:\?[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-zA-Z0-9\-_&=#/])?"
)
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_LABEL_LENGTH = 63
_LABEL_SEPARATORS = regex.compile("[.\u3002\uff0e\uff61]")


def _balanced_parens(path_char: str) -> Any:
    """``(...)`` with at most one nested pair, as in ``/wiki/Primer_(film)``."""
    c = path_char
    return regex.compile(f"\\((?:{c}++|{c}*+\\({c}++\\){c}*+)\\)")


_X_PARENS = _balanced_parens(_X_PATH_CHAR.pattern)


def _prefix_tree(words: Iterable[str]) -> dict[str, Any]:
    """``words`` as nested dicts, one level per character; ``""`` marks a word's end."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return trie


def _trie_pattern(words: list[str] | tuple[str, ...]) -> str:
    """One regular expression matching any of ``words``, longest first, as a prefix tree.

    ``regex`` named lists (``\\L<name>``) scan their items one by one, which made the
    domain search take seconds on long texts; a tree branches on each character instead.
    """
    trie = _prefix_tree(words)

    def emit(node: dict[str, Any]) -> str:
        branches = [regex.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word may end here: try the longer ones first
            return f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return emit(trie)


@functools.cache
def _tlds() -> tuple[str, ...]:
    """Top-level domains that make a bare domain a URL (data file, see tlds.SOURCE)."""
    text = resources.files("generator").joinpath("data", "tlds.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@functools.cache
def _tld_pattern() -> str:
    return _trie_pattern(_tlds())


def _with_tlds(pattern: str) -> str:
    """Put the TLD alternatives where a pattern says ``{tlds}``."""
    return pattern.replace("{tlds}", _tld_pattern())


@functools.cache
def _x_url_pattern() -> Any:
    """twitter-text's URL candidate: preceding char, optional protocol, domain, port.

    Path and query are matched by :func:`_scan_path_and_query` rather than by one big
    regular expression: the upstream nested-quantifier pattern can backtrack badly.
    Compiled on first use because it embeds the TLD list.
    """
    protocol = r"(?P<protocol>(?i:https?://))?"
    return regex.compile(f"{_BEFORE_URL}(?P<url>{protocol}{_with_tlds(_DOMAIN)}{_PORT})")


@functools.cache
def _ascii_domain_pattern() -> Any:
    return regex.compile(_with_tlds(_ASCII_DOMAIN))


def _scan_path(text: str, pos: int, path_char: Any, end_char: Any, parens: Any) -> int:
    """End of the longest URL path starting with the "/" at ``pos``.

    A path is a run of path characters and balanced parentheses that ends on an "ending"
    character or a closing parenthesis, so ``/foo.`` leaves the full stop to the sentence.
    """
    i = last = pos + 1  # the "/" itself is a valid ending
    n = len(text)
    while i < n:
        if text[i] == "(":
            m = parens.match(text, i)
            if m is None:
                break
            i = last = m.end()
        elif path_char.match(text, i):
            i += 1
            if end_char.match(text, i - 1):
                last = i
        else:
            break
    return last


def _scan_query(text: str, pos: int, query_char: Any, end_char: Any) -> int:
    """End of the query starting with the "?" at ``pos``, or ``pos`` if there is none."""
    i = last = pos + 1
    n = len(text)
    found = False
    while i < n and query_char.match(text, i):
        i += 1
        if end_char.match(text, i - 1):
            last, found = i, True
    return last if found else pos


def _scan_path_and_query(
    text: str,
    pos: int,
    path: tuple[Any, Any, Any],
    query: tuple[Any, Any],
) -> tuple[int, bool]:
    """End of the optional path and query after a domain; and whether a path was there."""
    has_path = pos < len(text) and text[pos] == "/"
    if has_path:
        pos = _scan_path(text, pos, *path)
    if pos < len(text) and text[pos] == "?":
        pos = _scan_query(text, pos, *query)
    return pos, has_path


def _punycode_label(label: str) -> str:
    """A label as punycode.js ``toASCII`` would write it (no IDNA mapping, as upstream)."""
    parts = _LABEL_SEPARATORS.split(label)
    return ".".join(
        "xn--" + p.encode("punycode").decode("ascii") if regex.search(r"[^\x00-\x7e]", p) else p
        for p in parts
    )


def _domain_is_encodable(domain: str) -> bool:
    """twitter-text rejects a domain whose punycode labels are empty or over 63 characters.

    This is what keeps a URL of 64+ CJK characters in the host from counting as 23.
    """
    if domain.startswith("xn--") and not _ascii_domain_pattern().search(domain):
        return False
    return all(1 <= len(_punycode_label(label)) <= _MAX_LABEL_LENGTH for label in domain.split("."))


def extract_url_spans(text: str) -> list[tuple[int, int]]:
    """Where twitter-text finds URLs, as ``(start, end)`` code point indices.

    URLs need no protocol: ``example.no`` and ``www.example.com/path`` count, judged by the
    TLD list in ``generator/data/tlds.txt``; a bare domain right after ``-``, ``_``, ``.``
    or ``/`` does not, and only its ASCII part counts. ``t.co`` links end after their slug.
    """
    if "." not in text:
        return []
    spans: list[tuple[int, int]] = []
    pattern = _x_url_pattern()
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start("url")
        end, has_path = _scan_path_and_query(
            text,
            m.end(),
            (_X_PATH_CHAR, _X_PATH_END_CHAR, _X_PARENS),
            (_X_QUERY_CHAR, _X_QUERY_END_CHAR),
        )
        pos = end
        url, protocol, domain = text[start:end], m.group("protocol"), m.group("domain")
        if not _domain_is_encodable(domain):
            continue
        if len(protocol or "https://") + utf16(url) > _MAX_URL_LENGTH:
            continue
        if protocol:
            tco = _TCO_URL.match(url)
            if tco is not None:
                if len(tco.group("slug")) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()
            spans.append((start, end))
            continue
        before = m.group("before")
        if before and before in "-_./":
            continue
        dom_start = m.start("domain")
        found = [
            (dom_start + d.start(), dom_start + d.end())
            for d in _ascii_domain_pattern().finditer(domain)
        ]
        if found and has_path:
            found[-1] = (found[-1][0], end)
        spans.extend(found)
    return spans


def extract_urls(text: str) -> list[str]:
    """The URLs twitter-text would find in ``text`` (see :func:`extract_url_spans`)."""
    return [text[s:e] for s, e in extract_url_spans(text)]


# --------------------------------------------------------------------------------------
# URL validation (twitter-text isValidUrl, an RFC 3986 subset)
# --------------------------------------------------------------------------------------

_V_UNRESERVED = f"[a-zA-Z{_CYRILLIC}0-9\\-._~]"
_V_PCT = r"%[0-9a-fA-F]{2}"
_V_SUB_DELIMS = r"[!$&'()*+,;=]"
_V_PCHAR = f"(?:{_V_UNRESERVED}|{_V_PCT}|{_V_SUB_DELIMS}|[:|@])"
_V_USERINFO = f"(?:{_V_UNRESERVED}|{_V_PCT}|{_V_SUB_DELIMS}|:)*"
_V_OCTET = r"(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
_V_IP = f"(?:{_V_OCTET}(?:\\.{_V_OCTET}){{3}}|\\[[a-fA-F0-9:.]+\\])"


def _v_domain(alnum: str) -> str:
    """Host name grammar; ``alnum`` widens letters and digits for Unicode domains."""
    sub = f"(?:{alnum}(?:(?:{alnum}|[_\\-])*{alnum})?)"
    seg = f"(?:{alnum}(?:(?:{alnum}|-)*{alnum})?)"
    letter = alnum.replace("0-9", "")
    tld = f"(?:{letter}(?:(?:{alnum}|-)*{alnum})?)"
    return f"(?:(?:{sub}\\.)*{seg}\\.{tld})"


def _v_authority(alnum: str) -> Any:
    host = f"(?:{_V_IP}|{_v_domain(alnum)})"
    return regex.compile(f"(?:{_V_USERINFO}@)?{host}(?::[0-9]{{1,5}})?")


_V_SPLIT = regex.compile(
    r"(?:(?P<scheme>[^:/?#]+)://)?(?P<authority>[^/?#]*)(?P<path>[^?#]*)"
    r"(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>[^\n\r\u2028\u2029]*))?"
)
_V_SCHEME = regex.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*")
_V_PATH = regex.compile(f"(?:/{_V_PCHAR}*)*")
_V_QUERY = regex.compile(f"(?:{_V_PCHAR}|/|\\?)*")
_V_AUTHORITY_ASCII = _v_authority("[a-zA-Z0-9]")
_V_AUTHORITY_UNICODE = _v_authority("(?:[a-zA-Z0-9]|[^\\x00-\\x7f])")


def _first_match_is_whole(pattern: Any, value: str) -> bool:
    """twitter-text accepts a part when the *first* match spans it, not when any does."""
    m = pattern.match(value)
    return m is not None and m.end() == len(value)


def is_valid_url(url: str, *, unicode_domains: bool = True, require_protocol: bool = True) -> bool:
    """Whether ``url`` is a whole valid http(s) URL by twitter-text's ``isValidUrl``.

    Stricter than extraction (it checks each part against RFC 3986) and also accepts IP
    hosts and user info, which extraction ignores.
    """
    parts = _V_SPLIT.fullmatch(url) if url else None
    if parts is None:
        return False
    scheme, authority, path, query, fragment = parts.group(
        "scheme", "authority", "path", "query", "fragment"
    )
    if require_protocol and not (
        scheme is not None
        and _first_match_is_whole(_V_SCHEME, scheme)
        and scheme.lower() in ("http", "https")
    ):
        return False
    if not _first_match_is_whole(_V_PATH, path):
        return False
    for optional in (query, fragment):
        if optional and not _first_match_is_whole(_V_QUERY, optional):
            return False
    authority_pattern = _V_AUTHORITY_UNICODE if unicode_domains else _V_AUTHORITY_ASCII
    return _first_match_is_whole(authority_pattern, authority)


# --------------------------------------------------------------------------------------
# X weighted length (twitter-text v3)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XRange:
    """Code points ``start``..``end`` (inclusive) weigh ``weight`` (in 1/scale characters)."""

    start: int
    end: int
    weight: int


@dataclass(frozen=True)
class XConfig:
    """A twitter-text configuration (``config/vN.json``); weights are in 1/scale units."""

    version: int
    max_weighted_tweet_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    ranges: tuple[XRange, ...]
    emoji_parsing_enabled: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> XConfig:
        """Build from the upstream JSON keys (camelCase)."""
        return cls(
            version=int(data["version"]),
            max_weighted_tweet_length=int(data["maxWeightedTweetLength"]),
            scale=int(data["scale"]),
            default_weight=int(data["defaultWeight"]),
            transformed_url_length=int(data["transformedURLLength"]),
            ranges=tuple(
                XRange(int(r["start"]), int(r["end"]), int(r["weight"])) for r in data["ranges"]
            ),
            emoji_parsing_enabled=bool(data.get("emojiParsingEnabled", False)),
        )

    def weight(self, code_point: int) -> int:
        """The weight of one code point outside URLs and emoji."""
        for r in self.ranges:
            if r.start <= code_point <= r.end:
                return r.weight
        return self.default_weight


@functools.cache
def load_x_config(version: int = 3) -> XConfig:
    """The packaged twitter-text config ``v{version}.json`` (2 and 3 ship), read once."""
    name = f"v{version}.json"
    folder = resources.files("generator").joinpath("data", "twitter-text")
    if not folder.joinpath(name).is_file():
        raise ValueError(f"no twitter-text config {name} in generator/data/twitter-text")
    return XConfig.from_mapping(json.loads(folder.joinpath(name).read_text("utf-8")))


@dataclass(frozen=True)
class XResult:
    """What twitter-text's ``parseTweet`` returns; ranges are UTF-16 indices, inclusive."""

    weighted_length: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    display_range_start: int
    display_range_end: int


#: Characters that make a post invalid (twitter-text ``invalidChars``).
_X_INVALID_CHARS = frozenset("\ufffe\ufeff\uffff")
#: Where an emoji can start: keycaps (#, *, digits), ©, ® and everything from U+2000 up.
_EMOJI_START = "[#*0-9\xa9\xae\u2000-\U0010ffff]"
#: Emoji that default to text style (©, ®, ☺...); a lone one is text to twemoji-parser.
_EMOJI_PRESENTATION = regex.compile(r"\p{Emoji_Presentation}")


#: Finds the next place an emoji may start, so the trie is walked only from there.
_EMOJI_CANDIDATE = regex.compile(_EMOJI_START)


@functools.cache
def _emoji_trie() -> dict[str, Any]:
    """Emoji sequences from the ``emoji`` package's EMOJI_DATA, as a prefix tree of dicts
    (``""`` marks the end of a sequence).

    That data follows current Unicode emoji releases; twemoji-parser, which X's library
    uses, stopped at Emoji 12 (2019), so newer sequences would count per code point there.
    ``emoji.emoji_list`` itself is not used: it drops an emoji followed by a stray ZWJ.
    A tree of dicts, not one regular expression of the 5,000 sequences: compiling that
    took every process that counted for X 0.2-0.3 s; the tree is built in 10 ms.
    """
    import emoji  # imported lazily: its tables take a moment to build

    # Fully-qualified sequences and components, as twemoji lists them; of the others only
    # keycaps without U+FE0F ("1\u20e3"), which upstream's conformance counts as one emoji.
    fully_qualified = emoji.STATUS["fully_qualified"]
    return _prefix_tree(seq for seq, data in emoji.EMOJI_DATA.items()
                        if data["status"] <= fully_qualified or seq.endswith("\u20e3"))


def _longest_emoji(text: str, start: int, trie: dict[str, Any]) -> int:
    """End of the longest emoji sequence at ``start`` (``start`` if there is none)."""
    node, end = trie, start
    for index in range(start, len(text)):
        found = node.get(text[index])
        if found is None:
            break
        node = found
        if "" in node:
            end = index + 1
    return end


def _emoji_spans(text: str) -> dict[int, int]:
    """Start -> end (code points) of each emoji sequence, longest first, left to right.

    Unknown ZWJ combinations stay separate emoji, as in twemoji-parser. A single
    text-style character such as © without U+FE0F is not an emoji there, so not here.
    """
    trie = _emoji_trie()
    spans: dict[int, int] = {}
    pos = 0
    while (candidate := _EMOJI_CANDIDATE.search(text, pos)) is not None:
        start = candidate.start()
        end = _longest_emoji(text, start, trie)
        if end == start:
            pos = start + 1
            continue
        pos = end
        if end - start == 1 and not _EMOJI_PRESENTATION.match(text, start):
            continue
        spans[start] = end
    return spans


def x_parse(text: str, config: XConfig | None = None) -> XResult:
    """twitter-text ``parseTweet``: weighted length, validity and the valid/display ranges.

    The text is NFC-normalised; each URL weighs ``transformedURLLength`` characters, each
    emoji sequence (v3) ``defaultWeight``, every other code point by the config's ranges.
    CR LF is two characters, as in the JavaScript library. ``weighted_length`` is rounded
    up to a whole character (only matters for configs with non-multiple-of-scale weights).
    """
    cfg = config if config is not None else load_x_config()
    normalized = unicodedata.normalize("NFC", text)
    urls = dict(extract_url_spans(normalized))
    emojis = (
        _emoji_spans(normalized) if cfg.emoji_parsing_enabled and not normalized.isascii() else {}
    )
    limit = cfg.max_weighted_tweet_length * cfg.scale
    weighted = 0
    valid = True
    valid_end = 0  # UTF-16 index of the last unit still within the limit
    i = unit = 0
    n = len(normalized)
    table = _weight_table(cfg, normalized)
    while i < n:
        if i in urls:
            end, weight = urls[i], cfg.transformed_url_length * cfg.scale
        elif i in emojis:
            end, weight = emojis[i], cfg.default_weight
        else:
            end, weight = i + 1, table[normalized[i]]
        weighted += weight
        unit += utf16(normalized[i:end])
        # Like upstream, only the item's last code point is checked for invalid characters.
        valid = valid and normalized[end - 1] not in _X_INVALID_CHARS
        if valid and weighted <= limit:
            valid_end = unit - 1
        i = end
    length = weighted / cfg.scale
    text_units = utf16(text)
    return XResult(
        weighted_length=-(-weighted // cfg.scale),
        valid=valid and 0 < length <= cfg.max_weighted_tweet_length,
        permillage=math.floor(length / cfg.max_weighted_tweet_length * 1000),
        valid_range_start=0,
        valid_range_end=valid_end + text_units - utf16(normalized),
        display_range_start=0,
        display_range_end=max(text_units - 1, 0),
    )


@functools.cache
def _ascii_weights(config: XConfig) -> tuple[int, ...]:
    return tuple(config.weight(cp) for cp in range(128))


@functools.cache
def _known_weights(config: XConfig) -> dict[str, int]:
    """Each character's weight once looked up, per config: scanning the ranges for every
    code point was most of the time X's count took."""
    return {chr(cp): weight for cp, weight in enumerate(_ascii_weights(config))}


def _weight_table(config: XConfig, text: str) -> dict[str, int]:
    """The config's weights, with every character of ``text`` in them."""
    table = _known_weights(config)
    for char in set(text):
        if char not in table:  # membership tests only: safe beside another thread
            table[char] = config.weight(ord(char))
    return table


def x_weighted(text: str, config: XConfig | None = None) -> int:
    """X's weighted length in whole characters (``weightedLength``), v3 config by default.

    Plain ASCII without a "." can hold neither a URL nor an emoji and skips the full parse.
    Any other text is weighed as :func:`x_parse` weighs it, without the valid and display
    ranges that only a parse reports: URLs and emoji where they start, the text between
    them a character at a time (a sum over each stretch, not a step per character).
    """
    cfg = config if config is not None else load_x_config()
    if text.isascii() and "." not in text:
        ascii_table = _ascii_weights(cfg)
        return -(-sum(ascii_table[ord(c)] for c in text) // cfg.scale)
    normalized = unicodedata.normalize("NFC", text)
    urls = dict(extract_url_spans(normalized))
    emojis = (
        _emoji_spans(normalized) if cfg.emoji_parsing_enabled and not normalized.isascii() else {}
    )
    table = _weight_table(cfg, normalized)
    weighted = 0
    done = 0  # where the text not yet weighed starts
    for start in sorted(urls.keys() | emojis.keys()):
        if start < done:  # inside a URL or emoji already weighed, as x_parse skips it
            continue
        weighted += sum(map(table.__getitem__, normalized[done:start]))
        if start in urls:
            done, weight = urls[start], cfg.transformed_url_length * cfg.scale
        else:
            done, weight = emojis[start], cfg.default_weight
        weighted += weight
    weighted += sum(map(table.__getitem__, normalized[done:]))
    return -(-weighted // cfg.scale)


# --------------------------------------------------------------------------------------
# Mastodon bio (note)
# --------------------------------------------------------------------------------------

#: Mastodon widens twitter-text's path and query characters (config/initializers/
#: twitter_regex.rb): a path is anything but white space, <, >, parentheses and "?".
_M_PATH_CHAR = regex.compile(r"[^\p{White_Space}<>()?]")
_M_PATH_END_CHAR = regex.compile(r"[^\p{White_Space}()?!*\"'「」<>;:=,.$%\[\]~&|@]")
_M_PARENS = _balanced_parens(_M_PATH_CHAR.pattern)
_M_UCHARS = (
    r"\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    r"\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    r"\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    r"\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    r"\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)
_M_QUERY_CHAR = regex.compile(f"[a-zA-Z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^{_M_UCHARS}]")
_M_QUERY_END_CHAR = regex.compile(f"[a-zA-Z0-9_&=#/\\-{_M_UCHARS}]")
#: ``@user@domain`` counts as ``@user`` (Account::MENTION_RE, case-insensitive).
_M_MENTION = regex.compile(
    r"(?<![=/\w])@(?P<user>[a-zA-Z0-9_]+(?:[a-zA-Z0-9_.\-]+[a-zA-Z0-9_]+)?)(?:@[\w.\-]+\w+)?"
)
MASTODON_URL_LENGTH = 23


@functools.cache
def _mastodon_url_pattern() -> Any:
    """A linkable URL in a Mastodon bio: http(s) required, not glued to preceding text."""
    return regex.compile(f"{_BEFORE_URL}(?P<url>(?i:https?://){_with_tlds(_DOMAIN)}{_PORT})")


def mastodon_countable_text(text: str) -> str:
    """The bio as Mastodon measures it: URLs as 23 placeholders, mentions without domain.

    The character before a URL is kept. (Mastodon's pattern captures it too, so its gsub
    may swallow that character; keeping it can only over-count by one per URL.)
    """
    pieces: list[str] = []
    # A URL needs its scheme: a text without "://" has none, and the pattern (with every
    # TLD) takes a tenth of a second to compile, in each process that renders.
    pattern = _mastodon_url_pattern() if "://" in text else None
    pos = 0
    while pattern is not None and (m := pattern.search(text, pos)) is not None:
        end, _ = _scan_path_and_query(
            text,
            m.end(),
            (_M_PATH_CHAR, _M_PATH_END_CHAR, _M_PARENS),
            (_M_QUERY_CHAR, _M_QUERY_END_CHAR),
        )
        pieces.append(text[pos : m.start("url")])
        pieces.append("x" * MASTODON_URL_LENGTH)
        pos = end
    pieces.append(text[pos:])
    rewritten: str = _M_MENTION.sub(_mention_without_domain, "".join(pieces))
    return rewritten


def _mention_without_domain(mention: Any) -> str:
    return "@" + str(mention.group("user"))


def mastodon_note(text: str) -> int:
    """Mastodon bio length: graphemes after URL and mention rewriting (note_length_validator)."""
    if "@" not in text and "://" not in text:
        return graphemes(text)
    return graphemes(mastodon_countable_text(text))


# --------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------


def _x_weighted_rule(text: str) -> int:
    return x_weighted(text)


RULES: Mapping[str, Callable[[str], int]] = MappingProxyType(
    {
        "code_points": code_points,
        "utf16": utf16,
        "graphemes": graphemes,
        "utf8_bytes": utf8_bytes,
        "x_weighted": _x_weighted_rule,
        "mastodon_note": mastodon_note,
        "strictest": strictest,
    }
)

RULE_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "code_points": "Unicode code points (Python len, Rails length)",
        "utf16": "UTF-16 code units (JavaScript length, Telegram entity offsets)",
        "graphemes": "extended grapheme clusters (Unicode 15.1+, regex \\X)",
        "utf8_bytes": "UTF-8 bytes (Bluesky maxLength)",
        "x_weighted": "X/twitter-text v3 weighted length: NFC, URL = 23, emoji = 2, CJK = 2",
        "mastodon_note": "Mastodon bio: graphemes after URL = 23 and @user@domain = @user",
        "strictest": "largest of code points, UTF-16 units and graphemes (no documented rule)",
    }
)


def count(text: str, rule: str) -> int:
    """Length of ``text`` by the named rule; ValueError (not KeyError) for unknown names."""
    try:
        counter = RULES[rule]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise ValueError(f"unknown counting rule {rule!r}; known rules: {known}") from None
    return counter(text)


def all_counts(text: str) -> dict[str, int]:
    """Every rule's count, keys sorted, for ``kanalprofil count --json``."""
    return {name: RULES[name](text) for name in sorted(RULES)}


#: What counting for X and Mastodon builds on first use (0.3 s together), one step each:
#: a build may make them before it forks its workers, which then inherit them.
WARM_UP: tuple[Callable[[], object], ...] = (
    _x_url_pattern, _ascii_domain_pattern, _mastodon_url_pattern, _emoji_trie)
