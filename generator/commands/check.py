"""``kanalprofil check``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.commands.common import config_option, filter_options, planned, strict_option


@click.command()
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
