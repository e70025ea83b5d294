"""What ``publish`` would change on each live profile, as value objects and as text,
Markdown or JSON for a reviewer.

A plan lists, per channel and field, the live text (old) and the generated one (new,
exactly the slot's ``.txt`` without its final newline), the counts against the limits,
and one summary line. Nothing here talks to a server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

PLAN_FORMAT = 1


class State(StrEnum):
    UPDATE = "update"          # the live profile differs: --apply writes it
    UNCHANGED = "unchanged"    # the live profile already says this
    REFUSED = "refused"        # a text breaks the platform's rule: never sent
    FAILED = "failed"          # the live profile could not be read
    MANUAL = "manual"          # no apply for this platform yet: paste by hand


@dataclass(frozen=True)
class Limit:
    rule: str
    count: int
    max: int

    @property
    def fits(self) -> bool:
        return self.count <= self.max


@dataclass(frozen=True)
class FieldPlan:
    """One text slot of a profile, mapped to the platform's field."""

    slot: str
    field: str
    new: str
    old: str | None = None
    read: bool = True  # False: the live value is unknown (nothing read)
    limits: tuple[Limit, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return not self.read or (self.old or "") != self.new


@dataclass(frozen=True)
class ChannelPlan:
    channel: str
    platform: str
    platform_name: str
    status: str
    handle: str | None
    languages: tuple[str, ...]
    state: State
    fields: tuple[FieldPlan, ...] = ()
    message: str = ""
    #: where the profile lives and the version read (Bluesky: DID and record CID)
    account: str | None = None
    service: str | None = None
    version: str | None = None
    #: the whole record as read, kept to write back the fields the tool does not own
    record: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    #: paste-ready values for a platform without apply (Mastodon: API field names)
    export: Mapping[str, Any] | None = None

    @property
    def changes(self) -> tuple[FieldPlan, ...]:
        return tuple(f for f in self.fields if f.changed)


@dataclass(frozen=True)
class Plan:
    channels: tuple[ChannelPlan, ...]
    not_covered: tuple[str, ...] = ()

    def count(self, state: State) -> int:
        return sum(1 for c in self.channels if c.state is state)

    @property
    def has_changes(self) -> bool:
        return self.count(State.UPDATE) > 0

    def summary(self) -> str:
        n = self.count(State.UPDATE)
        parts = [f"{n} profile{'s' if n != 1 else ''} to update",
                 f"{self.count(State.UNCHANGED)} unchanged"]
        for state, label in ((State.REFUSED, "refused"), (State.FAILED, "failed to read"),
                             (State.MANUAL, "to paste by hand")):
            if self.count(state):
                parts.append(f"{self.count(state)} {label}")
        return ", ".join(parts)


# -- rendering ----------------------------------------------------------------------------

_STATE_TEXT = {
    State.UPDATE: "update",
    State.UNCHANGED: "unchanged",
    State.REFUSED: "REFUSED",
    State.FAILED: "FAILED",
    State.MANUAL: "paste by hand",
}


def _limits_text(limits: tuple[Limit, ...]) -> str:
    parts = [f"{lim.count}/{lim.max} {lim.rule}" + ("" if lim.fits else " OVER")
             for lim in limits]
    return ", ".join(parts) if parts else "no fixed limit"


def _where(plan: ChannelPlan) -> str:
    bits = [plan.platform_name, plan.handle or "no handle", "+".join(plan.languages)]
    if plan.status != "active":
        bits.append(plan.status)
    return ", ".join(bits)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def render_text(plan: Plan) -> str:
    out: list[str] = []
    for cp in plan.channels:
        out.append(f"{cp.channel} ({_where(cp)}): {_STATE_TEXT[cp.state]}")
        if cp.message:
            out.append(f"  {cp.message}")
        for fp in cp.fields:
            head = f"  {fp.slot} → {fp.field}"
            limits = _limits_text(fp.limits)
            if not fp.changed:
                out.append(f"{head}: unchanged ({limits})")
                continue
            out.append(f"{head}: ({limits})")
            if fp.read:
                out.append(_indent(fp.old, "    - ") if fp.old else "    - (empty)")
            out.append(_indent(fp.new, "    + "))
            out.extend(f"    ! {problem}" for problem in fp.problems)
        if cp.export is not None:
            out.append("  paste-ready:")
            out.append(_indent(_export_text(cp.export), "    "))
        out.append("")
    if plan.not_covered:
        out.append(f"No API adapter (paste from output/): {', '.join(plan.not_covered)}")
    out.append(plan.summary())
    return "\n".join(out) + "\n"


def _export_text(export: Mapping[str, Any]) -> str:
    lines = []
    for key, value in export.items():
        if key == "fields_attributes" and isinstance(value, list):
            lines.append(f"{key}:")
            for i, item in enumerate(value, start=1):
                lines.append(f"  {i}. {item['name']} = {item['value']}")
        else:
            lines.append(f"{key}:")
            lines.append(_indent(str(value), "  "))
    return "\n".join(lines)


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def render_markdown(plan: Plan) -> str:
    out = ["# Publish plan", "", f"**{plan.summary()}**", ""]
    for cp in plan.channels:
        out.append(f"## {cp.channel}: {_STATE_TEXT[cp.state]}")
        out.append("")
        out.append(_where(cp) + (f"; version read: `{cp.version}`" if cp.version else ""))
        out.append("")
        if cp.message:
            out.extend([f"> {cp.message}", ""])
        if cp.fields:
            out.extend(["| Slot | Field | Change | Counts |", "|---|---|---|---|"])
            for fp in cp.fields:
                change = "changes" if fp.changed else "unchanged"
                out.append(f"| {fp.slot} | `{fp.field}` | {change} | "
                           f"{_limits_text(fp.limits)} |")
            out.append("")
        for fp in cp.changes:
            out.append(f"### {fp.slot} → `{fp.field}`")
            out.append("")
            if fp.read:
                out.extend(["Old:", "", _fence(fp.old) if fp.old else "*(empty)*", ""])
            out.extend(["New:", "", _fence(fp.new), ""])
            out.extend(f"- **{problem}**" for problem in fp.problems)
            if fp.problems:
                out.append("")
        if cp.export is not None:
            out.extend(["### Paste-ready", "", _fence(_export_text(cp.export)), ""])
    if plan.not_covered:
        out.extend([f"No API adapter (paste from output/): {', '.join(plan.not_covered)}", ""])
    return "\n".join(out)


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "format": PLAN_FORMAT,
        "summary": plan.summary(),
        "not_covered": list(plan.not_covered),
        "channels": [{
            "channel": cp.channel, "platform": cp.platform, "status": cp.status,
            "handle": cp.handle, "languages": list(cp.languages), "state": cp.state.value,
            "message": cp.message, "account": cp.account, "service": cp.service,
            "version": cp.version,
            "fields": [{
                "slot": fp.slot, "field": fp.field, "old": fp.old, "new": fp.new,
                "read": fp.read, "changed": fp.changed,
                "limits": [{"rule": lim.rule, "count": lim.count, "max": lim.max}
                           for lim in fp.limits],
                "problems": list(fp.problems),
            } for fp in cp.fields],
            **({"export": dict(cp.export)} if cp.export is not None else {}),
        } for cp in plan.channels],
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def render_plan(plan: Plan, fmt: str) -> str:
    return RENDERERS[fmt](plan)


@dataclass(frozen=True)
class Reviewed:
    """What a reviewed JSON plan fixes for one channel: the version read and the texts."""

    channel: str
    version: str | None
    account: str | None
    new: Mapping[str, str]


def load_reviewed(data: Any) -> dict[str, Reviewed]:
    """Parse a plan written by ``--format json``; ValueError when it is not one."""
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise ValueError("not a kanalprofil publish plan (run `kanalprofil publish "
                         "--format json` to write one)")
    result = {}
    for entry in data.get("channels", []):
        try:
            result[str(entry["channel"])] = Reviewed(
                str(entry["channel"]), entry.get("version"), entry.get("account"),
                {str(f["field"]): str(f["new"]) for f in entry.get("fields", [])})
        except (KeyError, TypeError):
            raise ValueError("the plan file is damaged: a channel entry lacks its "
                             "channel or fields") from None
    return result
