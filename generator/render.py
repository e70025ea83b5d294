"""Render one channel's texts: its profile slots (fitted) and its full statements.

A slot template defines its variants as Jinja blocks, longest first; each block is
rendered on its own with a fresh commitment recorder, so the text that wins carries a
list of exactly the commitments it states. Templates mark a commitment with
``{{ carries("casework") }}`` (prints nothing) and a Mastodon profile field with
``{{ field("Website", org.website) }}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, Protocol

import jinja2

from generator.catalogue import Catalogue, Platform, Slot
from generator.context import channel_view, organisation_view
from generator.errors import Location, Problems
from generator.fitting import Fitted, fit, normalise
from generator.localise import Localiser
from generator.model import Channel, Organisation
from generator.templating import Templates, template_problem
from generator.texts import ChannelTexts, Statement, Text


class RecorderLike(Protocol):
    def carries(self, *kinds: str) -> str: ...

    def field(self, name: str, value: str) -> str: ...


class _Relay:
    """Forwards ``carries()`` and ``field()`` to the recorder of the text being rendered.

    The phrases module of a language is made once and shared by every channel; its macros
    call the relay, which the renderer points at the current recorder in :meth:`Renderer.view`.
    """

    def __init__(self) -> None:
        self.target: RecorderLike = NullRecorder()

    def carries(self, *kinds: str) -> str:
        return self.target.carries(*kinds)

    def field(self, name: str, value: str) -> str:
        return self.target.field(name, value)


class NullRecorder:
    """Records nothing: for views rendered into whole pages, where no text is fitted."""

    def carries(self, *kinds: str) -> str:
        return ""

    def field(self, name: str, value: str) -> str:
        return ""


#: What a phrases module may use to be made once per language rather than once per text.
_LANGUAGE_VARIABLES = frozenset({"lang", "org", "words", "loc", "carries", "field"})


class Recorder:
    """Collects what a rendered variant carries; reset before each variant."""

    def __init__(self) -> None:
        self.commitments: set[str] = set()
        self.fields: list[tuple[str, str]] = []

    def reset(self) -> None:
        self.commitments = set()
        self.fields = []

    def carries(self, *kinds: str) -> str:
        self.commitments.update(kinds)
        return ""

    def field(self, name: str, value: str) -> str:
        self.fields.append((str(name), str(value)))
        return ""


class Renderer:
    """Renders channels for an organisation; set up once, used for every channel."""

    def __init__(self, templates: Templates, catalogue: Catalogue, organisation: Organisation,
                 channels: Mapping[str, Channel], localisers: Mapping[str, Localiser],
                 problems: Problems) -> None:
        self.templates = templates
        self.catalogue = catalogue
        self.organisation = organisation
        self.channels = channels
        self.localisers = localisers
        self.problems = problems
        self.org_views = {lang: organisation_view(organisation, lang) for lang in localisers}
        self.sources: Mapping[str, Any] = {}
        self._relay = _Relay()
        #: Per language: the shared phrases module, or None when it must be made per text.
        self._phrases: dict[str, Any] = {}
        self._views: dict[tuple[str, str], dict[str, Any]] = {}

    def locate(self, channel_id: str) -> Location:
        """Where a channel is defined, for problems found while rendering it."""
        source = self.sources.get(channel_id)
        return Location(source.location.file, 1, 1) if source is not None \
            else Location(f"channels/{channel_id}.yml")

    def channel_view(self, channel: Channel, lang: str) -> dict[str, Any]:
        """The channel's public view in one language, made once for all its texts.

        Only the current channel's views are kept: holding every channel's would cost
        memory in proportion to the organisation for little gain.
        """
        key = (channel.id, lang)
        view = self._views.get(key)
        if view is None:
            if self._views and next(iter(self._views))[0] != channel.id:
                self._views.clear()
            view = channel_view(channel, self.catalogue.platforms[channel.platform], lang,
                                self.localisers[lang], self.channels, self.catalogue.platforms)
            self._views[key] = view
        return view

    def view(self, channel: Channel, lang: str, recorder: RecorderLike) -> dict[str, Any]:
        """The template context for one text; valid until the next call (see _Relay)."""
        context = self._language_names(lang, recorder)
        context["channel"] = self.channel_view(channel, lang)
        name = f"{lang}/phrases.j2"
        if self.templates.exists(name):
            shared = self._shared_phrases(lang, name)
            context["p"] = shared if shared is not None \
                else self.templates.get(name).make_module(vars=context)
        return context

    def language_view(self, lang: str, recorder: RecorderLike) -> dict[str, Any] | None:
        """The context of a page about no channel in particular: :meth:`view` without
        ``channel``. None when the language's phrases need a channel to be made."""
        context = self._language_names(lang, recorder)
        name = f"{lang}/phrases.j2"
        if self.templates.exists(name):
            shared = self._shared_phrases(lang, name)
            if shared is None:
                return None
            context["p"] = shared
        return context

    def _language_names(self, lang: str, recorder: RecorderLike) -> dict[str, Any]:
        """What every template of a language gets (``_LANGUAGE_VARIABLES``)."""
        loc = self.localisers[lang]
        self._relay.target = recorder
        return {"lang": lang, "org": self.org_views[lang], "words": loc.words, "loc": loc,
                "carries": recorder.carries, "field": recorder.field}

    def _shared_phrases(self, lang: str, name: str) -> Any:
        """The language's phrases module, made once, if it uses only per-language names."""
        if lang not in self._phrases:
            self._phrases[lang] = None
            if self.templates.undeclared(name) <= _LANGUAGE_VARIABLES:
                loc = self.localisers[lang]
                self._phrases[lang] = self.templates.get(name).make_module(vars={
                    "lang": lang, "org": self.org_views[lang], "words": loc.words,
                    "loc": loc, "carries": self._relay.carries, "field": self._relay.field,
                })
        return self._phrases[lang]

    def _error(self, exc: Exception) -> None:
        location, message = template_problem(exc, self.templates)
        self.problems.error(location, message, "fix the template")

    def _variants(self, name: str, context: dict[str, Any], recorder: Recorder,
                  slot: Slot) -> list[tuple[str, frozenset[str], list[tuple[str, str]]]]:
        template = self.templates.get(name)
        blocks: list[tuple[str, Any]] = list(template.blocks.items()) or [("", None)]
        variants = []
        for _, block in blocks:
            recorder.reset()
            if block is None:
                raw = template.render(context)
            else:
                raw = "".join(block(template.new_context(context)))
            variants.append((normalise(raw, line_breaks=slot.line_breaks),
                             frozenset(recorder.commitments), list(recorder.fields)))
        return variants

    def slot_template(self, lang: str, slot: str, channel: Channel) -> str:
        if channel.status == "retired" and slot != "name":
            own = f"{lang}/retired-{slot}.txt.j2"
            return own if self.templates.exists(own) else f"{lang}/retired-bio.txt.j2"
        return f"{lang}/{slot}.txt.j2"

    @staticmethod
    def profile_languages(channel: Channel, languages: tuple[str, ...]
                          ) -> list[tuple[str, ...]]:
        """The language sets a channel's profile texts are rendered in.

        A live channel has one: its profile language(s). A retired channel's closing text
        is what a visitor of any language finds, and the organisation may rewrite the
        profile in whichever language it chooses, so it gets its own language(s) plus
        every other organisation language on its own.
        """
        sets = [channel.languages]
        if channel.status == "retired":
            sets += [(lang,) for lang in languages if (lang,) != channel.languages]
        return sets

    def render_channel(self, channel: Channel, languages: tuple[str, ...]) -> ChannelTexts:
        """Every text of a channel; problems go to the shared collector."""
        result = ChannelTexts()
        if channel.status == "planned":
            return result
        platform = self.catalogue.platforms[channel.platform]
        for profile_languages in self.profile_languages(channel, languages):
            profile = replace(channel, languages=profile_languages)
            for slot_name, slot in platform.slots.items():
                if channel.limits.get(slot_name):
                    slot = slot.with_limit(channel.limits[slot_name])
                if slot_name == "fields":
                    result.texts.extend(self._fields(profile, platform, slot))
                else:
                    text = self._slot(profile, platform, slot)
                    if text is not None:
                        result.texts.append(text)
        if channel.status != "retired":
            for lang in languages:
                statement = self._statement(channel, lang)
                if statement is not None:
                    result.statements.append(statement)
        return result

    def _slot(self, channel: Channel, platform: Platform, slot: Slot) -> Text | None:
        per_language = []
        recorder = Recorder()
        try:
            for lang in channel.languages:
                context = self.view(channel, lang, recorder)
                name = self.slot_template(lang, slot.name, channel)
                per_language.append(self._variants(name, context, recorder, slot))
        except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
            self._error(exc)
            return None
        separator = "\n\n" if slot.line_breaks else " / "
        texts = [[v[0] for v in variants] for variants in per_language]
        fitted, shortest = fit(texts, slot.limits, separator)
        if fitted is None:
            self._too_long(channel, platform, slot, shortest)
            return None
        carried = set().union(*(per_language[i][c][1] for i, c in enumerate(fitted.choice)))
        return self._text(channel, platform, slot.name, fitted, carried)

    def _text(self, channel: Channel, platform: Platform, slot: str, fitted: Fitted,
              carried: set[str]) -> Text:
        return Text(channel.id, platform.id, slot, channel.languages, fitted.text,
                    tuple(sorted(carried)),
                    tuple((m.rule, m.count, m.limit) for m in fitted.measures), fitted.choice)

    def _too_long(self, channel: Channel, platform: Platform, slot: Slot,
                  measures: list[Any]) -> None:
        over = next((m for m in measures if not m.fits), measures[0])
        lang = "+".join(channel.languages)
        self.problems.error(
            self.locate(channel.id),
            f"{channel.id}: {slot.name} ({lang}) is {over.count} long counted as "
            f"{over.rule}; {platform.name} allows {over.limit}, and no variant fits",
            "shorten the values the text uses, add a shorter variant to the template, or "
            "set limits in the channel if your instance allows more")

    def _fields(self, channel: Channel, platform: Platform, slot: Slot) -> list[Text]:
        lang = channel.languages[0]
        recorder = Recorder()
        try:
            context = self.view(channel, lang, recorder)
            name = self.slot_template(lang, "fields", channel)
            if channel.status == "retired":
                name = f"{lang}/fields.txt.j2"
            self._variants(name, context, recorder, slot)
        except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
            self._error(exc)
            return []
        fields = recorder.fields[: slot.items]
        texts = []
        for index, (label, value) in enumerate(fields, start=1):
            for part, content in (("name", label), ("value", value)):
                clean = normalise(content, line_breaks=False)
                fitted, shortest = fit([[clean]], slot.limits, "")
                part_slot = f"field-{index}-{part}"
                if fitted is None:
                    self._too_long(channel, platform, slot, shortest)
                    continue
                texts.append(self._text(channel, platform, part_slot, fitted,
                                        set(recorder.commitments)))
        return texts

    def _statement(self, channel: Channel, lang: str) -> Statement | None:
        recorder = Recorder()
        try:
            context = self.view(channel, lang, recorder)
            markdown = self.templates.get(f"{lang}/statement.md.j2").render(context)
        except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
            self._error(exc)
            return None
        return Statement(channel.id, lang, tidy_markdown(markdown),
                         tuple(sorted(recorder.commitments)))

    def render_page_to(self, add: Callable[[Iterable[str]], None], name: str,
                       context: dict[str, Any]) -> bool:
        """Render a page straight into ``add`` (``BuildResult.add_pieces``) as the template
        makes it, never as one string; False (and a problem recorded) after an error."""
        try:
            add(self.templates.get(name).generate(context))
        except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
            self._error(exc)
            return False
        return True

    def render_page(self, name: str, context: dict[str, Any]) -> str | None:
        try:
            return self.templates.get(name).render(context)
        except (jinja2.TemplateError, TypeError, ValueError, KeyError) as exc:
            self._error(exc)
            return None


_LIST_OR_TABLE = ("- ", "* ", "| ")


def tidy_markdown(text: str) -> str:
    """Blank lines where Markdown needs them, never two in a row, one final newline.

    Templates may drop a conditional line; this keeps headings and lists well-formed
    whatever the template did.
    """
    tidy: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.rstrip()
        # a nested item ("    - ...") belongs to the list too: a blank line after it
        # would make the rest of the list loose (each item its own paragraph)
        starts_block = line.startswith("#") or (
            line.startswith(_LIST_OR_TABLE) and tidy and tidy[-1]
            and not tidy[-1].lstrip().startswith(_LIST_OR_TABLE))
        if starts_block and tidy and tidy[-1]:
            tidy.append("")
        if tidy and tidy[-1].startswith("#") and line:
            tidy.append("")
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"
