"""The profile reference in the docs, generated from the field rules that check profiles."""

from __future__ import annotations

from generator.schema import Record, reference_rows

INTRO = """\
# Profile reference

Generated from the field rules in `generator/model.py` and `generator/project.py` by
`make docs`; a test keeps this file in sync. Types: *text per language* is a mapping
such as `{nb: …, nn: …, en: …}` with every organisation language; where it says *or*,
one value for all languages is allowed too. Values are read as YAML 1.2: `yes`/`no` are
text (write `true`/`false`), times are text (write `"08:30"` in quotes).
"""


def _table(title: str, intro: str, record: Record) -> list[str]:
    lines = [f"## {title}", "", intro, "", "| Key | Type | Default | Meaning | Example |",
             "|---|---|---|---|---|"]
    for key, kind, default, doc, example in reference_rows(record):
        if key == "id":
            continue
        cells = [f"`{key}`", kind, f"`{default}`" if default not in ("—", "required")
                 else default, doc, f"`{example}`" if example else ""]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return [*lines, ""]


def render_reference() -> str:
    from generator.model import CHANNEL, CHANNEL_SETTINGS, ORGANISATION
    from generator.project import PROJECT

    lines = [INTRO]
    lines += [row for row in _table(
        "organisation.yml", "One per project, in `profiles/`. `defaults` takes any channel "
        "setting below, for every channel.", ORGANISATION) if not row.startswith("| `defaults.")]
    lines += _table("Channel settings (in `defaults` or a channel file)",
                    "A channel's value overrides the default key by key: mappings merge, "
                    "lists and single values replace.", CHANNEL_SETTINGS)
    channel_only = Record(CHANNEL.cls)
    rows = _table("Channel files (`profiles/channels/<id>.yml`)",
                  "The file name is the channel id. Besides the settings above:", channel_only)
    setting_keys = {f"`{row[0]}`" for row in reference_rows(CHANNEL_SETTINGS)}
    lines += [row for row in rows
              if not any(row.startswith(f"| {key}") for key in setting_keys)
              and not any(row.startswith(f"| `{k[1:-1]}.") for k in setting_keys)]
    lines += _table("kanalprofil.yml (project file)", "Every key is optional.", PROJECT)
    return "\n".join(lines).rstrip() + "\n"
