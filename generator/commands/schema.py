"""``kanalprofil schema``."""

from __future__ import annotations

import click


@click.command()
@click.argument("kind", type=click.Choice(["organisation", "channel", "project"]),
                default="channel")
def schema(kind: str) -> None:
    """Print the JSON Schema of a profile file, for editors and CI."""
    import json

    from generator.jsonschema import schema_for

    click.echo(json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False))
