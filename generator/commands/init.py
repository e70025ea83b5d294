"""``kanalprofil init``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
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
