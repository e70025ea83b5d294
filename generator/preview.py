"""The browser preview, ``output/index.html``: every profile as it will look, on one page.

This module only builds plain data (cards, slots, meters) from a build result; the page
itself is ``templates/preview.html.j2`` (autoescaped, CSS and JS inline, no network
requests). The preview is deterministic like every other output file and is committed.
It is a staff tool and shows only public values: nothing internal (owner, review dates,
notes) is passed to the template.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from generator.model import STATUSES
from generator.outputtext import text_bytes
from generator.previewwords import PREVIEW_WORDS, preview_words, rule_label, slot_label
from generator.texts import Statement, StoredStatement, statement_path

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.catalogue import Platform
    from generator.localise import Localiser
    from generator.outputfiles import OutputFiles
    from generator.profiles import Profiles
    from generator.render import Renderer
    from generator.staging import Stager
    from generator.texts import StoredText, Text

PREVIEW_PATH = "index.html"
PREVIEW_TEMPLATE = "preview.html.j2"
#: With ``preview_statements: auto``, a project with more channels than this links each
#: card's statements instead of showing them in the card: they are most of the page
#: (three languages' statements, about 8 KB of a channel's 11), which at 1,000 channels
#: was an 11 MB page, at 5,000 a 57 MB one (17 MB linked) that a browser opens slowly,
#: and that every rebuild wrote again.
INLINE_STATEMENTS_MAX = 200
#: The language of the preview's own words when nothing else is asked for.
UI_LANG = "en"

_FIELD = re.compile(r"field-(\d+)-(name|value)")
_HEADING = re.compile(r"<(/?)h([1-6])>")


@dataclass(frozen=True)
class Meter:
    """One limit of a text: ``count / limit`` counted by ``rule``."""

    rule: str
    count: int
    limit: int
    #: How ``rule`` counts, in the preview's language (English when not given).
    label: str = field(default="", compare=False)

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.limit)) if self.limit else 0

    @property
    def rule_label(self) -> str:
        return self.label or rule_label(PREVIEW_WORDS, self.rule)


@dataclass(frozen=True)
class SlotView:
    """A text shown in a card; its words are read only when the card is rendered.

    Cards are fragments keyed by their pickle (see :class:`StatementView`): the key holds
    the sha256 of the text's file, not the text, so a card found in the fragment cache
    never reads a text taken over from output/ (:class:`~generator.texts.StoredText`).
    """

    key: str  #: the path of the text's ``.txt`` file under output/ (also the copy key)
    slot: str
    label: str
    meters: tuple[Meter, ...]
    languages: tuple[str, ...]
    #: What joins the languages of a bilingual text (see :func:`split_languages`).
    separator: str
    #: The sha256 of the text's file in output/.
    digest: str
    #: The text, rendered now or taken from output/. Never in the key.
    source: Text | StoredText | None = field(default=None, compare=False, repr=False)

    @cached_property
    def text(self) -> str:
        """Read once (a template asks more than once), and only if the card is rendered."""
        if self.source is None:
            raise ValueError(f"{self.key}: a slot view from a pickle has no text")
        return self.source.text

    @cached_property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """The text split by language (``[(lang, part)]``, separators as ``("", sep)``),
        so a bilingual text can mark each part with its own ``lang`` attribute."""
        return split_languages(self.text, self.languages, self.separator)

    @property
    def over(self) -> bool:
        return any(m.over for m in self.meters)

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in _SLOT_STATE}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in {**state, "source": None}.items():
            object.__setattr__(self, name, value)


_SLOT_STATE = ("key", "slot", "label", "meters", "languages", "separator", "digest")


@dataclass(frozen=True)
class StatementView:
    """A statement shown in a card; its HTML is made only when the card is rendered.

    Cards are fragments (:mod:`generator.fragments`), keyed by their pickle: a card whose
    fragment is cached never asks for ``html``, so a rebuild neither reads back every
    statement taken over from output/ nor holds an embedded copy of each. The key holds
    the sha256 of the statement's Markdown file, which the HTML is made from (see
    ``__getstate__``), not the Markdown itself.
    """

    lang: str
    language_name: str
    path: str
    #: The sha256 of the statement's Markdown file in output/.
    digest: str
    #: The statement: its HTML if this build made it, else the Markdown to make it from
    #: (read back from output/ for a statement taken over from there). Never in the key.
    source: Statement | StoredStatement | None = field(default=None, compare=False,
                                                       repr=False)

    @property
    def html(self) -> str:
        from generator.pages import to_html

        if self.source is None:
            raise ValueError(f"{self.path}: a statement view from a pickle has no "
                             "Markdown to make its HTML from")
        known = self.source.known_html()  # unpacked now, and not kept
        return embedded_statement_html(known if known is not None
                                       else to_html(self.source.markdown))

    def __getstate__(self) -> dict[str, str]:
        return {"lang": self.lang, "language_name": self.language_name, "path": self.path,
                "digest": self.digest}

    def __setstate__(self, state: dict[str, str]) -> None:
        for name, value in {**state, "source": None}.items():
            object.__setattr__(self, name, value)


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
    #: The organisation's name in the card's first language: the display name of a
    #: profile without a name text.
    org_name: str
    initials: str
    slots: dict[str, SlotView] = field(default_factory=dict)
    fields: list[tuple[SlotView, SlotView | None]] = field(default_factory=list)
    statements: list[StatementView] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        name = self.slots.get("name")
        return name.text if name is not None else self.org_name

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


@lru_cache(maxsize=256)
def language_name(code: str, in_lang: str = UI_LANG) -> str:
    """A language's name from CLDR ("Norwegian Bokmål"); the code if CLDR has none.

    Kept in the on-disk cache when a build uses one: the preview names every language
    in its own language, and loading each locale's CLDR data takes tens of ms.
    """
    from generator.chunkcache import library_version
    from generator.markup import cached

    label = f"language name|babel {library_version('babel')}"
    return cached(label, f"{code}\0{in_lang}", _cldr_language_name)


def _cldr_language_name(key: str) -> str:
    code, in_lang = key.split("\0")
    try:
        name = Locale.parse(code).get_display_name(in_lang)
    except (ValueError, UnknownLocaleError):
        return code
    return str(name[:1].upper() + name[1:]) if name else code


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


def slot_view(text: Text | StoredText, platform: Platform, digest: str,
              words: Mapping[str, Any] = PREVIEW_WORDS) -> SlotView:
    """``digest``: the sha256 of the text's file."""
    base = _FIELD.sub(r"field-\2", text.slot)
    slot = platform.slots.get(text.slot) or platform.slots.get("fields")
    separator = "\n\n" if slot is not None and slot.line_breaks else " / "
    return SlotView(
        key=text.path, slot=text.slot, label=slot_label(words, platform.id, base),
        meters=tuple(Meter(rule, count, limit, rule_label(words, rule))
                     for rule, count, limit in text.measures),
        languages=text.languages, separator=separator, digest=digest, source=text)


def embedded_statement_html(html: str, shift: int = 2) -> str:
    """A statement's sanitised HTML with headings moved down, to sit inside a card."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", html)


def initials(name: str) -> str:
    words = [w for w in re.split(r"\W+", name) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def build_cards(texts: Sequence[Text | StoredText],
                statements: Sequence[Statement | StoredStatement],
                profiles: Profiles, platforms: Mapping[str, Platform],
                org_names: Mapping[str, str], ui_lang: str = UI_LANG,
                words: Mapping[str, Any] = PREVIEW_WORDS,
                files: OutputFiles | None = None) -> list[Card]:
    """One card per channel and profile language, in channel order, texts in slot order;
    labels in ``words`` and language names in ``ui_lang``, the preview's language.
    ``files``, the build's, give each statement's hash without reading it again."""

    def digest(item: Text | StoredText | Statement | StoredStatement) -> str:
        """The sha256 of the file of a text or statement (the key of its card)."""
        if files is not None and item.path in files:
            return files.sha256(item.path)
        content = item.markdown if isinstance(item, Statement | StoredStatement) \
            else item.text
        return hashlib.sha256(text_bytes(content)).hexdigest()

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
                language_names=" + ".join(language_name(lang, ui_lang)
                                          for lang in text.languages),
                handle=channel.handle or "", url=channel.url, org_name=org_name,
                initials=initials(org_name))
        view = slot_view(text, platform, digest(text), words)
        match = _FIELD.fullmatch(text.slot)
        if match is None:
            card.slots[text.slot] = view
        elif match.group(2) == "name":
            card.fields.append((view, None))
        elif card.fields:
            card.fields[-1] = (card.fields[-1][0], view)
    by_card_channel: dict[str, list[Card]] = {}
    for card in cards.values():
        by_card_channel.setdefault(card.channel, []).append(card)
    for statement in statements:
        for card in by_card_channel.get(statement.channel, ()):
            card.statements.append(StatementView(
                statement.language, language_name(statement.language, ui_lang),
                statement_path(statement.channel, statement.language, ".html"),
                digest(statement), statement))
    order = {c.id: i for i, c in enumerate(profiles.channels)}
    return sorted(cards.values(), key=lambda c: (order[c.channel], c.languages))


def inline_statements(setting: str, channels: int) -> bool:
    """Whether the preview shows each card's statements in the card (the project's
    ``preview_statements`` setting, for a project of ``channels`` channels)."""
    return setting == "inline" or (setting == "auto" and channels <= INLINE_STATEMENTS_MAX)


def preview_context(result: BuildResult, renderer: Renderer, profiles: Profiles,
                    languages: Sequence[str], ui_lang: str | None = None,
                    overviews: Collection[str] = (), *, inline: bool = True
                    ) -> dict[str, object]:
    """Everything ``preview.html.j2`` shows; only public values. Its own words are in
    ``ui_lang`` (default: the first of ``languages``); ``overviews`` are the languages
    with a public channel overview to link to (made at the same time, by the workers);
    ``inline``: whether cards show their statements or only link to them."""
    org = profiles.organisation
    ui_lang = ui_lang or (languages[0] if languages else UI_LANG)
    localiser = renderer.localisers.get(ui_lang)
    own_words = localiser.words if localiser is not None else {}
    words = preview_words(own_words)
    org_names = {lang: org.name[lang] for lang in org.languages}
    cards = build_cards(result.texts, result.statements, profiles,
                        renderer.catalogue.platforms, org_names, ui_lang, words, result.files)
    short = org.short_name or org.name
    for card in cards:
        card.initials = initials(short.get(card.languages[0]) or card.display_name)
    ui_name = org_names.get(ui_lang) or org_names[org.languages[0]]
    statuses = {c.status for c in cards}
    card_langs = {lang for c in cards for lang in c.languages}
    status_words = own_words.get("statuses")
    status_names = {status: str(status_words.get(status, status))
                    if isinstance(status_words, Mapping) else status for status in STATUSES}
    over = sum(1 for c in cards for s in c.all_slots if s.over)
    count = sum(len(c.all_slots) for c in cards)
    context = {
        "lang": ui_lang,
        "title": words["title"].format(organisation=ui_name),
        "organisation": ui_name,
        "ui": words,
        "intro": Markup(escape(words["intro"]).replace(
            "{folder}", Markup("<code>channels/</code>"))),
        "statuses": status_names,
        # what the page's script says, in the same words
        "script_words": {key: words[key] for key in
                         ("showing", "none_shown", "copy_button", "copied", "copied_status",
                          "copy_failed")},
        "cards": cards,
        "filters": {
            "platform": sorted({(c.platform, c.platform_name) for c in cards},
                               key=lambda p: p[1].casefold()),
            "language": [(lang, language_name(lang, ui_lang)) for lang in languages
                         if lang in card_langs],
            "status": [s for s in STATUSES if s in statuses],
        },
        "overviews": [(lang, language_name(lang, ui_lang), language_name(lang, lang),
                       f"site/{lang}/overview.html")
                      for lang in languages if lang in overviews],
        "planned": [c.id for c in profiles.channels if c.status == "planned"],
        # part of every card's fragment key, with the rest of the page scope
        "inline_statements": inline,
        "over": over,
        "summary": words["summary"].format(
            profiles=_counted(localiser, len(cards), words["profiles"]),
            texts=_counted(localiser, count, words["texts"]),
            over=words["over_some"].format(n=over) if over else words["over_none"]),
    }
    if "texts" in renderer.templates.undeclared(PREVIEW_TEMPLATE):
        # every text by its path, for a template of the project's own that asks for them
        # (the built-in one copies them from the page): each is read for it
        context["texts"] = {s.key: s.text for c in cards for s in c.all_slots}
    return context


def _counted(localiser: Localiser | None, count: int, forms: Mapping[str, str]) -> str:
    """"1 profile", "12 profiles" in the preview's language (English without one)."""
    if localiser is not None:
        return localiser.plural(count, forms)
    return forms["one" if count == 1 else "other"].format(n=count)


#: The preview context's values made from the list of channels: a card's fragment may
#: not depend on them, so the page scope leaves them out (see :mod:`generator.fragments`).
PREVIEW_LISTS = ("cards", "texts", "filters", "planned", "over", "summary")


def add_preview(result: BuildResult, renderer: Renderer, profiles: Profiles,
                languages: Sequence[str], ui_lang: str | None = None,
                overviews: Collection[str] = (), stager: Stager | None = None, *,
                inline: bool = True) -> None:
    """The preview page; rendered piece by piece, since it grows with every channel, and
    with a ``stager`` written to output/ as it is rendered (17 MB at 5,000 channels with
    statements linked, 57 MB with them in the cards)."""
    from generator import fragments
    from generator.pages import scope_inputs

    context = preview_context(result, renderer, profiles, languages, ui_lang, overviews,
                              inline=inline)
    context[fragments.SCOPE] = fragments.page_scope(
        PREVIEW_TEMPLATE, context, leave_out=PREVIEW_LISTS, inputs=scope_inputs(renderer))

    def add(pieces: Iterable[str]) -> None:
        if stager is not None:
            stager.stage_pieces(result.files, PREVIEW_PATH, pieces)
        else:
            result.add_pieces(PREVIEW_PATH, pieces)

    rendered = renderer.render_page_to(add, PREVIEW_TEMPLATE, context)
    fragments.flush()
    if not rendered:
        result.files.pop(PREVIEW_PATH, None)
