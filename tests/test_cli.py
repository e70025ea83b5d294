"""The command line, through Click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import HelpContext, main, terminal_columns
from tests.conftest import ROOT, snapshot


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"kanalprofil, version {__version__}\n"


def test_every_command_has_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "check", "diff", "show", "count", "platforms", "init", "schema",
                    "audit"):
        assert command in result.output
        sub = runner.invoke(main, [command, "--help"])
        assert sub.exit_code == 0, command
        assert "Usage: main " in sub.output or "Usage: " in sub.output


def test_unknown_option_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "--no-such-option"])
    assert result.exit_code == 2


def test_build_from_empty_output_then_nothing_to_do(in_project: Path, runner: CliRunner
                                                    ) -> None:
    expected = snapshot(ROOT / "output")
    for path in sorted((in_project / "output").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    first = runner.invoke(main, ["build"])
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    assert snapshot(in_project / "output") == expected
    mtimes = {p: p.stat().st_mtime_ns for p in (in_project / "output").rglob("*")}
    second = runner.invoke(main, ["build"])
    assert second.exit_code == 0
    assert "nothing written" in second.output
    assert {p: p.stat().st_mtime_ns for p in (in_project / "output").rglob("*")} == mtimes


def test_check_passes_on_the_committed_example(in_project: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    files = len([p for p in snapshot(in_project / "output") if not p.startswith(".")])
    assert result.output.strip().endswith(f"is up to date ({files} files).")


@pytest.mark.parametrize("selection", [["--lang", "nb"], ["--lang", "en"],
                                       ["--channel", "facebook", "--lang", "nn"],
                                       ["--channel", "mastodon"]])
def test_a_filtered_run_of_the_committed_example_finds_nothing_to_change(
        in_project: Path, runner: CliRunner, selection: list[str]) -> None:
    """Pages built for one language still link to the others (their nav is not lost)."""
    assert runner.invoke(main, ["check", *selection]).exit_code == 0
    diff = runner.invoke(main, ["diff", *selection])
    assert diff.output == "No changes.\n", diff.output
    before = snapshot(in_project / "output")
    built = runner.invoke(main, ["build", *selection])
    assert built.exit_code == 0 and "nothing written" in built.output, built.output
    assert snapshot(in_project / "output") == before


def test_check_fails_when_a_policy_line_changes(in_project: Path, runner: CliRunner) -> None:
    org = in_project / "profiles" / "organisation.yml"
    org.write_text(org.read_text(encoding="utf-8").replace(
        "time: {within: 2, unit: business_days}", "time: {within: 3, unit: business_days}"),
        encoding="utf-8")
    before = snapshot(in_project / "output")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "stale: channels/facebook/nb/statement.md" in result.stderr
    assert snapshot(in_project / "output") == before
    # ... and one rebuild updates every channel that uses the default
    assert runner.invoke(main, ["build"]).exit_code == 0
    for channel in ("facebook", "instagram", "linkedin"):
        statement = (in_project / f"output/channels/{channel}/en/statement.md").read_text()
        assert "three working days" in statement, channel
    assert "four hours" in (in_project / "output/channels/mastodon/en/statement.md").read_text()


def test_show_prints_exactly_the_slot_text(in_project: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "facebook", "--lang", "nb", "--slot", "bio"])
    assert result.exit_code == 0
    stored = (in_project / "output/channels/facebook/nb/bio.txt").read_text(encoding="utf-8")
    assert result.output == stored


def test_show_unknown_slot_lists_what_there_is(in_project: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "facebook", "--slot", "nope"])
    assert result.exit_code == 2
    assert "nb/bio.txt" in result.output


def test_show_unknown_channel_is_a_usage_error(in_project: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "myspace"])
    assert result.exit_code == 2
    assert "no channel 'myspace'" in result.output


def test_count_reads_stdin(runner: CliRunner) -> None:
    fits = runner.invoke(main, ["count", "--platform", "tiktok"], input="Hei på deg\n")
    assert fits.exit_code == 0
    assert fits.output.startswith("10 / 80 (")
    over = runner.invoke(main, ["count", "--platform", "tiktok"], input="x" * 81)
    assert over.exit_code == 1
    assert "over by 1" in over.output


def test_count_json_gives_every_count(runner: CliRunner) -> None:
    result = runner.invoke(main, ["count", "--platform", "bluesky", "--json"],
                           input="\U0001F9D1\u200D\U0001F9D1\u200D\U0001F9D2")
    data = json.loads(result.output)
    assert data["counts"]["graphemes"] == 1
    assert data["counts"]["code_points"] == 5
    assert data["counts"]["utf8_bytes"] == 18
    assert data["fits"] is True


def test_count_unknown_platform(runner: CliRunner) -> None:
    result = runner.invoke(main, ["count", "--platform", "myspace"], input="x")
    assert result.exit_code == 2
    assert "unknown platform 'myspace'" in result.output


def test_platforms_markdown_is_the_committed_table(runner: CliRunner) -> None:
    result = runner.invoke(main, ["platforms", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.output == (ROOT / "docs/platforms.md").read_text(encoding="utf-8"), \
        "docs/platforms.md is stale: run `make docs`"


def test_schema_files_are_in_sync(runner: CliRunner) -> None:
    for kind in ("organisation", "channel", "project"):
        result = runner.invoke(main, ["schema", kind])
        assert result.exit_code == 0
        committed = (ROOT / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert result.output == committed, f"schema/{kind}.schema.json is stale: make docs"


def test_reference_docs_are_in_sync() -> None:
    from generator.reference import render_reference

    committed = (ROOT / "docs/profile-reference.md").read_text(encoding="utf-8")
    assert render_reference() == committed, "docs/profile-reference.md is stale: make docs"


def test_example_profiles_validate_with_check_jsonschema() -> None:
    tool = Path(sys.executable).parent / "check-jsonschema"
    pairs = [("channel", sorted(str(p) for p in (ROOT / "profiles/channels").glob("*.yml"))),
             ("organisation", [str(ROOT / "profiles/organisation.yml")]),
             ("project", [str(ROOT / "kanalprofil.yml")])]
    for kind, files in pairs:
        done = subprocess.run([str(tool), "--schemafile", str(ROOT / f"schema/{kind}.schema.json"),
                               *files], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    for path in (ROOT / "profiles").rglob("*.yml"):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema="), \
            path


def test_init_creates_a_project_that_builds(tmp_path: Path, runner: CliRunner,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "myorg"
    result = runner.invoke(main, ["init", str(target), "--with-templates"])
    assert result.exit_code == 0, result.output
    assert (target / "kanalprofil.yml").is_file()
    assert (target / "templates/nn/statement.md.j2").is_file()
    assert (target / "schema/channel.schema.json").is_file()
    monkeypatch.chdir(target)
    built = runner.invoke(main, ["build"])
    assert built.exit_code == 0, built.output
    assert (target / "output/channels/facebook/nn/statement.md").is_file()
    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_config_option_names_another_project(project: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--config", str(project / "kanalprofil.yml")])
    assert result.exit_code == 0, result.output
    missing = runner.invoke(main, ["check", "--config", str(project / "nope.yml")])
    assert missing.exit_code == 1
    assert "project file not found" in missing.output


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=120)


def test_subprocess_build_check_and_error(project: Path) -> None:
    assert _run(["check"], project).returncode == 0
    (project / "profiles/channels/facebook.yml").write_text("platform: [\n", encoding="utf-8")
    before = snapshot(project / "output")
    done = _run(["build"], project)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("profiles/channels/facebook.yml:2:1: ")
    assert snapshot(project / "output") == before


def test_console_script_exits_with_the_command_status_and_all_its_output(
        project: Path) -> None:
    """``run`` skips the interpreter's teardown: statuses and output must survive it."""
    built = _run(["build"], project)
    assert built.returncode == 0, built.stderr
    assert built.stdout.endswith("nothing written\n")
    usage = _run(["build", "--no-such-option"], project)
    assert usage.returncode == 2
    assert usage.stderr.endswith("No such option '--no-such-option'.\n")
    listed = _run(["audit", "--format", "json"], project)  # a long stdout through a pipe
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (130, 130),
                                              (256, 0), ("message", 1)])
def test_exit_status_is_what_python_would_exit_with(code: object, status: int,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    from generator.cli import _exit_status

    assert _exit_status(code) == status
    assert capsys.readouterr().err == ("message\n" if code == "message" else "")


def test_every_check_is_documented_in_the_readme() -> None:
    from generator.checks import REGISTRY

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for check_id in REGISTRY:
        assert f"| `{check_id}` |" in readme, check_id


def test_show_previews_a_language_the_profile_does_not_use(in_project: Path,
                                                           runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "facebook", "--lang", "nn", "--slot", "bio"])
    assert result.exit_code == 0, result.output
    assert "Reglar:" in result.stdout
    assert "is a preview and is not in output/" in result.stderr
    assert not (in_project / "output/channels/facebook/nn/bio.txt").exists()


def test_help_imports_click_and_the_command_table_only() -> None:
    """`kanalprofil --help` (as the console script runs it) imports no command module."""
    code = ("import json, sys\nimport click\nbefore = set(sys.modules)\n"
            "from generator.cli import main\n"
            "try:\n    main(['--help'], prog_name='kanalprofil')\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("Usage: kanalprofil [OPTIONS] COMMAND [ARGS]...")
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    assert {m for m in modules if m.split(".")[0] == "generator"} == {"generator",
                                                                      "generator.cli"}
    heavy = {"jinja2", "yaml", "markdown", "babel", "nh3", "regex", "emoji"}
    assert not heavy & {m.split(".")[0] for m in modules}
    assert "shutil" not in modules  # see HelpContext


def test_command_table_matches_the_commands() -> None:
    """The short helps in ``generator.cli.COMMANDS`` are those of the commands themselves."""
    import importlib
    import pkgutil

    import generator.commands
    from generator.cli import COMMANDS

    modules = {m.name for m in pkgutil.iter_modules(generator.commands.__path__)}
    assert {entry.module for entry in COMMANDS.values()} == {
        f"generator.commands.{m}" for m in modules - {"common"}}
    for name, entry in COMMANDS.items():
        command = getattr(importlib.import_module(entry.module), name)
        assert isinstance(command, click.Command)
        assert command.name == name
        assert not command.hidden and not command.deprecated and command.short_help is None
        assert command.help is not None
        assert " ".join(command.help.split("\n\n")[0].split()) == entry.help, name
        for limit in range(20, 120):
            assert click.Command(name, help=entry.help).get_short_help_str(limit) \
                == command.get_short_help_str(limit), (name, limit)


@pytest.mark.parametrize("width", [50, 60, 80, 120])
def test_help_lists_the_commands_as_click_would(width: int) -> None:
    """The list made from the table is what Click writes when it imports every command."""
    ctx = click.Context(main, info_name="kanalprofil", terminal_width=width,
                        max_content_width=width)
    from_table, from_commands = ctx.make_formatter(), ctx.make_formatter()
    main.format_commands(ctx, from_table)
    click.Group.format_commands(main, ctx, from_commands)
    assert from_table.getvalue() == from_commands.getvalue()
    assert "\n  build " in from_table.getvalue()


def test_unknown_command_suggests_a_lazy_one(runner: CliRunner) -> None:
    result = runner.invoke(main, ["biuld"])
    assert result.exit_code == 2
    assert "Error: No such command 'biuld'. Did you mean 'build'?" in result.output


@pytest.mark.parametrize("columns", [None, "40", "70", "100", "0", "wide"])
@pytest.mark.parametrize("max_content_width", [None, 120])
@pytest.mark.parametrize("forced_width", [None, 80])
def test_help_width_is_the_one_click_works_out(monkeypatch: pytest.MonkeyPatch,
                                              columns: str | None,
                                              max_content_width: int | None,
                                              forced_width: int | None) -> None:
    """HelpContext gets the width Click gets through shutil.get_terminal_size."""
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(click.formatting, "FORCED_WIDTH", forced_width)
    assert terminal_columns() == shutil.get_terminal_size().columns
    for terminal_width in (None, 66):
        ours, clicks = (context(main, terminal_width=terminal_width,
                                max_content_width=max_content_width).make_formatter()
                        for context in (HelpContext, click.Context))
        assert ours.width == clicks.width
