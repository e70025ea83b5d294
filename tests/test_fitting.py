"""Fitting picks the longest variant within every limit, and never returns one over it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.catalogue import Limit
from generator.fitting import combinations, fit, fits, measure, normalise
from generator.templating import PARAGRAPH

RULES = ["code_points", "utf16", "graphemes", "utf8_bytes", "x_weighted", "mastodon_note",
         "strictest"]
limits_strategy = st.lists(
    st.builds(Limit, max=st.integers(1, 300),
              count=st.lists(st.sampled_from(RULES), min_size=1, max_size=3).map(tuple)),
    min_size=1, max_size=3).map(tuple)
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120)


@given(variants=st.lists(st.lists(texts, min_size=1, max_size=4), min_size=1, max_size=2),
       limits=limits_strategy)
def test_fit_never_returns_a_text_over_any_limit(variants: list[list[str]],
                                                 limits: tuple[Limit, ...]) -> None:
    fitted, measures = fit(variants, limits, " / ")
    if fitted is None:
        assert measures and not all(m.fits for m in measures)
        for choice in combinations([len(v) for v in variants]):
            text = " / ".join(variants[i][c] for i, c in enumerate(choice))
            assert not fits(text, limits)
    else:
        assert fits(fitted.text, limits)
        assert all(m.count <= m.limit for m in measure(fitted.text, limits))


@given(variants=st.lists(texts, min_size=1, max_size=5), limits=limits_strategy)
def test_fit_takes_the_first_variant_that_fits(variants: list[str],
                                               limits: tuple[Limit, ...]) -> None:
    fitted, _ = fit([variants], limits, "")
    first = next((i for i, v in enumerate(variants) if fits(v, limits)), None)
    assert (fitted.choice[0] if fitted else None) == first


def test_bilingual_texts_shorten_evenly() -> None:
    assert combinations([3, 3])[:4] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_normalise_collapses_layout_and_keeps_paragraphs() -> None:
    raw = f"  One\n  sentence.\n{PARAGRAPH}\nTwo.  \n"
    assert normalise(raw, line_breaks=True) == "One sentence.\n\nTwo."
    assert normalise(raw, line_breaks=False) == "One sentence. Two."


def test_normalise_gives_nfc() -> None:
    assert normalise("Tromso\u0308", line_breaks=False) == "Tromsö"
