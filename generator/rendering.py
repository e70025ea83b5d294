"""Render the channels and pages a build needs, on every core when it pays.

Each task's problems are taken out of the shared collector and returned with its files,
so :mod:`generator.build` adds them in channel order whether a worker or this process
rendered them, and the result is the same either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generator.build import PAGES, BuildResult, Selection, add_channel
from generator.collector import settle
from generator.errors import Problem, Problems
from generator.texts import stored

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
                 on_files: Callable[[OutputFiles], None] | None = None,
                 on_channels: Callable[[dict[str, Part]], None] | None = None,
                 later: Callable[[], list[Channel]] | None = None,
                 statement_html: bool = True) -> dict[str, Part]:
    """Render channels (and the pages, under the key PAGES), by channel id.

    ``languages`` are those to render (``--lang`` may leave some out); ``linked`` (default:
    the same) are all the languages the project publishes, which every page links to.
    ``on_files`` sees each channel's and page's files as soon as they are rendered (a
    :class:`~generator.staging.Stager` writes them then). ``on_channels`` gets every
    channel's part as soon as the last one is there, while the workers still render the
    pages: the build makes the preview page in this process meanwhile.

    ``later`` gives more channels to render, for a rebuild that has yet to find out
    whether others are stale (by checking output/): with workers, this process calls it
    once they have their tasks and renders what it gives itself, instead of checking
    output/ first with a core idle; without, it is called first.

    ``statement_html``: whether each channel's statements keep their HTML (compressed)
    for the preview; not when the preview only links to them.
    """
    linked = linked or languages
    from generator.markup import flush
    from generator.pages import add_page, add_statement_html, page_tasks
    from generator.parallel import jobs_for, map_ordered

    page_list = page_tasks(renderer, profiles, languages) if pages else []
    # A page lists every channel: it weighs like a share of them, not like one channel.
    page_weight = len(page_list) * (len(profiles.channels) // 16)
    jobs = jobs_for(len(channels) + page_weight)
    channels = list(channels)  # ``later`` may add some
    if later is not None and (jobs <= 1 or len(_page_groups(page_list, jobs)) <= 1):
        channels += later()  # no workers to render meanwhile
        later = None
        jobs = jobs_for(len(channels) + page_weight)
    collector = renderer.problems

    pages_of = Counter(lang for lang, _ in page_list)
    #: Channels' views by language, made once for all pages of the language a process
    #: renders (each forked worker fills its own copy).
    page_views: dict[str, dict[str, dict[str, Any]]] = {}

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
            # kept for the preview with their HTML compressed, their Markdown in the files
            result.statements = [stored(statement, result.files, html=statement_html)
                                 for statement in result.statements]
        return make

    def render_page(lang: str, name: str, views: dict[str, dict[str, Any]]
                    ) -> Callable[[BuildResult], None]:
        def make(result: BuildResult) -> None:
            add_page(result, renderer, profiles, lang, name, linked, review_max_age_months,
                     views)
        return make

    def task(item: tuple[str, Any]) -> tuple[tuple[int, ...], list[Part]]:
        kind, value = item
        if kind == "pages":
            parts = [part(render_page(lang, name, page_views.setdefault(lang, {})))
                     for lang, name in value]
            lang = value[0][0]
            if len(value) == pages_of[lang]:  # all of the language's: no page needs them
                del page_views[lang]
            value = ()
        else:
            parts = [part(render_channel(channels[index])) for index in value]
        flush()  # a worker's converted Markdown reaches the on-disk cache before it ends
        return value, parts

    # Channels first, then the pages, which are the longest tasks: the workers render
    # pages while this process makes the preview from the channels (``on_channels``).
    size = max(1, min(32, len(channels) // (jobs * 8))) if jobs > 1 else len(channels) or 1
    tasks: list[tuple[str, Any]] = [
        ("channels", tuple(range(start, min(start + size, len(channels)))))
        for start in range(0, len(channels), size)]
    tasks += [("pages", pages) for pages in _page_groups(page_list, jobs)]
    arrived_channels: dict[str, Part] = {}

    def channels_arrived() -> None:
        if on_channels is not None:
            on_channels({c.id: arrived_channels[c.id] for c in channels})

    def arrived(made: tuple[tuple[int, ...], list[Part]], *, here: bool = False) -> None:
        indices, made_parts = made
        if on_files is not None:
            for files, _ in made_parts:
                on_files(files.files)
        for index, channel_part in zip(indices, made_parts, strict=False):
            arrived_channels[channels[index].id] = channel_part
        if jobs > 1 and not here:  # kept until the build ends: no collection need walk
            settle()  # them again (rendered here, a part would also freeze its garbage)
        if indices and len(arrived_channels) == len(channels):
            channels_arrived()

    def render_here(_busy: Callable[[], bool]) -> None:
        """While the workers render: find more channels to render, render them here."""
        assert later is not None
        known = len(channels)
        channels.extend(later())
        if len(channels) > known:
            arrived(task(("channels", tuple(range(known, len(channels))))), here=True)
        elif not channels:
            channels_arrived()

    if not channels and later is None:
        channels_arrived()
    results = map_ordered(task, tasks, jobs, arrived,
                          meanwhile=render_here if later is not None else None)
    made = {c.id: arrived_channels[c.id] for c in channels}
    if pages:
        files = BuildResult()
        found = Problems()
        for indices, made_parts in results:
            if not indices:  # a page
                for page in made_parts:
                    merge_part(files, page, found)
        made[PAGES] = (files, found.items)
    return made


def _page_groups(page_list: list[tuple[str, str]], jobs: int
                 ) -> list[tuple[tuple[str, str], ...]]:
    """The pages' tasks: a language's pages together, so its channels' views are made
    once, not in each worker that renders one of its pages (a view costs as much as
    finding a cached section); the languages left over when they do not share out
    evenly (the third of three on two workers) page by page, so that no worker is left
    with a whole language to render alone at the end."""
    by_language: dict[str, list[tuple[str, str]]] = {}
    for lang, name in page_list:
        by_language.setdefault(lang, []).append((lang, name))
    groups = list(by_language.values())
    together = len(groups) - len(groups) % max(1, jobs)
    return [tuple(pages) for pages in groups[:together]] + \
        [(page,) for pages in groups[together:] for page in pages]


def merge_part(result: BuildResult, part: Part, problems: Problems) -> None:
    """Add one channel's or the pages' files to ``result``, and their problems."""
    made, found = part
    result.files.absorb(made.files)
    result.metadata.update(made.metadata)
    result.texts.extend(made.texts)
    result.statements.extend(made.statements)
    problems.extend(found)
