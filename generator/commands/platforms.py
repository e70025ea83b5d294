"""``kanalprofil platforms``."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import config_option, load


@click.command()
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
