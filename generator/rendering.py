"""Render the channels and pages a build needs, on every core when it pays.

Each task's problems are taken out of the shared collector and returned with its files,
so :mod:`generator.build` adds them in channel order whether a worker or this process
rendered them, and the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generator.build import PAGES, BuildResult, Selection, add_channel
from generator.errors import Problem, Problems

if TYPE_CHECKING:
    from generator.model import Channel
    from generator.outputfiles import OutputFiles
    from generator.profiles import Profiles
    from generator.render import Renderer


#: What rendering one channel or one page gives: its files and the problems it found.
Part = tuple[BuildResult, list[Problem]]


def render_parts(renderer: Renderer, profiles: Profiles, channels: list[Channel],
                 languages: tuple[str, ...], selection: Selection,
                 review_max_age_months: int, *, pages: bool,
                 linked: tuple[str, ...] | None = None,
                 on_files: Callable[[OutputFiles], None] | None = None) -> dict[str, Part]:
    """Render channels (and the pages, under the key PAGES), by channel id.

    ``languages`` are those to render (``--lang`` may leave some out); ``linked`` (default:
    the same) are all the languages the project publishes, which every page links to.
    ``on_files`` sees each channel's and page's files as soon as they are rendered (a
    :class:`~generator.staging.Stager` writes them then).
    """
    linked = linked or languages
    from generator.markup import flush
    from generator.pages import add_page, add_statement_html, page_tasks
    from generator.parallel import jobs_for, map_ordered

    page_list = page_tasks(renderer, profiles, languages) if pages else []
    # A page lists every channel: it weighs like a share of them, not like one channel.
    jobs = jobs_for(len(channels) + len(page_list) * (len(profiles.channels) // 16))
    collector = renderer.problems

    def part(make: Callable[[BuildResult], None]) -> Part:
        start = len(collector.items)
        result = BuildResult()
        make(result)
        found = collector.items[start:]
        del collector.items[start:]
        return result, found

    def render_channel(channel: Channel) -> Callable[[BuildResult], None]:
        def make(result: BuildResult) -> None:
            made = renderer.render_channel(channel, languages)
            add_channel(result, made, selection)
            for statement in made.statements:
                add_statement_html(result, renderer, statement, linked)
        return make

    def task(item: tuple[str, Any]) -> list[Part]:
        kind, value = item
        if kind == "page":
            lang, name = value
            parts = [part(lambda result: add_page(result, renderer, profiles, lang, name,
                                                  linked, review_max_age_months))]
        else:
            parts = [part(render_channel(channels[index])) for index in value]
        flush()  # a worker's converted Markdown reaches the on-disk cache before it ends
        return parts

    # Pages first: they are the longest tasks, so starting them early balances the cores.
    tasks: list[tuple[str, Any]] = [("page", page) for page in page_list]
    size = max(1, min(32, len(channels) // (jobs * 8))) if jobs > 1 else len(channels) or 1
    tasks += [("channels", tuple(range(start, min(start + size, len(channels)))))
              for start in range(0, len(channels), size)]
    def arrived(made_parts: list[Part]) -> None:
        for made, _ in made_parts:
            assert on_files is not None
            on_files(made.files)

    parts = [made for made_parts in map_ordered(task, tasks, jobs,
                                                arrived if on_files is not None else None)
             for made in made_parts]
    made = dict(zip([c.id for c in channels], parts[len(page_list):], strict=True))
    if pages:
        files = BuildResult()
        found = Problems()
        for page in parts[:len(page_list)]:
            merge_part(files, page, found)
        made[PAGES] = (files, found.items)
    return made


def merge_part(result: BuildResult, part: Part, problems: Problems) -> None:
    """Add one channel's or the pages' files to ``result``, and their problems."""
    made, found = part
    result.files.absorb(made.files)
    result.metadata.update(made.metadata)
    result.texts.extend(made.texts)
    result.statements.extend(made.statements)
    problems.extend(found)
