"""``kanalprofil count``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.commands.common import config_option, load


@click.command()
@click.option("--platform", "-p", "platform_id", required=True, help="Platform id.")
@click.option("--slot", "-s", default=None, help="Slot (default: bio, else the first).")
@click.option("--json", "as_json", is_flag=True, help="Every count, as JSON.")
@config_option
def count(platform_id: str, slot: str | None, as_json: bool, config: Path | None) -> None:
    """Count text from stdin the way a platform counts it."""
    import json

    from generator.catalogue import project_catalogue
    from generator.counting import RULE_DESCRIPTIONS, all_counts
    from generator.errors import Problems
    from generator.fitting import measure

    project = load(config)
    problems = Problems()
    catalogue = project_catalogue(project, problems)
    problems.raise_if_errors()
    platform = catalogue.get(platform_id)
    if platform is None:
        raise click.BadParameter(f"unknown platform {platform_id!r}; known: "
                                 f"{', '.join(catalogue.platforms)}", param_hint="--platform")
    slot_name = slot or ("bio" if "bio" in platform.slots else next(iter(platform.slots)))
    if slot_name not in platform.slots:
        raise click.BadParameter(f"{platform.name} has no slot {slot_name!r}; it has: "
                                 f"{', '.join(platform.slots)}", param_hint="--slot")
    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]
    measures = measure(text, platform.slots[slot_name].limits)
    fits = all(m.fits for m in measures)
    if as_json:
        click.echo(json.dumps({
            "platform": platform_id, "slot": slot_name, "fits": fits,
            "limits": [{"rule": m.rule, "count": m.count, "max": m.limit} for m in measures],
            "counts": all_counts(text),
        }, indent=2, sort_keys=True, ensure_ascii=False))
    elif not measures:
        click.echo(f"{len(text)} characters; {platform.name} {slot_name} has no fixed limit")
    else:
        for m in measures:
            mark = "fits" if m.fits else f"over by {m.count - m.limit}"
            rules = " or ".join(RULE_DESCRIPTIONS.get(r, r) for r in m.rule.split(" or "))
            click.echo(f"{m.count} / {m.limit} ({rules}): {mark}")
    if not fits:
        sys.exit(1)
