"""Command-line interface: the ``kanalprofil`` group and its table of commands.

Each command is defined in its own module under ``generator/commands/``, which is imported
only when that command runs or shows its own help (Click's "lazily loading subcommands"
pattern). The top-level help lists the commands from the table below, so
``kanalprofil --help`` imports Click and this module only. A test checks that the table
matches the commands (name, module and short help).
"""

from __future__ import annotations

import os
import sys
from gettext import gettext as _
from typing import Any, NamedTuple

import click

from generator import __version__


class LazyCommand(NamedTuple):
    """Where a command is defined, and the first paragraph of its help."""

    module: str
    help: str


#: Every command, by name: its module (defining a command of that name) and the first
#: paragraph of its docstring, from which Click makes the short help in ``--help``.
COMMANDS: dict[str, LazyCommand] = {
    "audit": LazyCommand(
        "generator.commands.audit",
        "List every channel (planned, pilot, active, retired) and what needs doing."),
    "build": LazyCommand(
        "generator.commands.build",
        "Render every text and write output/ (only files that changed)."),
    "check": LazyCommand(
        "generator.commands.check",
        "Fail (exit 1) when output/ is not what `build` would write. Writes nothing."),
    "count": LazyCommand(
        "generator.commands.count",
        "Count text from stdin the way a platform counts it."),
    "diff": LazyCommand(
        "generator.commands.diff",
        "Show what `build` would change, for a reviewer. Writes nothing."),
    "init": LazyCommand(
        "generator.commands.init",
        "Create a new project: kanalprofil.yml, profiles/ and (optionally) templates/."),
    "platforms": LazyCommand(
        "generator.commands.platforms",
        "List the platforms in the catalogue, with their slots and limits."),
    "publish": LazyCommand(
        "generator.commands.publish",
        "Show what differs on the live profiles; with --apply, update them."),
    "schema": LazyCommand(
        "generator.commands.schema",
        "Print the JSON Schema of a profile file, for editors and CI."),
    "serve": LazyCommand(
        "generator.commands.serve",
        "Build, serve output/ on 127.0.0.1 and rebuild and reload on every change."),
    "show": LazyCommand(
        "generator.commands.show",
        "Print one text, exactly as it is to be pasted."),
}


class HelpContext(click.Context):
    """A context that works out the help's width as Click does, without importing shutil.

    Click imports shutil (and with it bz2, lzma and fnmatch) for ``get_terminal_size``
    only; in ``kanalprofil --help`` that import takes longer than loading this module.
    """

    def make_formatter(self) -> click.HelpFormatter:
        if self.terminal_width is not None or click.formatting.FORCED_WIDTH is not None:
            return super().make_formatter()
        max_width = 80 if self.max_content_width is None else self.max_content_width
        width = max(min(terminal_columns(), max_width) - 2, 50)
        return self.formatter_class(width=width, max_width=self.max_content_width)


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else stdout's terminal, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return 80
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (ValueError, OSError):  # closed, detached, or not a terminal
        return 80


class LazyGroup(click.Group):
    """A group that imports a command's module (``COMMANDS``) only when the command is used.

    Its help lists the commands from the table, with the short help Click would make from
    each command's docstring. Commands added with ``add_command`` work as in any group.
    """

    context_class = HelpContext

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        from importlib import import_module

        module = COMMANDS[cmd_name].module
        command = getattr(import_module(module), cmd_name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module}.{cmd_name} is not a Click command")
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            # Click 8.4 and later suggest close names for an unknown command, but only from
            # ``self.commands``, which holds none of the lazy commands.
            if not hasattr(click.exceptions, "NoSuchCommand") \
                    or not isinstance(error, click.exceptions.NoSuchCommand):
                raise
            raise click.exceptions.NoSuchCommand(
                error.command_name, possibilities=self.list_commands(ctx), ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """What ``click.Group.format_commands`` writes, without importing the commands."""
        commands: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            if name in COMMANDS and name not in self.commands:
                command: click.Command | None = click.Command(name, help=COMMANDS[name].help)
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _command in commands)
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, command.get_short_help_str(limit))
                                for name, command in commands])


class SafeGroup(LazyGroup):
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


def run() -> None:
    """The ``kanalprofil`` console script: :func:`main`, then exit without the
    interpreter's teardown.

    A build of thousands of channels leaves millions of objects that Python would free
    one by one on the way out (half a second at 5,000 channels, a third of a second's
    wait after a one-channel rebuild at 1,000) although the operating system takes the
    whole process back at once. Everything the command writes is written, flushed and
    closed before it returns; standard output and error are flushed here. mypy exits
    the same way (``mypy.util.hard_exit``). ``main`` itself, which tests call with
    Click's ``CliRunner``, exits as usual.
    """
    try:
        main(prog_name="kanalprofil")
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: as Python reports a failed flush
        status = status or 120
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status ``SystemExit(code)`` ends a process with (a message: printed, 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
