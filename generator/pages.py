"""Whole pages: statements as HTML, the public channel overview, the internal list, preview.

Markdown becomes HTML through the ``markdown`` package and is then sanitised with nh3,
so a profile value can never inject markup; page templates autoescape. Imported only by
commands that build pages, since ``markdown`` and ``nh3`` cost start-up time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import nh3

from generator import fragments
from generator.chunkcache import library_version
from generator.markup import cached, markdown_to_html, markdown_to_html_finished
from generator.model import PUBLIC_STATUSES, Channel
from generator.render import NullRecorder, tidy_markdown
from generator.texts import statement_path

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.profiles import Profiles
    from generator.render import Renderer
    from generator.texts import Statement

ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "li",
                "ol", "p", "strong", "ul", "table", "thead", "tbody", "tr", "th", "td"}


#: Names the sanitiser (its version and settings) in cache keys of sanitised documents.
_SANITISED = f"sanitised|nh3 {library_version('nh3')}|{sorted(ALLOWED_TAGS)}"
#: The same for one chunk of a page (see :func:`generator.markup.markdown_to_html_finished`).
_SANITISED_CHUNK = f"chunk|{_SANITISED}"


def to_html(markdown_text: str) -> str:
    """Markdown to sanitised HTML: links keep only https/mailto/tel targets.

    Whole documents are cached too: the preview needs the HTML of a statement a rebuild
    took from output/ when that statement's card is not in the fragment cache.
    """
    return cached(_SANITISED, markdown_text, _sanitised_html)


def _page_html(markdown_text: str) -> str:
    """:func:`_sanitised_html` of a page that lists every channel, section by section."""
    return markdown_to_html_finished(markdown_text, _SANITISED_CHUNK, _sanitise)


def _sanitised_html(markdown_text: str) -> str:
    return _sanitise(markdown_to_html(markdown_text))


def _sanitise(html: str) -> str:
    return str(nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"https", "mailto", "tel"},
                         link_rel="noopener noreferrer"))


#: The page frame's own words, where a language's ``language.yml`` has no ``page:`` key
#: (every shipped language has one; this is the fallback for a new one).
PAGE_WORDS: dict[str, dict[str, str]] = {
    "en": {"languages": "Other languages", "skip": "Skip to the content"},
}


def page_words(lang: str, words: Mapping[str, Any]) -> dict[str, str]:
    own = words.get("page")
    return {**PAGE_WORDS["en"],
            **({str(k): str(v) for k, v in own.items()} if isinstance(own, Mapping) else {})}


def _page(renderer: Renderer, lang: str, title: str, body_html: str, kind: str,
          alternates: list[dict[str, str]] | None = None) -> str | None:
    words = renderer.localisers[lang].words
    return renderer.render_page("page.html.j2", {
        "lang": lang, "title": title, "body": body_html, "kind": kind,
        "words": words, "ui": page_words(lang, words), "alternates": alternates or [],
    })


def _alternates(lang: str, languages: tuple[str, ...], href: str) -> list[dict[str, str]]:
    """Links to the same page in the other languages (``href`` has ``{lang}``)."""
    from generator.preview import language_name

    return [{"lang": other, "name": language_name(other, other),
             "href": href.format(lang=other)} for other in languages if other != lang]


def shared_rules(views: list[dict[str, Any]]) -> dict[str, Any]:
    """What every listed channel has in common, for "the same rules everywhere"."""
    if not views:
        return {"rules": [], "criticism_welcome": False, "political_neutrality": False,
                "emergency_number": None}
    first = [str(rule) for rule in views[0]["moderation"]["rules"]]
    kept = set(first)
    for view in views[1:]:  # one set per channel: thousands of channels, a few rules
        if not kept:
            break
        kept.intersection_update(view["moderation"]["rules"])
    common = [rule for rule in first if rule in kept]
    numbers = {(view["crisis"] or {}).get("emergency_number") for view in views}
    return {
        "rules": common,
        "criticism_welcome": all(view["criticism_welcome"] for view in views),
        "political_neutrality": all(view["political_neutrality"] for view in views),
        "emergency_number": numbers.pop() if len(numbers) == 1 else None,
    }


def _title(markdown_text: str) -> str:
    first = markdown_text.splitlines()[0] if markdown_text else ""
    return first.lstrip("# ").strip()


def add_statement_html(result: BuildResult, renderer: Renderer, statement: Statement,
                       languages: tuple[str, ...]) -> None:
    """The statement as a web page, next to its Markdown, linking its other languages.

    The HTML body is kept on the statement, so the preview page need not convert again.
    """
    statement.html = to_html(statement.markdown)
    html = _page(renderer, statement.language, _title(statement.markdown), statement.html,
                 "statement",
                 _alternates(statement.language, languages, "../{lang}/statement.html"))
    if html is not None:
        result.add(statement_path(statement.channel, statement.language, ".html"), html)


#: The pages that see the channels together: (name, folder in output/).
PAGES = (("overview", "site"), ("channels", "internal"), ("guidelines", "internal"))


def page_tasks(renderer: Renderer, profiles: Profiles, languages: tuple[str, ...]
               ) -> list[tuple[str, str]]:
    """``(language, page name)`` for every page :func:`add_page` makes, in output order."""
    tasks = []
    for lang in languages:
        for name, folder in PAGES:
            if not _page_channels(profiles, folder):
                continue
            if name == "guidelines" and not renderer.templates.exists(f"{lang}/{name}.md.j2"):
                continue  # a language without a guidelines template has no guidelines
            tasks.append((lang, name))
    return tasks


def _page_channels(profiles: Profiles, folder: str) -> list[Channel]:
    if folder == "site":
        return [c for c in profiles.channels if c.status in PUBLIC_STATUSES]
    return list(profiles.channels)


#: What a page's fragments may not depend on, so the page scope leaves it out: the
#: channel list, and objects made from inputs that :func:`scope_inputs` names instead
#: (the localiser and phrases from the language's files, the recorder's no-op methods).
PAGE_LISTS = ("channels", "loc", "p", "carries", "field")


def scope_inputs(renderer: Renderer, lang: str | None = None) -> dict[str, str]:
    """Digests of what made the objects a page scope leaves out, for its key."""
    inputs = {"templates": fragments.template_digest(renderer.templates),
              "catalogue": renderer.catalogue.digest}
    if lang is not None:
        inputs["locale"] = str(renderer.localisers[lang].locale)
    return inputs


def add_page(result: BuildResult, renderer: Renderer, profiles: Profiles, lang: str,
             name: str, languages: tuple[str, ...], review_max_age_months: int = 12,
             public_views: dict[str, dict[str, Any]] | None = None) -> None:
    """One page that sees the channels together, as Markdown and HTML.

    ``site/<lang>/overview`` lists the public channels; ``internal/<lang>/channels`` (the
    register) and ``internal/<lang>/guidelines`` cover every channel and name owners.
    ``public_views`` keeps channels' views in ``lang`` for the next page of the language
    (a view takes as long to make as its cached section takes to find).
    """
    folder = dict(PAGES)[name]
    channels = _page_channels(profiles, folder)
    views = [_view(renderer, channel, lang, internal=folder == "internal",
                   known=public_views) for channel in channels]
    template = f"{lang}/{name}.md.j2"
    context = {**_page_context(renderer, template, lang, channels[0]), "channels": views,
               "shared": shared_rules(views)}
    if name == "guidelines":
        context["guidelines"] = _guidelines(profiles, lang)
        context["shared"] = _shared(views)
        context["review_max_age_months"] = review_max_age_months
        context["languages"] = [renderer.localisers[lang].language_name(code)
                                for code in profiles.organisation.languages]
    context[fragments.SCOPE] = fragments.page_scope(
        template, context, leave_out=PAGE_LISTS, inputs=scope_inputs(renderer, lang))
    md = renderer.render_page(template, context)
    fragments.flush()  # this page's new fragments, in one transaction (also in workers)
    if md is None:
        return
    md = tidy_markdown(md)
    result.add(f"{folder}/{lang}/{name}.md", md)
    # not kept as a whole in the cache (its chunks are): a page that lists every channel
    # differs after any change, so a stored copy would only fill the cache folder
    html = _page(renderer, lang, _title(md), _page_html(md), name,
                 _alternates(lang, languages, f"../{{lang}}/{name}.html"))
    if html is not None:
        result.add(f"{folder}/{lang}/{name}.html", html)


def _page_context(renderer: Renderer, template: str, lang: str, first: Channel
                  ) -> dict[str, Any]:
    """The language's names for a page that lists channels, without a ``channel``.

    Only a template (or phrases module) that asks for ``channel`` gets the first
    channel's view, as before: every fragment's key covers it, so a change to that one
    channel would render every section of the page again.
    """
    if "channel" not in renderer.templates.undeclared(template):
        context = renderer.language_view(lang, NullRecorder())
        if context is not None:
            return context
    return renderer.view(first, lang, NullRecorder())


def _view(renderer: Renderer, channel: Channel, lang: str, *, internal: bool,
          known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A channel's public view, plus owner, review date and notes on internal pages only."""
    public = known.get(channel.id) if known is not None else None
    if public is None:
        public = renderer.channel_view(channel, lang)
        if known is not None:
            known[channel.id] = public
    view: dict[str, Any] = dict(public)
    if internal:
        view = {**view, "owner": channel.owner.get(lang) if channel.owner else None,
                "last_reviewed": channel.last_reviewed.isoformat()
                if channel.last_reviewed else None,
                "notes": channel.notes}
    return view


def _shared(views: list[dict[str, Any]]) -> dict[str, Any]:
    """Moderation and crisis routines that every live channel shares, to say them once.

    None where the live channels differ (each channel's section then says its own).
    Moderation counts only channels that take comments or answered messages.
    """
    live = [v for v in views if v["status"] in PUBLIC_STATUSES]
    moderated = [v["moderation"] for v in live if v["user_content"] and v["moderation"]["rules"]]
    crises = [v["crisis"] for v in live]
    return {
        "moderation": moderated[0] if moderated and all(m == moderated[0] for m in moderated)
        else None,
        "crisis": crises[0] if crises and crises[0] and all(c == crises[0] for c in crises)
        else None,
    }


def _guidelines(profiles: Profiles, lang: str) -> dict[str, str | None]:
    """The people-written sections in one language; None for a section not written."""
    from generator.model import Guidelines

    written = profiles.organisation.guidelines or Guidelines()
    texts: dict[str, str | None] = {}
    for fld in dataclasses.fields(written):
        text = getattr(written, fld.name)
        texts[fld.name] = text.get(lang) if text is not None else None
    return texts
