"""``kanalprofil serve``."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import config_option, load


@click.command()
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
