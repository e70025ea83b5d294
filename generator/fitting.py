"""Pick the longest text variant that fits a slot, counted the way its platform counts.

Templates offer variants longest first; the first one within every limit of the slot
wins. A bilingual profile is one text: its languages' variants are combined, shortening
all languages evenly, and the combination is fitted as a whole.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from generator.catalogue import Limit
from generator.counting import count
from generator.templating import PARAGRAPH

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Measure:
    rule: str
    count: int
    limit: int

    @property
    def fits(self) -> bool:
        return self.count <= self.limit


@functools.lru_cache(maxsize=1 << 16)
def _count(text: str, rule: str) -> int:
    """Counts are pure, and channels share many texts (the shortest variants above all)."""
    return count(text, rule)


def count_by(text: str, limit: Limit) -> int:
    """The count a limit uses: the largest of its rules' counts (strictest when unsure)."""
    return max(_count(text, rule) for rule in limit.count)


def measure(text: str, limits: Sequence[Limit]) -> list[Measure]:
    return [Measure(limit.rule_name, count_by(text, limit), limit.max) for limit in limits]


def fits(text: str, limits: Sequence[Limit]) -> bool:
    return all(count_by(text, limit) <= limit.max for limit in limits)


def normalise(text: str, *, line_breaks: bool) -> str:
    """Template output to published text: single spaces; ``{{ paragraph }}`` ends one.

    Line breaks in a text template are layout, not content, so templates stay readable.
    Paragraphs are kept where the platform keeps line breaks and joined by a space where
    it does not. The result is NFC, as platforms normalise.
    """
    paragraphs = [_SPACES.sub(" ", part).strip() for part in text.split(PARAGRAPH)]
    joiner = "\n\n" if line_breaks else " "
    return unicodedata.normalize("NFC", joiner.join(p for p in paragraphs if p))


def combinations(sizes: Sequence[int]) -> list[tuple[int, ...]]:
    """Index tuples over each language's variants, shortening all languages evenly.

    Ordered by the most-shortened language first, then by total shortening, so a
    bilingual text never keeps one language long while the other is cut to the bone.
    """
    ranges = [range(size) for size in sizes]
    return sorted(itertools.product(*ranges), key=lambda combo: (max(combo), sum(combo), combo))


@dataclass(frozen=True)
class Fitted:
    text: str
    choice: tuple[int, ...]
    measures: tuple[Measure, ...]


def fit(variants: Sequence[Sequence[str]], limits: Sequence[Limit], separator: str
        ) -> tuple[Fitted | None, list[Measure]]:
    """The first combination that fits; else None and the measures of the shortest one."""
    shortest: list[Measure] = []
    for choice in combinations([len(v) for v in variants]):
        text = separator.join(variants[lang][index] for lang, index in enumerate(choice))
        measures = measure(text, limits)
        if all(m.fits for m in measures):
            return Fitted(text, choice, tuple(measures)), measures
        if not shortest or sum(m.count for m in measures) < sum(m.count for m in shortest):
            shortest = measures
    return None, shortest
