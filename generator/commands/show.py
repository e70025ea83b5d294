"""``kanalprofil show``."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import config_option, load, run_build, selection


@click.command()
@config_option
@click.argument("channel_id", metavar="CHANNEL")
@click.option("--lang", "-l", "lang", metavar="CODE",
              help="Profile language (default: the channel's own; nb+en for bilingual).")
@click.option("--slot", "-s", default="bio", show_default=True,
              help="Slot: name, bio, about, pinned, statement, field-1-value, …")
def show(config: Path | None, channel_id: str, lang: str | None, slot: str) -> None:
    """Print one text, exactly as it is to be pasted."""
    project = load(config)
    result = run_build(project, selection((channel_id,), ()), reuse=False)
    assert result.profiles is not None
    channel = result.profiles.channel(channel_id)
    if channel is None:
        raise click.BadParameter(f"no channel {channel_id!r}", param_hint="CHANNEL")
    folder = lang or "+".join(channel.languages)
    name = "statement.md" if slot == "statement" else f"{slot}.txt"
    path = f"channels/{channel_id}/{folder}/{name}"
    languages = tuple(folder.split("+"))
    org_languages = result.profiles.organisation.languages
    if path not in result.files and slot != "statement" and channel.status != "planned" \
            and set(languages) <= set(org_languages):
        from generator.build import build

        result = build(project, selection((channel_id,), ()),
                       profile_languages={channel_id: languages})
        if path in result.files:
            click.echo(f"note: the {channel_id} profile is written in "
                       f"{'+'.join(channel.languages)}; this {folder} text is a preview and is "
                       "not in output/", err=True)
    if path not in result.files:
        have = sorted(p.split("/", 2)[2] for p in result.files
                      if p.startswith(f"channels/{channel_id}/"))
        raise click.UsageError(f"{channel_id} has no {folder}/{name}; it has: "
                               f"{', '.join(have) or 'no texts (planned?)'}")
    content = result.files[path].decode("utf-8")
    click.echo(content[:-1] if name.endswith(".txt") else content, nl=name.endswith(".txt"))
