"""Whole pages: statements as HTML, the public channel overview, the internal list, preview.

Markdown becomes HTML through the ``markdown`` package and is then sanitised with nh3,
so a profile value can never inject markup; page templates autoescape. Imported only by
commands that build pages, since ``markdown`` and ``nh3`` cost start-up time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import nh3

from generator.markup import markdown_to_html
from generator.model import PUBLIC_STATUSES

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.profiles import Profiles
    from generator.render import Renderer

ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "li",
                "ol", "p", "strong", "ul", "table", "thead", "tbody", "tr", "th", "td"}


def to_html(markdown_text: str) -> str:
    """Markdown to sanitised HTML: links keep only https/mailto/tel targets."""
    html = markdown_to_html(markdown_text)
    return str(nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"https", "mailto", "tel"},
                         link_rel="noopener noreferrer"))


def _page(renderer: Renderer, lang: str, title: str, body_html: str,
          kind: str) -> str | None:
    return renderer.render_page("page.html.j2", {
        "lang": lang, "title": title, "body": body_html, "kind": kind,
        "words": renderer.localisers[lang].words,
    })


def _title(markdown_text: str) -> str:
    first = markdown_text.splitlines()[0] if markdown_text else ""
    return first.lstrip("# ").strip()


def add_pages(result: BuildResult, renderer: Renderer, profiles: Profiles,
              languages: tuple[str, ...]) -> None:
    """Statement HTML for each rendered statement, then the per-language pages."""
    for statement in result.statements:
        html = _page(renderer, statement.language, _title(statement.markdown),
                     to_html(statement.markdown), "statement")
        if html is not None:
            base = f"channels/{statement.channel}/{statement.language}/statement"
            result.add(f"{base}.html", html)
    public = [c for c in profiles.channels if c.status in PUBLIC_STATUSES]
    for lang in languages:
        for name, folder, channels in (("overview", "site", public),
                                       ("channels", "internal", list(profiles.channels))):
            views = []
            for channel in channels:
                view = renderer.channel_view(channel, lang)
                if folder == "internal":
                    view = {**view, "owner": channel.owner,
                            "last_reviewed": channel.last_reviewed.isoformat()
                            if channel.last_reviewed else None,
                            "notes": channel.notes}
                views.append(view)
            context = {**renderer.view(channels[0], lang, _NullRecorder()), "channels": views} \
                if channels else None
            if context is None:
                continue
            md = renderer.render_page(f"{lang}/{name}.md.j2", context)
            if md is None:
                continue
            from generator.render import tidy_markdown

            md = tidy_markdown(md)
            result.add(f"{folder}/{lang}/{name}.md", md)
            html = _page(renderer, lang, _title(md), to_html(md), name)
            if html is not None:
                result.add(f"{folder}/{lang}/{name}.html", html)


class _NullRecorder:
    def carries(self, *kinds: str) -> str:
        return ""

    def field(self, name: str, value: str) -> str:
        return ""


def preview_context(result: BuildResult) -> dict[str, Any]:
    return {"texts": [t.metadata() | {"text": t.text} for t in result.texts]}
