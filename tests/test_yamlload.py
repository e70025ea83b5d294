"""YAML is read with YAML 1.2 meanings, with locations, and refuses what would surprise."""

from __future__ import annotations

import pytest

from generator.yamlload import LocatedDict, YamlError, decode, loads


def test_yaml12_scalars_keep_their_text() -> None:
    data = loads("a: no\nb: 15:30\nc: yes\nd: 2026-01-01\ne: off\nf: 012\n", "x.yml")
    assert data == {"a": "no", "b": "15:30", "c": "yes", "d": "2026-01-01", "e": "off",
                    "f": 12}


def test_yaml12_core_types() -> None:
    data = loads("t: true\nf: False\nn: null\ne:\ni: -3\nh: 0x1F\no: 0o17\nx: 1.5\n", "x.yml")
    assert data == {"t": True, "f": False, "n": None, "e": None, "i": -3, "h": 31, "o": 15,
                    "x": 1.5}


def test_locations_are_one_based() -> None:
    data = loads("top:\n  inner: [a, b]\n", "x.yml")
    assert isinstance(data, LocatedDict)
    assert str(data.key_at("top")) == "x.yml:1:1"
    inner = data["top"]
    assert str(inner.key_at("inner")) == "x.yml:2:3"
    assert str(inner["inner"].item_at(1)) == "x.yml:2:14"


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(YamlError) as info:
        loads("a: 1\nb: 2\na: 3\n", "dup.yml")
    assert str(info.value) == "dup.yml:3:1: duplicate key 'a' (first defined on line 1); " \
        "remove one of them"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_is_an_error(text: str) -> None:
    with pytest.raises(YamlError, match="file is empty"):
        loads(text, "e.yml")


def test_syntax_error_has_location_and_hint() -> None:
    with pytest.raises(YamlError) as info:
        loads("a: [1, 2\nb: 3\n", "s.yml")
    assert str(info.value).startswith("s.yml:2:")
    assert "(fix the YAML syntax)" in str(info.value)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(YamlError, match="expands to more than"):
        loads("\n".join(lines) + "\n", "bomb.yml")


def test_small_aliases_are_fine() -> None:
    assert loads("a: &x [1, 2]\nb: *x\n", "x.yml") == {"a": [1, 2], "b": [1, 2]}


def test_bom_and_crlf_read_like_plain_lf() -> None:
    plain = loads(decode(b"a: 1\nb: [x, y]\n", "p.yml"), "p.yml")
    other = loads(decode(b"\xef\xbb\xbfa: 1\r\nb: [x, y]\r\n", "p.yml"), "p.yml")
    assert plain == other


def test_other_encodings_are_refused() -> None:
    with pytest.raises(YamlError, match="UTF-16"):
        decode("a: 1\n".encode("utf-16"), "u.yml")
    with pytest.raises(YamlError) as info:
        decode("a: bl\xe5\n".encode("latin-1"), "l.yml")
    assert str(info.value) == "l.yml:1:6: byte 0xe5 is not valid UTF-8 (save the file as UTF-8)"


def test_non_text_keys_are_refused() -> None:
    with pytest.raises(YamlError, match="keys must be text"):
        loads("1: x\n", "k.yml")
