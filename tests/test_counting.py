"""Examples for generator.counting: the public interface, each rule, and ported case data."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import counting
from generator.counting import (
    RULE_DESCRIPTIONS,
    RULES,
    XConfig,
    all_counts,
    count,
    extract_urls,
    graphemes,
    load_x_config,
    mastodon_countable_text,
    mastodon_note,
    strictest,
    utf8_bytes,
    utf16,
    x_parse,
    x_weighted,
)

DATA = Path(__file__).parent / "data"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
FAMILY_ADULTS_CHILD = "\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2"  # 🧑‍🧑‍🧒 (Emoji 15.1)
FLAG_NO = "\U0001f1f3\U0001f1f4"  # 🇳🇴
KSSI = "\u0915\u094d\u0937\u093f"  # क्षि, a Devanagari conjunct

# --- public interface -----------------------------------------------------------------


def test_rule_names_are_the_published_ones() -> None:
    expected = {
        "code_points",
        "utf16",
        "graphemes",
        "utf8_bytes",
        "x_weighted",
        "mastodon_note",
        "strictest",
    }
    assert set(RULES) == expected
    assert set(RULE_DESCRIPTIONS) == expected
    assert all(desc and "\n" not in desc for desc in RULE_DESCRIPTIONS.values())


def test_rules_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        RULES["code_points"] = len  # type: ignore[index]


def test_unknown_rule_is_a_value_error_naming_the_known_rules() -> None:
    with pytest.raises(ValueError, match="known rules: code_points, graphemes") as info:
        count("abc", "characters")
    assert not isinstance(info.value, KeyError)
    assert "'characters'" in str(info.value)


def test_all_counts_has_every_rule_in_sorted_order() -> None:
    result = all_counts("Hei 👋🏽")
    assert list(result) == sorted(RULES)
    assert result == {
        "code_points": 6,
        "graphemes": 5,
        "mastodon_note": 5,
        "strictest": 8,
        "utf16": 8,
        "utf8_bytes": 12,
        "x_weighted": 6,
    }


def test_count_dispatches_to_the_rule() -> None:
    assert count(FAMILY, "graphemes") == 1
    assert count(FAMILY, "code_points") == 7
    assert count("", "x_weighted") == 0


# --- plain units ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        pytest.param(KSSI, 1, id="Devanagari conjunct (GB9c, Unicode 15.1)"),
        pytest.param(KSSI * 3, 3, id="three conjuncts"),
        pytest.param(FAMILY, 1, id="family ZWJ sequence"),
        pytest.param(FAMILY_ADULTS_CHILD, 1, id="Emoji 15.1 family"),
        pytest.param(FLAG_NO, 1, id="flag"),
        pytest.param(FLAG_NO * 2, 2, id="two flags"),
        pytest.param("\r\n", 1, id="CRLF"),
        pytest.param("\U0001f44b\U0001f3fd", 1, id="skin tone"),
        pytest.param("a\u030a", 1, id="combining ring"),
        pytest.param("", 0, id="empty"),
    ],
)
def test_graphemes(text: str, clusters: int) -> None:
    assert graphemes(text) == clusters


def test_code_unit_and_byte_counts() -> None:
    assert utf16("\U0001f600") == 2
    assert utf16("æøå") == 3
    assert utf8_bytes("æøå") == 6
    assert utf8_bytes(FAMILY) == 25
    assert utf16("\ud800") == 1  # a lone surrogate does not raise
    assert utf8_bytes("\ud800") == 3


def test_strictest_takes_the_largest_unit() -> None:
    assert strictest("\U0001f600") == 2  # UTF-16 wins
    assert strictest(FAMILY) == 11
    assert strictest("abc") == 3


# --- X --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        pytest.param("Hei", 3, id="ASCII"),
        pytest.param("æøå ÆØÅ", 7, id="Latin-1 weighs 1"),
        pytest.param("日本語", 6, id="CJK weighs 2"),
        pytest.param(FAMILY, 2, id="ZWJ family is one emoji"),
        pytest.param(FAMILY_ADULTS_CHILD, 2, id="Emoji 15.1 sequence is one emoji"),
        pytest.param("a\r\nb", 4, id="CRLF counts 2 as in the JS library"),
        pytest.param("example.no", 23, id="bare domain is a URL"),
        pytest.param("Besøk nav.no i dag.", 6 + 23 + 7, id="bare domain in a sentence"),
        pytest.param("https://www.regjeringen.no/no/dep/", 23, id="URL with path"),
        pytest.param("Se http://example.com.", 3 + 23 + 1, id="trailing full stop"),
        pytest.param("filnavn.txt", 11, id="unknown TLD is no URL"),
        pytest.param("\u00a9 2026", 6, id="text-style copyright sign weighs 1"),
        pytest.param("\u00a9\ufe0f", 2, id="emoji-style copyright sign is an emoji"),
        pytest.param("\u2764\ufe0f\u200dx", 4, id="emoji followed by a stray ZWJ"),
    ],
)
def test_x_weighted(text: str, weighted: int) -> None:
    assert x_weighted(text) == weighted


def test_x_weighted_normalises_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Tromsø og Ålesund")
    assert decomposed != "Tromsø og Ålesund"
    assert x_weighted(decomposed) == x_weighted("Tromsø og Ålesund") == 17


def test_x_v2_weighs_emoji_per_code_point() -> None:
    v2 = load_x_config(2)
    assert not v2.emoji_parsing_enabled
    assert x_weighted(FAMILY, v2) == 4 * 2 + 3 * 1  # four people, three ZWJ
    assert x_weighted(FAMILY, load_x_config(3)) == 2


def test_x_parse_reports_validity_and_range() -> None:
    result = x_parse("a" * 281)
    assert result.weighted_length == 281
    assert not result.valid
    assert result.valid_range_end == 279
    assert result.permillage == 1003
    assert x_parse("").valid is False
    assert x_parse("a\ufffe").valid is False


def test_x_config_weights_are_data() -> None:
    config = XConfig.from_mapping(
        {
            "version": 99,
            "maxWeightedTweetLength": 10,
            "scale": 10,
            "defaultWeight": 30,
            "transformedURLLength": 5,
            "ranges": [{"start": 0, "end": 127, "weight": 10}],
        }
    )
    assert x_weighted("ab", config) == 2
    assert x_weighted("aæ", config) == 4  # æ falls back to defaultWeight 3
    assert x_weighted("see example.no", config) == 4 + 5


def test_unknown_x_config_version() -> None:
    with pytest.raises(ValueError, match=r"v1\.json"):
        load_x_config(1)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        pytest.param("Les mer på example.no.", ["example.no"], id="bare domain, full stop"),
        pytest.param("(se https://nav.no/jobb)", ["https://nav.no/jobb"], id="parentheses"),
        pytest.param(
            "https://en.wikipedia.org/wiki/Primer_(film) ok",
            ["https://en.wikipedia.org/wiki/Primer_(film)"],
            id="balanced parentheses in the path",
        ),
        pytest.param("a.no/b.no", ["a.no/b.no"], id="path with a dot"),
        pytest.param("e-post@kommune.no", [], id="e-mail address"),
        pytest.param("#kommune.no", [], id="hashtag"),
        pytest.param("https://t.co/abc123def?x=1", ["https://t.co/abc123def?x=1"], id="t.co"),
        pytest.param("ftp://example.com", [], id="ftp:// glues the domain to a slash"),
    ],
)
def test_extract_urls(text: str, urls: list[str]) -> None:
    assert extract_urls(text) == urls


# --- Mastodon -------------------------------------------------------------------------


def _join(parts: list[Any]) -> str:
    return "".join(p if isinstance(p, str) else p["repeat"] * p["times"] for p in parts)


def _mastodon_cases() -> tuple[int, list[Any]]:
    path = DATA / "mastodon" / "note_length_cases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["limit"], [pytest.param(c, id=c["id"]) for c in data["cases"]]


MASTODON_LIMIT, MASTODON_CASES = _mastodon_cases()


@pytest.mark.parametrize("case", MASTODON_CASES)
def test_mastodon_note(case: dict[str, Any]) -> None:
    text = _join(case["text"])
    assert mastodon_note(text) == case["count"]
    assert (mastodon_note(text) <= MASTODON_LIMIT) is case["fits"]


def test_mastodon_countable_text_shows_the_rewrites() -> None:
    text = "Spør @nav@mastodon.example eller se https://www.nav.no/kontakt."
    assert mastodon_countable_text(text) == "Spør @nav eller se " + "x" * 23 + "."


def test_mastodon_counts_graphemes_not_code_points() -> None:
    assert mastodon_note(KSSI + FAMILY + FLAG_NO) == 3


# --- Bluesky --------------------------------------------------------------------------


def _atproto() -> tuple[dict[str, Any], list[Any]]:
    data = json.loads((DATA / "atproto-interop" / "grapheme_cases.json").read_text("utf-8"))
    return data, [pytest.param(c, id=c["name"]) for c in data["cases"]]


ATPROTO, ATPROTO_CASES = _atproto()


def _verdict(value: int, low: int, high: int) -> str:
    return "too short" if value < low else "too long" if value > high else "valid"


@pytest.mark.parametrize("case", ATPROTO_CASES)
def test_bluesky_graphemes_and_bytes(case: dict[str, Any]) -> None:
    text = case["text"]
    assert graphemes(text) == case["graphemes"]
    assert utf8_bytes(text) == case["utf8_bytes"]
    g, b = ATPROTO["graphemeString"], ATPROTO["lenString"]
    assert _verdict(graphemes(text), g["minGraphemes"], g["maxGraphemes"]) == case["graphemeString"]
    assert _verdict(utf8_bytes(text), b["minLength"], b["maxLength"]) == case["lenString"]


# --- packaging ------------------------------------------------------------------------


def test_packaged_data_carries_its_provenance() -> None:
    data = Path(counting.__file__).parent / "data"
    assert (data / "twitter-text" / "LICENSE").is_file()
    assert (data / "twitter-text" / "SOURCE").is_file()
    assert (data / "tlds.SOURCE").is_file()
    tlds = (data / "tlds.txt").read_text("utf-8").split()
    assert {"no", "com", "jp", "پاکستان"} <= set(tlds)
    assert not [tld for tld in tlds if tld.startswith("xn--")]  # punycode TLDs match by pattern
