"""Command-line interface: the ``kanalprofil`` group.

Each command is defined in its own module under ``generator/commands/``.
"""

from __future__ import annotations

from typing import Any

import click

from generator import __version__
from generator.commands.audit import audit
from generator.commands.build import build
from generator.commands.check import check
from generator.commands.count import count
from generator.commands.diff import diff
from generator.commands.init import init
from generator.commands.platforms import platforms
from generator.commands.publish import publish
from generator.commands.schema import schema
from generator.commands.serve import serve
from generator.commands.show import show


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


for _command in (build, check, diff, publish, audit, show, count, platforms, serve, init,
                 schema):
    main.add_command(_command)
