"""What several commands share: the common options and loading, selecting and building.

Workers are imported inside the functions, so a command imports only what it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from generator.build import BuildResult, Selection
    from generator.plan import Plan
    from generator.project import Project
    from generator.staging import Stager

F = TypeVar("F", bound=Callable[..., Any])

CONFIG_HELP = "Project file to use (default: ./kanalprofil.yml when present)."


def config_option(func: F) -> F:
    return click.option("--config", "-c", "config",
                        type=click.Path(dir_okay=False, path_type=Path),
                        help=CONFIG_HELP)(func)


def strict_option(func: F) -> F:
    return click.option("--strict", is_flag=True, default=None,
                        help="Treat warnings as errors.")(func)


def filter_options(func: F) -> F:
    func = click.option("--lang", "-l", "langs", multiple=True, metavar="CODE",
                        help="Only this language (repeatable).")(func)
    return click.option("--channel", "channels", multiple=True, metavar="ID",
                        help="Only this channel (repeatable).")(func)


def load(config: Path | None, strict: bool | None = None) -> Project:
    from dataclasses import replace

    from generator.errors import Problems
    from generator.project import load_project

    problems = Problems()
    project = load_project(config, problems)
    problems.raise_if_errors()
    if strict is not None:
        project = replace(project, settings=replace(project.settings, strict=strict))
    return project


def selection(channels: tuple[str, ...], langs: tuple[str, ...]) -> Selection:
    from generator.build import Selection

    return Selection(frozenset(channels), frozenset(langs))


def run_build(project: Project, chosen: Selection, *, reuse: bool = True,
              stager: Stager | None = None) -> BuildResult:
    """Build in memory; ``reuse`` takes current files from output/ (the result then may
    hold no parsed profiles, so commands that need them pass False)."""
    from generator.build import build
    from generator.errors import Problems

    problems = Problems()
    result = build(project, chosen, problems,
                   reuse_from=project.output_dir if reuse else None, stager=stager)
    for warning in problems.warnings:
        click.echo(str(warning), err=True)
    _check_filters(result, chosen)
    return result


def planned(config: Path | None, strict: bool | None, channels: tuple[str, ...],
            langs: tuple[str, ...]) -> tuple[Project, Plan]:
    """What `build` would do, without doing it (``check`` and ``diff``)."""
    from generator.build import selected_paths
    from generator.chunkcache import cache_dir
    from generator.plan import make_plan
    from generator.statcache import written_manifest

    project = load(config, strict)
    chosen = selection(channels, langs)
    result = run_build(project, chosen)
    return project, make_plan(project.output_dir, result.files, result.metadata,
                              result.inputs, selected=selected_paths(chosen),
                              current=result.current,
                              written=written_manifest(cache_dir(project.root),
                                                       project.output_dir))


def _check_filters(result: BuildResult, chosen: Selection) -> None:
    profiles = result.profiles
    if profiles is None:
        return
    known = {c.id for c in profiles.channels}
    for channel_id in sorted(chosen.channels - known):
        raise click.BadParameter(f"no channel {channel_id!r}; known: {', '.join(sorted(known))}",
                                 param_hint="--channel")
    languages = set(profiles.organisation.languages)
    for lang in sorted(chosen.languages - languages):
        raise click.BadParameter(f"no language {lang!r}; known: {', '.join(sorted(languages))}",
                                 param_hint="--lang")
