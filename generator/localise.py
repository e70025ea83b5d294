"""Localised lists, days, times, dates and durations from CLDR (Babel), for templates.

Hand-written tables of weekday names and list conjunctions drift and miss languages; CLDR
has them for nb, nn, en, se and hundreds more. Only what CLDR lacks (business days, the
word between two days of a range) comes from the language's ``language.yml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from generator.model import DAYS

_BABEL_DAY = {day: index for index, day in enumerate(DAYS)}  # Babel: 0 = Monday


@dataclass(frozen=True)
class Localiser:
    """Formats values for one language; built once per language, shared by all channels."""

    locale: Locale
    words: Mapping[str, Any]
    #: Formatted values by call: thousands of channels share the same days, times and
    #: durations, and CLDR formatting is slow compared with a dictionary look-up.
    _memo: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False,
                                              repr=False)

    def join(self, items: Sequence[str],
             style: Literal["standard", "or"] = "standard") -> str:
        """A list in the language's own way: "a, b og c" / "a, b or c"."""
        if not items:
            return ""
        key = ("join", style, *items)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = format_list(list(items), style=style, locale=self.locale)
        return text

    def join_or(self, items: Sequence[str]) -> str:
        return self.join(items, style="or")

    def day(self, code: str) -> str:
        return str(self.locale.days["format"]["wide"][_BABEL_DAY[code]])

    def days(self, codes: Sequence[str]) -> str:
        """Consecutive days as a range ("monday to friday"), others as a list."""
        key = ("days", *codes)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = self._days(codes)
        return text

    def _days(self, codes: Sequence[str]) -> str:
        order = sorted(codes, key=_BABEL_DAY.__getitem__)
        runs: list[list[str]] = []
        for code in order:
            if runs and _BABEL_DAY[code] == _BABEL_DAY[runs[-1][-1]] + 1:
                runs[-1].append(code)
            else:
                runs.append([code])
        through = str(self.words.get("day_range", "{first}–{last}"))
        parts = [
            through.format(first=self.day(run[0]), last=self.day(run[-1]))
            if len(run) > 2 else self.join([self.day(code) for code in run])
            for run in runs
        ]
        return self.join(parts)

    def time(self, value: dt.time) -> str:
        key = ("time", value)
        text = self._memo.get(key)
        if text is None:
            pattern = str(self.words.get("time_format", "HH:mm"))
            text = self._memo[key] = str(format_time(value, pattern, locale=self.locale))
        return text

    def date(self, value: dt.date) -> str:
        key = ("date", value)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = str(format_date(value, "long", locale=self.locale))
        return text

    def language_name(self, code: str) -> str:
        """A language's name in this language, from CLDR: "nynorsk" → "norsk nynorsk"."""
        return str(self.locale.languages.get(code.replace("-", "_"), code))

    def number(self, value: int) -> str:
        return str(format_decimal(value, locale=self.locale))

    def plural(self, count: int, forms: Mapping[str, str], *, spelled: bool = False) -> str:
        """Pick the CLDR plural form of a phrase from ``language.yml`` ({n} is the number;
        ``spelled``: in words where the language writes it so, see :meth:`spelled`)."""
        form = self.locale.plural_form(count)
        text = forms.get(form) or forms.get("other") or next(iter(forms.values()))
        return str(text).format(n=self.spelled(count) if spelled else self.number(count))

    def spelled(self, count: int) -> str:
        """A small number in words, as plain language writes it in running text ("two
        working days"): the language's ``numbers:`` list; larger ones in digits."""
        words = self.words.get("numbers")
        if isinstance(words, list) and 0 < count < len(words):
            return str(words[count])
        return self.number(count)

    def duration(self, amount: int, unit: str) -> str:
        """'2 hours', '3 business days': CLDR units where CLDR has them."""
        key = ("duration", amount, unit)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = self._duration(amount, unit)
        return text

    def _duration(self, amount: int, unit: str) -> str:
        own = self.words.get("units", {}).get(unit)
        if own:
            return self.plural(amount, own, spelled=True)
        cldr = {"hours": "duration-hour", "days": "duration-day"}[unit]
        return str(format_unit(amount, cldr, length="long", locale=self.locale))


def make_localiser(locale_code: str, words: Mapping[str, Any]) -> Localiser:
    return Localiser(Locale.parse(locale_code), words)
