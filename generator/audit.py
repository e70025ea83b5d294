"""``kanalprofil audit``: every channel the organisation has, and what needs doing about it.

The guide's "check your online identity": the organisation is present wherever it has an
account, whether it posts there or not. The audit lists every channel in the profiles
(planned, pilot, active and retired) with its owner, purpose, review and pilot dates, and
the problems the check registry (:mod:`generator.checks`) finds: the same checks, with
the same ids and severities, as ``build`` reports as warnings.

The report names owners, so it is for internal use: it is printed, never written to a
public page. "Today" comes from :func:`generator.checks.today` (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from generator.checks import REGISTRY, run_checks, severity_of, today, validate_settings
from generator.errors import Location, Problem, Problems, Severity
from generator.profiles import Profiles
from generator.project import Project

if TYPE_CHECKING:
    from generator.model import Channel

FORMATS = ("text", "markdown", "json", "csv")
#: The pseudo-channel that findings in organisation.yml belong to.
ORGANISATION = "(organisation)"


@dataclass(frozen=True)
class AuditFinding:
    check: str
    severity: str
    channel: str
    location: Location
    message: str
    hint: str
    explanation: str

    @property
    def problem(self) -> Problem:
        severity = Severity.ERROR if self.severity == "error" else Severity.WARNING
        return Problem(self.location, self.message, self.hint, severity, self.check)


@dataclass(frozen=True)
class AuditRow:
    """One channel, with the facts the guide asks an organisation to keep track of."""

    channel: str
    platform: str
    platform_name: str
    handle: str
    url: str
    status: str
    owner: str
    purpose: tuple[str, ...]
    last_reviewed: dt.date | None
    pilot_ends: dt.date | None
    retired_on: dt.date | None
    successor: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class AuditReport:
    date: dt.date
    review_max_age_months: int
    rows: tuple[AuditRow, ...]
    findings: tuple[AuditFinding, ...]

    def fails(self, strict: bool) -> bool:
        """Exit 1: any finding under ``--strict``, else any finding whose severity is error."""
        return any(strict or f.severity == "error" for f in self.findings)


def load_for_audit(project: Project, problems: Problems) -> tuple[Profiles | None, Any]:
    """The catalogue and the checked profiles, as ``build`` reads them (no rendering)."""
    from generator.build import load_inputs

    _, catalogue, profiles = load_inputs(project, problems)
    validate_settings(project.settings,
                      Location(project.display(project.config_file or project.root)), problems)
    return profiles, catalogue


def audit(project: Project, problems: Problems, *, on: dt.date | None = None,
          review_max_age_months: int | None = None) -> AuditReport:
    """Collect the rows and the findings; raise InputError when the profiles are invalid."""
    settings = project.settings
    if review_max_age_months is not None:
        settings = replace(settings, review_max_age_months=review_max_age_months)
    profiles, catalogue = load_for_audit(project, problems)
    problems.raise_if_errors()
    assert profiles is not None
    day = on or today()
    findings = tuple(
        AuditFinding(finding.check, severity_of(registered, settings),
                     finding.channel or ORGANISATION, finding.location, finding.message,
                     finding.hint, registered.explanation)
        for registered, finding in run_checks(profiles, catalogue, settings, day))
    profiles.save_cache()  # after the checks, which add their per-file findings
    findings = tuple(sorted(findings, key=lambda f: (f.channel, f.check, f.location)))
    by_channel: dict[str, list[str]] = {}
    for finding in findings:
        by_channel.setdefault(finding.channel, []).append(finding.check)
    rows = []
    for channel in profiles.channels:
        platform = catalogue.get(channel.platform)
        rows.append(AuditRow(
            channel=channel.id, platform=channel.platform,
            platform_name=platform.name if platform else channel.platform,
            handle=channel.handle or "", url=channel.url, status=channel.status,
            owner=_owner(channel, profiles.organisation.languages), purpose=channel.purpose,
            last_reviewed=channel.last_reviewed, pilot_ends=channel.pilot_ends,
            retired_on=channel.retired.date if channel.retired else None,
            successor=(channel.retired.successor or "") if channel.retired else "",
            problems=tuple(by_channel.get(channel.id, ()))))
    if ORGANISATION in by_channel:
        rows.append(AuditRow(ORGANISATION, "", "", "", "", "", "", (), None, None, None, "",
                             tuple(by_channel[ORGANISATION])))
    return AuditReport(day, settings.review_max_age_months, tuple(rows), findings)


# --- rendering -------------------------------------------------------------------------

COLUMNS = ("Channel", "Platform", "Handle", "Status", "Owner", "Purpose", "Last reviewed",
           "Pilot ends", "Problems")


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _cells(row: AuditRow) -> list[str]:
    status = row.status
    if row.retired_on:
        status += f" {row.retired_on.isoformat()}"
        if row.successor:
            status += f" → {row.successor}"
    owner = row.owner or ("none" if row.channel != ORGANISATION else "")
    return [row.channel, row.platform_name, row.handle, status, owner,
            ", ".join(p.replace("_", " ") for p in row.purpose),
            _date(row.last_reviewed) or ("never" if row.status in ("active", "pilot") else ""),
            _date(row.pilot_ends), ", ".join(dict.fromkeys(row.problems)) or "ok"]


def _summary(report: AuditReport) -> str:
    channels = sum(1 for r in report.rows if r.channel != ORGANISATION)
    statuses = Counter(r.status for r in report.rows if r.channel != ORGANISATION)
    parts = ", ".join(f"{statuses[s]} {s}" for s in ("active", "pilot", "planned", "retired")
                      if statuses[s])
    problems = len(report.findings)
    found = "no problems found" if not problems else \
        f"{problems} problem{'s' if problems != 1 else ''}"
    return (f"{channels} channel{'s' if channels != 1 else ''} ({parts}) on "
            f"{report.date.isoformat()}: {found}; reviews older than "
            f"{report.review_max_age_months} months are overdue.")


def render_text(report: AuditReport) -> str:
    table = [list(COLUMNS), *(_cells(row) for row in report.rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
             .rstrip() for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    out = ["Channel audit (internal: names owners)", "", *lines, "", _summary(report)]
    if report.findings:
        out += ["", *(str(f.problem) for f in report.findings)]
    return "\n".join(out) + "\n"


def _md(cell: str) -> str:
    """A table cell or list text: pipes and angle brackets escaped; empty as a dash."""
    if not cell:
        return "—"
    return cell.replace("|", "\\|").replace("<", "\\<").replace(">", "\\>")


def render_markdown(report: AuditReport) -> str:
    out = ["# Channel audit", "",
           "Internal: this report names the owner of each channel. Do not publish it.", "",
           _summary(report), "",
           "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(_md(c) for c in _cells(row)) + " |" for row in report.rows]
    if report.findings:
        out += ["", "## Problems", ""]
        for f in report.findings:
            hint = f" ({f.hint})" if f.hint else ""
            out.append(f"- **{f.check}** ({f.severity}) `{f.location}`: "
                       f"{_md(f.message)}{_md(hint) if hint else ''}")
        out += ["", "## What the checks mean", ""]
        for check_id in sorted({f.check for f in report.findings}):
            out.append(f"- **{check_id}**: {REGISTRY[check_id].explanation}")
    return "\n".join(out) + "\n"


def _row_json(row: AuditRow) -> dict[str, Any]:
    return {
        "channel": row.channel, "platform": row.platform, "platform_name": row.platform_name,
        "handle": row.handle or None, "url": row.url or None, "status": row.status or None,
        "owner": row.owner or None, "purpose": list(row.purpose),
        "last_reviewed": _date(row.last_reviewed) or None,
        "pilot_ends": _date(row.pilot_ends) or None,
        "retired": {"date": _date(row.retired_on), "successor": row.successor or None}
        if row.retired_on else None,
        "problems": list(row.problems),
    }


def render_json(report: AuditReport) -> str:
    data = {
        "date": report.date.isoformat(),
        "review_max_age_months": report.review_max_age_months,
        "channels": [_row_json(row) for row in report.rows],
        "findings": [{
            "check": f.check, "severity": f.severity, "channel": f.channel,
            "file": f.location.file, "line": f.location.line, "column": f.location.column,
            "message": f.message, "hint": f.hint, "explanation": f.explanation,
        } for f in report.findings],
        "summary": {
            "channels": sum(1 for r in report.rows if r.channel != ORGANISATION),
            "findings": len(report.findings),
            "by_check": dict(sorted(Counter(f.check for f in report.findings).items())),
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("channel", "platform", "handle", "url", "status", "owner", "purpose",
               "last_reviewed", "pilot_ends", "retired_on", "successor", "problems",
               "details")


def render_csv(report: AuditReport) -> str:
    """One row per channel, for a spreadsheet; problems are check ids, details the messages."""
    messages: dict[str, list[str]] = {}
    for f in report.findings:
        messages.setdefault(f.channel, []).append(str(f.problem))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow([row.channel, row.platform, row.handle, row.url, row.status,
                         row.owner, " ".join(row.purpose), _date(row.last_reviewed),
                         _date(row.pilot_ends), _date(row.retired_on), row.successor,
                         " ".join(row.problems), "; ".join(messages.get(row.channel, []))])
    return buffer.getvalue()


def render_audit(report: AuditReport, fmt: str) -> str:
    renderers = {"text": render_text, "markdown": render_markdown, "json": render_json,
                 "csv": render_csv}
    return renderers[fmt](report)


__all__ = ["FORMATS", "AuditFinding", "AuditReport", "AuditRow", "audit", "render_audit"]


def _owner(channel: Channel, languages: tuple[str, ...]) -> str:
    """The owner as the organisation's first language names them (the report is one
    language's), or the empty string."""
    if not channel.owner:
        return ""
    return channel.owner.get(languages[0]) or next(iter(channel.owner.values()), "")
