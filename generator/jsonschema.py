"""JSON Schemas of the YAML files, made from the same field rules that check them.

Editors read them through the ``# yaml-language-server: $schema=…`` line at the top of a
profile, so a typo is underlined before kanalprofil ever runs.
"""

from __future__ import annotations

from typing import Any

from generator import __version__

SCHEMA_ID = "https://kanalprofil.example/schema/{kind}.schema.json"


def schema_for(kind: str) -> dict[str, Any]:
    from generator.model import CHANNEL, ORGANISATION
    from generator.project import PROJECT

    record = {"organisation": ORGANISATION, "channel": CHANNEL, "project": PROJECT}[kind]
    schema = record.json_schema()
    if kind == "channel":
        schema["properties"].pop("id", None)
        schema["required"] = [r for r in schema.get("required", []) if r != "id"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(kind=kind),
        "title": f"kanalprofil {kind} file (version {__version__})",
        **schema,
    }
