"""The browser preview, ``output/index.html``: every profile as it will look, on one page.

This module only builds plain data (cards, slots, meters) from a build result; the page
itself is ``templates/preview.html.j2`` (autoescaped, CSS and JS inline, no network
requests). The preview is deterministic like every other output file and is committed.
It is a staff tool and shows only public values: nothing internal (owner, review dates,
notes) is passed to the template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError

from generator.model import STATUSES

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.catalogue import Platform
    from generator.profiles import Profiles
    from generator.render import Renderer
    from generator.texts import Statement, Text

PREVIEW_PATH = "index.html"
#: The preview's own interface language (the texts keep theirs, marked with ``lang``).
UI_LANG = "en"

#: What a platform calls a slot on its profile page, where it is not the generic name.
SLOT_LABELS: Mapping[str, str] = {"name": "Name", "bio": "Bio", "about": "About",
                                  "pinned": "Pinned post", "fields": "Profile fields"}
PLATFORM_SLOT_LABELS: Mapping[tuple[str, str], str] = {
    ("facebook", "bio"): "Intro",
    ("facebook", "name"): "Page name",
    ("linkedin", "bio"): "Tagline",
    ("linkedin", "name"): "Page name",
    ("youtube", "about"): "Description",
    ("youtube", "name"): "Channel name",
    ("mastodon", "name"): "Display name",
    ("bluesky", "name"): "Display name",
    ("x", "pinned"): "Pinned post",
}
RULE_LABELS: Mapping[str, str] = {
    "code_points": "characters (code points)",
    "utf16": "UTF-16 code units",
    "graphemes": "characters (graphemes)",
    "utf8_bytes": "bytes (UTF-8)",
    "x_weighted": "weighted characters (X)",
    "mastodon_note": "characters (Mastodon)",
    "strictest": "characters (strictest count)",
}
_FIELD = re.compile(r"field-(\d+)-(name|value)")
_HEADING = re.compile(r"<(/?)h([1-6])>")


@dataclass(frozen=True)
class Meter:
    """One limit of a text: ``count / limit`` counted by ``rule``."""

    rule: str
    count: int
    limit: int

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.limit)) if self.limit else 0

    @property
    def rule_label(self) -> str:
        return " or ".join(RULE_LABELS.get(r, r) for r in self.rule.split(" or "))


@dataclass(frozen=True)
class SlotView:
    key: str  #: the path of the text's ``.txt`` file under output/ (also the copy key)
    slot: str
    label: str
    text: str
    meters: tuple[Meter, ...]
    #: The text split by language (``[(lang, part)]``, separators as ``("", sep)``), so a
    #: bilingual text can mark each part with its own ``lang`` attribute.
    parts: tuple[tuple[str, str], ...]

    @property
    def over(self) -> bool:
        return any(m.over for m in self.meters)


@dataclass(frozen=True)
class StatementView:
    lang: str
    language_name: str
    path: str
    html: str


@dataclass
class Card:
    id: str
    channel: str
    platform: str
    platform_name: str
    status: str
    languages: tuple[str, ...]
    language_names: str
    handle: str
    url: str
    display_name: str
    initials: str
    slots: dict[str, SlotView] = field(default_factory=dict)
    fields: list[tuple[SlotView, SlotView | None]] = field(default_factory=list)
    statements: list[StatementView] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return any(s.over for s in self.all_slots)

    @property
    def all_slots(self) -> list[SlotView]:
        found = list(self.slots.values())
        for name, value in self.fields:
            found.append(name)
            if value is not None:
                found.append(value)
        return found


#: Statements whose HTML :func:`build_cards` looks up at a time: few queries, and not
#: every statement's HTML held at once besides the cards' copies.
_HTML_BATCH = 500


@lru_cache(maxsize=256)
def language_name(code: str, in_lang: str = UI_LANG) -> str:
    """A language's name from CLDR ("Norwegian Bokmål"); the code if CLDR has none."""
    try:
        name = Locale.parse(code).get_display_name(in_lang)
    except (ValueError, UnknownLocaleError):
        return code
    return str(name[:1].upper() + name[1:]) if name else code


def text_path(text: Text) -> str:
    return f"channels/{text.channel}/{'+'.join(text.languages)}/{text.slot}.txt"


def split_languages(text: str, languages: Sequence[str],
                    separator: str) -> tuple[tuple[str, str], ...]:
    """``[(lang, part), ("", separator), …]`` when the text splits cleanly, else one part."""
    if len(languages) == 1:
        return ((languages[0], text),)
    pieces = text.split(separator)
    if len(pieces) != len(languages):
        return (("", text),)
    parts: list[tuple[str, str]] = []
    for index, (lang, piece) in enumerate(zip(languages, pieces, strict=True)):
        if index:
            parts.append(("", separator))
        parts.append((lang, piece))
    return tuple(parts)


def slot_view(text: Text, platform: Platform) -> SlotView:
    base = _FIELD.sub(r"field-\2", text.slot)
    slot = platform.slots.get(text.slot) or platform.slots.get("fields")
    separator = "\n\n" if slot is not None and slot.line_breaks else " / "
    label = PLATFORM_SLOT_LABELS.get((platform.id, base)) or SLOT_LABELS.get(base, base)
    return SlotView(
        key=text_path(text), slot=text.slot, label=label, text=text.text,
        meters=tuple(Meter(rule, count, limit) for rule, count, limit in text.measures),
        parts=split_languages(text.text, text.languages, separator))


def embedded_statement_html(html: str, shift: int = 2) -> str:
    """A statement's sanitised HTML with headings moved down, to sit inside a card."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", html)


def initials(name: str) -> str:
    words = [w for w in re.split(r"\W+", name) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def build_cards(texts: Sequence[Text], statements: Sequence[Statement],
                profiles: Profiles, platforms: Mapping[str, Platform],
                org_names: Mapping[str, str]) -> list[Card]:
    """One card per channel and profile language, in channel order, texts in slot order."""
    from generator.pages import to_html_many

    cards: dict[tuple[str, tuple[str, ...]], Card] = {}
    by_channel = {c.id: c for c in profiles.channels}
    for text in texts:
        channel = by_channel[text.channel]
        platform = platforms[channel.platform]
        key = (channel.id, text.languages)
        card = cards.get(key)
        if card is None:
            org_name = org_names.get(text.languages[0]) or next(iter(org_names.values()))
            card = cards[key] = Card(
                id=f"{channel.id}-{'-'.join(text.languages)}", channel=channel.id,
                platform=platform.id, platform_name=platform.name, status=channel.status,
                languages=text.languages,
                language_names=" + ".join(language_name(lang) for lang in text.languages),
                handle=channel.handle or "", url=channel.url, display_name=org_name,
                initials=initials(org_name))
        view = slot_view(text, platform)
        match = _FIELD.fullmatch(text.slot)
        if match is None:
            card.slots[text.slot] = view
            if text.slot == "name":
                card.display_name = text.text
        elif match.group(2) == "name":
            card.fields.append((view, None))
        elif card.fields:
            card.fields[-1] = (card.fields[-1][0], view)
    by_card_channel: dict[str, list[Card]] = {}
    for card in cards.values():
        by_card_channel.setdefault(card.channel, []).append(card)
    shown = [s for s in statements if s.channel in by_card_channel]
    for start in range(0, len(shown), _HTML_BATCH):
        batch = shown[start:start + _HTML_BATCH]
        # Statements taken from output/ have no HTML yet: look them up together.
        converted = iter(to_html_many([s.markdown for s in batch if s.html is None]))
        for statement in batch:
            html = statement.html if statement.html is not None else next(converted)
            embedded = StatementView(
                statement.language, language_name(statement.language),
                f"channels/{statement.channel}/{statement.language}/statement.html",
                embedded_statement_html(html))
            for card in by_card_channel[statement.channel]:
                card.statements.append(embedded)
    order = {c.id: i for i, c in enumerate(profiles.channels)}
    return sorted(cards.values(), key=lambda c: (order[c.channel], c.languages))


def preview_context(result: BuildResult, renderer: Renderer, profiles: Profiles,
                    languages: Sequence[str]) -> dict[str, object]:
    """Everything ``preview.html.j2`` shows; only public values."""
    org = profiles.organisation
    org_names = {lang: org.name[lang] for lang in org.languages}
    cards = build_cards(result.texts, result.statements, profiles,
                        renderer.catalogue.platforms, org_names)
    short = org.short_name or org.name
    for card in cards:
        card.initials = initials(short.get(card.languages[0]) or card.display_name)
    ui_name = org_names.get(UI_LANG) or org_names[org.languages[0]]
    statuses = {c.status for c in cards}
    card_langs = {lang for c in cards for lang in c.languages}
    return {
        "lang": UI_LANG,
        "title": f"Profile preview: {ui_name}",
        "organisation": ui_name,
        "cards": cards,
        "texts": {s.key: s.text for c in cards for s in c.all_slots},
        "filters": {
            "platform": sorted({(c.platform, c.platform_name) for c in cards},
                               key=lambda p: p[1].casefold()),
            "language": [(lang, language_name(lang)) for lang in languages
                         if lang in card_langs],
            "status": [s for s in STATUSES if s in statuses],
        },
        "overviews": [(lang, language_name(lang), language_name(lang, lang),
                       f"site/{lang}/overview.html")
                      for lang in languages
                      if f"site/{lang}/overview.html" in result.files],
        "planned": [c.id for c in profiles.channels if c.status == "planned"],
        "over": sum(1 for c in cards for s in c.all_slots if s.over),
    }


#: The preview context's values made from the list of channels: a card's fragment may
#: not depend on them, so the page scope leaves them out (see :mod:`generator.fragments`).
PREVIEW_LISTS = ("cards", "texts", "filters", "planned", "over")


def add_preview(result: BuildResult, renderer: Renderer, profiles: Profiles,
                languages: Sequence[str]) -> None:
    """The preview page; rendered piece by piece, since it grows with every channel."""
    from generator import fragments
    from generator.pages import scope_inputs

    context = preview_context(result, renderer, profiles, languages)
    context[fragments.SCOPE] = fragments.page_scope(
        "preview.html.j2", context, leave_out=PREVIEW_LISTS, inputs=scope_inputs(renderer))
    rendered = renderer.render_page_to(lambda pieces: result.add_pieces(PREVIEW_PATH, pieces),
                                   "preview.html.j2", context)
    fragments.flush()
    if not rendered:
        result.files.pop(PREVIEW_PATH, None)
