"""``kanalprofil diff``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, cast

import click

from generator.commands.common import config_option, filter_options, planned, strict_option

PlanFormat = Literal["text", "markdown", "json"]
#: GitHub's longest comment (``generator.planformat.COMMENT_LIMIT``; not imported here,
#: so ``--help`` stays light).
COMMENT_LIMIT = 65_536


@click.command()
@config_option
@strict_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="How to show the changes.")
@click.option("--color/--no-color", default=None,
              help="Colour the text diff (default: when writing to a terminal).")
@click.option("--max-length", type=click.IntRange(min=0), default=COMMENT_LIMIT,
              show_default=True, metavar="CHARS",
              help="Markdown only: shorten the comment to fit a pull-request comment "
                   "(diffs, then files left out, with a note); 0 for no limit.")
def diff(config: Path | None, strict: bool | None, channels: tuple[str, ...],
         langs: tuple[str, ...], fmt: str, color: bool | None, max_length: int) -> None:
    """Show what `build` would change, for a reviewer. Writes nothing."""
    from generator.planformat import render_plan

    _, plan = planned(config, strict, channels, langs)
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(render_plan(plan, cast(PlanFormat, fmt), color=use_color and fmt == "text",
                           max_length=max_length or None),
               nl=False,
               color=use_color)
