"""Show a plan to people and tools: a coloured diff, a PR comment, JSON, a check report.

Separate renderers like octodns's ``PlanLogger``/``PlanMarkdown``/``PlanJson``, each a
pure function returning a string: the CLI decides where it goes (``click.echo``, a file)
and whether to colour it (terminal vs pipe), so nothing here binds ``sys.stdout``.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

import click

from generator.manifest import MANIFEST_NAME
from generator.plan import Action, Change, Plan

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")
JSON_FORMAT_VERSION = 1

#: ``channels/<id>/<lang>/<slot>.txt`` is a text slot; everything else is "other files".
_SLOT_PATH = re.compile(r"channels/(?P<channel>[^/]+)/(?P<lang>[^/]+)/(?P<slot>[^/]+)\.txt")


#: GitHub refuses a comment longer than this many characters (its API error says so).
COMMENT_LIMIT = 65_536


def render_plan(plan: Plan, fmt: Format = "text", color: bool = False,
                max_length: int | None = None) -> str:
    """The plan in ``fmt``; ``color`` only affects ``text``, ``max_length`` ``markdown``."""
    if fmt == "text":
        return render_text(plan, color=color)
    if fmt == "markdown":
        return render_markdown(plan, max_length)
    if fmt == "json":
        return render_json(plan)
    raise ValueError(f"unknown plan format {fmt!r}; expected one of {', '.join(FORMATS)}")


def summary(plan: Plan) -> str:
    """One line, octodns style: ``3 to create, 2 to update, 1 to delete, 40 unchanged``."""
    unchanged = len(plan.unchanged)
    if plan.has_file_changes:
        return (
            f"{len(plan.creates)} to create, {len(plan.updates)} to update, "
            f"{len(plan.deletes)} to delete, {unchanged} unchanged"
        )
    if plan.manifest_changed:
        return f"No file changes ({unchanged} unchanged); the manifest will be updated."
    return "No changes."


def is_binary(change: Change) -> bool:
    """True if either side is not UTF-8 text, so no line diff can be shown."""
    return _decode(change.old) is None or _decode(change.new) is None


def diff_lines(change: Change) -> list[str]:
    """A unified diff (``--- a/path`` / ``+++ b/path``), or one line for binary content."""
    old = _decode(change.old)
    new = _decode(change.new)
    if old is None or new is None:
        return [f"binary file differs: {change.path}"]
    fromfile = "/dev/null" if change.action is Action.CREATE else f"a/{change.path}"
    tofile = "/dev/null" if change.action is Action.DELETE else f"b/{change.path}"
    lines: list[str] = []
    for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile, tofile
    ):
        if line.endswith("\n"):
            lines.append(line[:-1])
        else:  # the last line of a file without a final newline, as git shows it
            lines.extend((line, "\\ No newline at end of file"))
    if not lines:  # same text, e.g. a symlink replaced by a file with its content
        lines = [f"--- {fromfile}", f"+++ {tofile}"]
    return lines


def _decode(data: bytes | None) -> str | None:
    if data is None:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _colour(line: str) -> str:
    if line.startswith(("---", "+++")):
        return click.style(line, bold=True)
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    if line.startswith("+"):
        return click.style(line, fg="green")
    if line.startswith("-"):
        return click.style(line, fg="red")
    return line


def render_text(plan: Plan, color: bool = False) -> str:
    """Every changed file's diff, notes, then the summary line.

    Ends with a newline, so echo it with ``click.echo(text, nl=False)``.
    """
    out: list[str] = []
    for change in plan.changes:
        lines = diff_lines(change)
        out.extend([_colour(line) for line in lines] if color else lines)
    if plan.manifest_changed and not plan.has_file_changes:
        out.append(f"output/{MANIFEST_NAME} is out of date")
    out.extend(f"note: {note}" for note in _notes(plan))
    line = summary(plan)
    out.append(click.style(line, bold=True) if color else line)
    return "\n".join(out) + "\n"


def _notes(plan: Plan) -> list[str]:
    notes = list(plan.notes)
    notes.extend(f"user-owned (not generated, left alone): {p}" for p in plan.user_owned)
    notes.extend(
        f"leftover temporary file from an interrupted build, will be removed: {p}"
        for p in plan.leftovers
    )
    return notes


def _count_text(meta: Mapping[str, object]) -> str:
    count = meta.get("count")
    return str(count) if count is not None else "?"


def _limit_text(meta: Mapping[str, object]) -> str:
    limit = meta.get("limit")
    rule = meta.get("rule")
    unit = f" {rule}" if rule else ""
    return f" / {limit}{unit}" if limit is not None else unit


def _over_limit(meta: Mapping[str, object]) -> bool:
    count, limit = meta.get("count"), meta.get("limit")
    return isinstance(count, int) and isinstance(limit, int) and count > limit


def _slot_line(change: Change, slot: str) -> str:
    """``- `bio` 142 → 148 / 150 graphemes`` (counts from old and new manifest metadata)."""
    if change.action is Action.DELETE:
        text = f"{_count_text(change.old_meta)}{_limit_text(change.old_meta)} (removed)"
    elif change.action is Action.CREATE:
        text = f"{_count_text(change.new_meta)}{_limit_text(change.new_meta)} (new)"
    else:
        text = (
            f"{_count_text(change.old_meta)} → {_count_text(change.new_meta)}"
            f"{_limit_text(change.new_meta)}"
        )
    over = change.new is not None and _over_limit(change.new_meta)
    return f"- `{slot}` {text}{' ⚠️ over the limit' if over else ''}"


def _details(change: Change) -> list[str]:
    """The diff folded away, so a PR comment with many files stays readable."""
    if is_binary(change):
        return []
    body = "\n".join(diff_lines(change))
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)  # a diff containing ``` must not end the block
    return [
        "",
        f"<details><summary><code>{html.escape(change.path)}</code> ({change.action})</summary>",
        "",
        f"{fence}diff",
        body,
        fence,
        "",
        "</details>",
        "",
    ]


def _section(out: list[str], heading: str) -> None:
    while out and out[-1] == "":
        out.pop()
    out.extend(["", heading, ""])


def render_markdown(plan: Plan, max_length: int | None = None) -> str:
    """A PR comment: heading, summary, text slots per channel and language, other files.

    With ``max_length`` (characters, counted as GitHub does, in UTF-16 units) a long
    comment is shortened so it can still be posted: the folded diffs that no longer fit
    are left out first, then the files, and a note says how many and how to see it all.
    """
    if max_length:
        whole = render_markdown(plan)
        if len(whole.encode("utf-16-le")) // 2 <= max_length:
            return whole  # fits as it is (the budget keeps room for a note it then needs not)
    budget = _Budget(max_length)
    out = ["## kanalprofil plan", "", f"**{summary(plan)}**"]
    slots: dict[tuple[str, str], list[tuple[str, Change]]] = {}
    others: list[Change] = []
    for change in plan.changes:
        match = _SLOT_PATH.fullmatch(change.path)
        if match:
            key = (match["channel"], match["lang"])
            slots.setdefault(key, []).append((match["slot"], change))
        else:
            others.append(change)
    notes = [f"- {note}" for note in _notes(plan)]
    budget.spend([*out, "", "### Notes", "", *notes])
    for (channel, lang), items in sorted(slots.items()):
        heading = f"### `{channel}` · {lang}"
        if budget.skipped or not budget.spend(["", heading, ""]):
            budget.skip(len(items))
            continue
        _section(out, heading)
        for slot, change in items:
            budget.add(out, _slot_line(change, slot), _details(change))
    if others:
        heading = "### Other files"
        if not budget.skipped and budget.spend(["", heading, ""]):
            _section(out, heading)
            for change in others:
                binary = ", binary file differs" if is_binary(change) else ""
                budget.add(out, f"- `{change.path}` ({change.action}{binary})",
                           _details(change))
        else:
            budget.skip(len(others))
    notes.extend(f"- {note}" for note in budget.notes())
    if notes:
        _section(out, "### Notes")
        out.extend(notes)
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


class _Budget:
    """What is left of a comment's length, and what was left out to stay within it."""

    #: Kept free for the note saying what was left out.
    RESERVE = 400

    def __init__(self, max_length: int | None) -> None:
        self.left = None if not max_length else max_length - self.RESERVE
        self.folded = 0
        self.skipped = 0

    def spend(self, lines: list[str]) -> bool:
        """Take room for ``lines`` (joined by line breaks) if there is room."""
        if self.left is None:
            return True
        cost = sum(len(line.encode("utf-16-le")) // 2 + 1 for line in lines)
        if cost > self.left:
            return False
        self.left -= cost
        return True

    def skip(self, changes: int) -> None:
        self.skipped += changes

    def add(self, out: list[str], line: str, details: list[str]) -> None:
        """One file's line and, if they fit, its folded diff."""
        if self.skipped or not self.spend([line]):
            self.skipped += 1
            return
        out.append(line)
        if details and self.spend(details):
            out.extend(details)
        elif details:
            self.folded += 1

    def notes(self) -> list[str]:
        if not (self.folded or self.skipped):
            return []
        left_out = [f"the diffs of {self.folded} file{'s' if self.folded != 1 else ''}"
                    ] if self.folded else []
        if self.skipped:
            left_out.append(f"{self.skipped} more file{'s' if self.skipped != 1 else ''}")
        return [f"Shortened to fit a comment: {' and '.join(left_out)} left out. Run "
                "`kanalprofil diff` (or `kanalprofil diff --format markdown --max-length 0`) "
                "to see everything."]


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def render_json(plan: Plan) -> str:
    """A stable structure for tools: sorted keys, indent 2, changes sorted by path."""
    changes: list[dict[str, Any]] = []
    for change in plan.changes:
        binary = is_binary(change)
        changes.append(
            {
                "path": change.path,
                "action": str(change.action),
                "tracked": change.tracked,
                "old_sha256": _sha(change.old),
                "new_sha256": _sha(change.new),
                "old_metadata": dict(change.old_meta),
                "new_metadata": dict(change.new_meta),
                "binary": binary,
                "diff": None if binary else "\n".join(diff_lines(change)) + "\n",
            }
        )
    document = {
        "format": JSON_FORMAT_VERSION,
        "summary": {
            "create": len(plan.creates),
            "update": len(plan.updates),
            "delete": len(plan.deletes),
            "unchanged": len(plan.unchanged),
            "manifest_changed": plan.manifest_changed,
            "has_changes": plan.has_changes,
        },
        "filtered": plan.filtered,
        "changes": changes,
        "user_owned": list(plan.user_owned),
        "leftovers": list(plan.leftovers),
        "notes": list(plan.notes),
    }
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def check_lines(plan: Plan) -> list[str]:
    """``missing:``/``stale:``/``extra:`` per file (sorted by path), then ``note:`` lines."""
    label = {Action.CREATE: "missing", Action.UPDATE: "stale", Action.DELETE: "extra"}
    lines = [f"{label[c.action]}: {c.path}" for c in plan.changes]
    if plan.manifest_changed:
        lines.append(f"stale: {MANIFEST_NAME}")
    lines.extend(f"note: {note}" for note in _notes(plan))
    return lines


def check_report(plan: Plan) -> str:
    """The ``check`` report as text (empty when output/ is up to date and has no notes).

    The CLI exits 1 when ``plan.has_changes``; notes alone (user-owned files) never fail.
    """
    return "".join(f"{line}\n" for line in check_lines(plan))

