"""Command-line interface: Click wiring only; each command calls one worker function.

Workers are imported inside the commands so ``kanalprofil --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from generator import __version__

if TYPE_CHECKING:
    from generator.build import BuildResult, Selection
    from generator.plan import Plan
    from generator.project import Project

F = TypeVar("F", bound=Callable[..., Any])
PlanFormat = Literal["text", "markdown", "json"]

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


def run_build(project: Project, chosen: Selection, *, reuse: bool = True) -> BuildResult:
    """Build in memory; ``reuse`` takes current files from output/ (the result then may
    hold no parsed profiles, so commands that need them pass False)."""
    from generator.build import build
    from generator.errors import Problems

    problems = Problems()
    result = build(project, chosen, problems,
                   reuse_from=project.output_dir if reuse else None)
    for warning in problems.warnings:
        click.echo(str(warning), err=True)
    _check_filters(result, chosen)
    return result


def planned(config: Path | None, strict: bool | None, channels: tuple[str, ...],
            langs: tuple[str, ...]) -> tuple[Project, Plan]:
    """What `build` would do, without doing it (``check`` and ``diff``)."""
    from generator.build import selected_paths
    from generator.plan import make_plan

    project = load(config, strict)
    chosen = selection(channels, langs)
    result = run_build(project, chosen)
    return project, make_plan(project.output_dir, result.files, result.metadata,
                              result.inputs, selected=selected_paths(chosen))


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


class SafeGroup(click.Group):
    """Turns an unexpected exception into one line (``--debug`` shows the traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted; output/ was left as it was.", err=True)
            ctx.exit(130)
        except Exception as exc:
            if ctx.meta.get("kanalprofil.debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                "traceback, and please report it)") from None


def _debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["kanalprofil.debug"] = value


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="kanalprofil")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug,
              help="Show a traceback for unexpected errors.")
def main() -> None:
    """Generate social media profile texts and expectation statements from YAML.

    One YAML file per channel, organisation-wide defaults, texts in every language,
    each fitted to the platform's limits and counted the way the platform counts.
    """


@main.command()
@config_option
@strict_option
@filter_options
def build(config: Path | None, strict: bool | None, channels: tuple[str, ...],
          langs: tuple[str, ...]) -> None:
    """Render every text and write output/ (only files that changed)."""
    from generator.build import write_result

    project = load(config, strict)
    chosen = selection(channels, langs)
    plan, applied = write_result(project, run_build(project, chosen), chosen)
    out = project.display(project.output_dir)
    if applied.created or applied.updated or applied.deleted:
        click.echo(f"{out}/: {len(applied.created)} created, {len(applied.updated)} updated, "
                   f"{len(applied.deleted)} deleted, {len(plan.unchanged)} unchanged")
    elif applied.changed:
        click.echo(f"{out}/: no text changed ({len(plan.unchanged)} files); manifest updated")
    else:
        click.echo(f"{out}/ is up to date ({len(plan.unchanged)} files); nothing written")
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    for path in plan.user_owned:
        click.echo(f"note: {path} was not generated by kanalprofil; left as it is", err=True)


@main.command()
@config_option
@strict_option
@filter_options
def check(config: Path | None, strict: bool | None, channels: tuple[str, ...],
          langs: tuple[str, ...]) -> None:
    """Fail (exit 1) when output/ is not what `build` would write. Writes nothing."""
    from generator.planformat import check_report

    project, plan = planned(config, strict, channels, langs)
    report = check_report(plan)
    if plan.has_changes:
        click.echo(report, err=True)
        click.echo("output/ is out of date: run `kanalprofil build` and commit the result.",
                   err=True)
        sys.exit(1)
    click.echo(report or f"{project.display(project.output_dir)}/ is up to date "
               f"({len(plan.unchanged)} files).")


@main.command()
@config_option
@strict_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="How to show the changes.")
@click.option("--color/--no-color", default=None,
              help="Colour the text diff (default: when writing to a terminal).")
def diff(config: Path | None, strict: bool | None, channels: tuple[str, ...],
         langs: tuple[str, ...], fmt: str, color: bool | None) -> None:
    """Show what `build` would change, for a reviewer. Writes nothing."""
    from generator.planformat import render_plan

    _, plan = planned(config, strict, channels, langs)
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(render_plan(plan, cast(PlanFormat, fmt), color=use_color and fmt == "text"),
               nl=False,
               color=use_color)


@main.command()
@config_option
@strict_option
@click.option("--channel", "channels", multiple=True, metavar="ID",
              help="Only this channel (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="How to show the plan.")
@click.option("--apply", "apply", is_flag=True,
              help="Write the changes to the live profiles (default: only show the plan).")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path),
              envvar="KANALPROFIL_CREDENTIALS", metavar="FILE",
              help="YAML or TOML file outside the project: channel id → identifier, "
              "password, service. Else KANALPROFIL_BLUESKY_<CHANNEL>_PASSWORD etc.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="With --apply: a plan saved with --format json; only "
              "what it shows is written, and nothing edited since it was read.")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True,
              help="Seconds to wait for each request to a platform.")
def publish(config: Path | None, strict: bool | None, channels: tuple[str, ...], fmt: str,
            apply: bool, credentials: Path | None, plan_file: Path | None,
            timeout: float) -> None:
    """Show what differs on the live profiles; with --apply, update them.

    Exit code: 0 when every profile could be read (and with --apply, updated), 1 when
    none could, 3 when only some could.
    """
    from generator.publish import publish as run_publish

    project = load(config, strict)
    result = run_build(project, selection(channels, ()), reuse=False)
    sys.exit(run_publish(project, result, apply=apply, fmt=fmt, credentials=credentials,
                         reviewed_plan=plan_file, timeout=timeout,
                         channel_ids=channels or None))


@main.command()
@config_option
@strict_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "csv"]),
              default="text", show_default=True,
              help="A table for the terminal, Markdown for a report, JSON or CSV for tools.")
@click.option("--review-max-age", "max_age", type=click.IntRange(1, 120), metavar="MONTHS",
              default=None, help="Reviews older than this are overdue (default: "
              "review_max_age_months in kanalprofil.yml, else 12).")
def audit(config: Path | None, strict: bool | None, fmt: str, max_age: int | None) -> None:
    """List every channel (planned, pilot, active, retired) and what needs doing.

    Owner, purpose, review and pilot dates per channel, and the problems the checks find
    (the same checks `build` warns about). Internal: the report names owners. Exit code 0,
    or 1 when a check set to error finds something, or with --strict any problem.
    """
    from generator.audit import audit as run_audit
    from generator.audit import render_audit
    from generator.errors import Problems

    project = load(config, strict)
    problems = Problems()
    report = run_audit(project, problems, review_max_age_months=max_age)
    for warning in problems.warnings:
        click.echo(str(warning), err=True)
    click.echo(render_audit(report, fmt), nl=False)
    if report.fails(project.settings.strict):
        sys.exit(1)


@main.command()
@config_option
@click.argument("channel_id", metavar="CHANNEL")
@click.option("--lang", "-l", "lang", metavar="CODE",
              help="Profile language (default: the channel's own; nb+en for bilingual).")
@click.option("--slot", "-s", default="bio", show_default=True,
              help="Slot: name, bio, about, pinned, statement, field-1-value, …")
def show(config: Path | None, channel_id: str, lang: str | None, slot: str) -> None:
    """Print one text, exactly as it is to be pasted."""
    project = load(config)
    result = run_build(project, selection((channel_id,), ()), reuse=False)
    assert result.profiles is not None
    channel = result.profiles.channel(channel_id)
    if channel is None:
        raise click.BadParameter(f"no channel {channel_id!r}", param_hint="CHANNEL")
    folder = lang or "+".join(channel.languages)
    name = "statement.md" if slot == "statement" else f"{slot}.txt"
    path = f"channels/{channel_id}/{folder}/{name}"
    languages = tuple(folder.split("+"))
    org_languages = result.profiles.organisation.languages
    if path not in result.files and slot != "statement" and channel.status != "planned" \
            and set(languages) <= set(org_languages):
        from generator.build import build

        result = build(project, selection((channel_id,), ()),
                       profile_languages={channel_id: languages})
        if path in result.files:
            click.echo(f"note: the {channel_id} profile is written in "
                       f"{'+'.join(channel.languages)}; this {folder} text is a preview and is "
                       "not in output/", err=True)
    if path not in result.files:
        have = sorted(p.split("/", 2)[2] for p in result.files
                      if p.startswith(f"channels/{channel_id}/"))
        raise click.UsageError(f"{channel_id} has no {folder}/{name}; it has: "
                               f"{', '.join(have) or 'no texts (planned?)'}")
    content = result.files[path].decode("utf-8")
    click.echo(content[:-1] if name.endswith(".txt") else content, nl=name.endswith(".txt"))


@main.command()
@click.option("--platform", "-p", "platform_id", required=True, help="Platform id.")
@click.option("--slot", "-s", default=None, help="Slot (default: bio, else the first).")
@click.option("--json", "as_json", is_flag=True, help="Every count, as JSON.")
@config_option
def count(platform_id: str, slot: str | None, as_json: bool, config: Path | None) -> None:
    """Count text from stdin the way a platform counts it."""
    import json

    from generator.catalogue import project_catalogue
    from generator.counting import RULE_DESCRIPTIONS, all_counts
    from generator.errors import Problems
    from generator.fitting import measure

    project = load(config)
    problems = Problems()
    catalogue = project_catalogue(project, problems)
    problems.raise_if_errors()
    platform = catalogue.get(platform_id)
    if platform is None:
        raise click.BadParameter(f"unknown platform {platform_id!r}; known: "
                                 f"{', '.join(catalogue.platforms)}", param_hint="--platform")
    slot_name = slot or ("bio" if "bio" in platform.slots else next(iter(platform.slots)))
    if slot_name not in platform.slots:
        raise click.BadParameter(f"{platform.name} has no slot {slot_name!r}; it has: "
                                 f"{', '.join(platform.slots)}", param_hint="--slot")
    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]
    measures = measure(text, platform.slots[slot_name].limits)
    fits = all(m.fits for m in measures)
    if as_json:
        click.echo(json.dumps({
            "platform": platform_id, "slot": slot_name, "fits": fits,
            "limits": [{"rule": m.rule, "count": m.count, "max": m.limit} for m in measures],
            "counts": all_counts(text),
        }, indent=2, sort_keys=True, ensure_ascii=False))
    elif not measures:
        click.echo(f"{len(text)} characters; {platform.name} {slot_name} has no fixed limit")
    else:
        for m in measures:
            mark = "fits" if m.fits else f"over by {m.count - m.limit}"
            rules = " or ".join(RULE_DESCRIPTIONS.get(r, r) for r in m.rule.split(" or "))
            click.echo(f"{m.count} / {m.limit} ({rules}): {mark}")
    if not fits:
        sys.exit(1)


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
def platforms(config: Path | None, fmt: str) -> None:
    """List the platforms in the catalogue, with their slots and limits."""
    from generator.catalogue import project_catalogue
    from generator.errors import Problems
    from generator.platformtable import render_platforms

    project = load(config)
    problems = Problems()
    catalogue = project_catalogue(project, problems)
    problems.raise_if_errors()
    click.echo(render_platforms(catalogue, fmt), nl=False)


@main.command()
@config_option
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
def serve(config: Path | None, port: int) -> None:
    """Build, serve output/ on 127.0.0.1 and rebuild and reload on every change.

    Watches the project file, profiles/ and templates/; the preview is at /index.html.
    A failed rebuild keeps the last good output/ and shows the problems. Ctrl-C stops.
    """
    from generator.serve import serve as run_server

    run_server(lambda: load(config), port)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--with-templates", is_flag=True,
              help="Also copy the built-in templates, to customise them.")
def init(directory: Path, with_templates: bool) -> None:
    """Create a new project: kanalprofil.yml, profiles/ and (optionally) templates/."""
    from generator.scaffold import scaffold

    created = scaffold(directory, with_templates=with_templates)
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"Next: edit {directory}/profiles/, then run `kanalprofil build` in {directory}.")


@main.command()
@click.argument("kind", type=click.Choice(["organisation", "channel", "project"]),
                default="channel")
def schema(kind: str) -> None:
    """Print the JSON Schema of a profile file, for editors and CI."""
    import json

    from generator.jsonschema import schema_for

    click.echo(json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False))
