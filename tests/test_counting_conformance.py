"""twitter-text's own conformance cases (conformance/validate.yml) against generator.counting.

Which config each group uses follows upstream's Ruby runner (rb/test/conformance_test.rb):
WeightedTweetsCounterTest is v2 (no emoji parsing), the other two weighted groups are v3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.counting import XConfig, XResult, is_valid_url, load_x_config, x_parse, x_weighted

VALIDATE_YML = Path(__file__).parent / "data" / "twitter-text" / "validate.yml"


def _groups() -> dict[str, list[dict[str, Any]]]:
    # Double-quoted YAML escapes (\U0001f431, \uFFFE) are decoded by the YAML parser itself.
    with VALIDATE_YML.open(encoding="utf-8") as f:
        data: dict[str, dict[str, list[dict[str, Any]]]] = yaml.safe_load(f)
    return data["tests"]


GROUPS = _groups()


def _cases(group: str) -> list[Any]:
    return [pytest.param(case, id=case["description"]) for case in GROUPS[group]]


def _expected(result: XResult) -> dict[str, Any]:
    return {
        "weightedLength": result.weighted_length,
        "valid": result.valid,
        "permillage": result.permillage,
        "displayRangeStart": result.display_range_start,
        "displayRangeEnd": result.display_range_end,
        "validRangeStart": result.valid_range_start,
        "validRangeEnd": result.valid_range_end,
    }


def _check(case: dict[str, Any], config: XConfig) -> None:
    result = x_parse(case["text"], config)
    assert _expected(result) == case["expected"]
    assert x_weighted(case["text"], config) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", _cases("WeightedTweetsCounterTest"))
def test_weighted_v2(case: dict[str, Any]) -> None:
    _check(case, load_x_config(2))


@pytest.mark.parametrize("case", _cases("WeightedTweetsWithDiscountedEmojiCounterTest"))
def test_weighted_v3_discounted_emoji(case: dict[str, Any]) -> None:
    _check(case, load_x_config(3))


@pytest.mark.parametrize("case", _cases("UnicodeDirectionalMarkerCounterTest"))
def test_directional_markers_v3(case: dict[str, Any]) -> None:
    _check(case, load_x_config(3))


@pytest.mark.parametrize("case", _cases("urls"))
def test_valid_url(case: dict[str, Any]) -> None:
    assert is_valid_url(case["text"]) is case["expected"]


@pytest.mark.parametrize("case", _cases("urls_without_protocol"))
def test_valid_url_without_protocol(case: dict[str, Any]) -> None:
    assert is_valid_url(case["text"], require_protocol=False) is case["expected"]


def test_group_sizes_as_documented() -> None:
    """Guards against a truncated copy: platforms.md lists these counts for upstream HEAD."""
    sizes = {name: len(cases) for name, cases in GROUPS.items()}
    assert sizes["WeightedTweetsCounterTest"] == 20
    assert sizes["WeightedTweetsWithDiscountedEmojiCounterTest"] == 22
    assert sizes["UnicodeDirectionalMarkerCounterTest"] == 2
    assert sizes["urls"] == 24
    assert sizes["urls_without_protocol"] == 5
