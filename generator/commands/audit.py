"""``kanalprofil audit``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.commands.common import config_option, load, strict_option


@click.command()
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
