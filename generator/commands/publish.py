"""``kanalprofil publish``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.commands.common import config_option, load, run_build, selection, strict_option


@click.command()
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
