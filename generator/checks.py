"""Domain checks: one registry, used by ``build`` (as warnings) and ``audit`` (as a report).

Each check has an id, a default severity and a one-line explanation; the project file
can change a check's severity (``checks: {review-overdue: {severity: error}}``) or turn
it off, and ``--strict`` makes every warning an error. The checks encode the guide's
advice: criticism is good, follow up what you start, anchor each channel with an owner.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from generator.catalogue import Catalogue
from generator.errors import Location, Problem, Problems, Severity
from generator.model import Channel
from generator.profiles import Profiles
from generator.project import ProjectSettings
from generator.schema import iter_strings
from generator.yamlload import LocatedDict


@dataclass(frozen=True)
class Finding:
    check: str
    channel: str
    location: Location
    message: str
    hint: str = ""


@dataclass(frozen=True)
class CheckContext:
    profiles: Profiles
    catalogue: Catalogue
    settings: ProjectSettings
    today: dt.date


CheckFunction = Callable[[CheckContext], Iterator[Finding]]


@dataclass(frozen=True)
class Check:
    id: str
    explanation: str
    run: CheckFunction
    severity: str = "warning"


REGISTRY: dict[str, Check] = {}


def check(check_id: str, explanation: str, severity: str = "warning"
          ) -> Callable[[CheckFunction], CheckFunction]:
    def register(func: CheckFunction) -> CheckFunction:
        REGISTRY[check_id] = Check(check_id, explanation, func, severity)
        return func
    return register


SourceCheckFunction = Callable[[str, LocatedDict], Iterator[Finding]]
#: Every per-file check by id: what reads a channel file in a worker also runs these
#: (:func:`generator.profiles.load_profiles`).
SOURCE_CHECKS: dict[str, SourceCheckFunction] = {}


def source_check(check_id: str, explanation: str, severity: str = "warning"
                 ) -> Callable[[SourceCheckFunction], SourceCheckFunction]:
    """A check that looks at the values of one file at a time (``sources[id]``), and at
    nothing else: not other channels, not the date, not the project's settings. Its
    findings in a channel file are kept with that file's cache entry
    (:mod:`generator.profilecache`), so a rebuild scans only the files that changed."""
    def register(func: SourceCheckFunction) -> SourceCheckFunction:
        def run(ctx: CheckContext) -> Iterator[Finding]:
            profiles = ctx.profiles
            for source_id in sorted(profiles.sources):  # read only where not kept
                yield from profiles.source_findings(
                    check_id, source_id,
                    partial(_findings, func, source_id, profiles.sources))

        REGISTRY[check_id] = Check(check_id, explanation, run, severity)
        SOURCE_CHECKS[check_id] = func
        return func
    return register


def _findings(func: SourceCheckFunction, source_id: str,
              sources: Mapping[str, LocatedDict]) -> tuple[Finding, ...]:
    return tuple(func(source_id, sources[source_id]))


def today() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names, so reports are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _where(ctx: CheckContext, channel: Channel, key: str | None = None) -> Location:
    raw = ctx.profiles.sources.get(channel.id)
    if raw is None:
        return Location(f"channels/{channel.id}.yml")
    if key and key in raw:
        return raw.key_at(key)
    return Location(raw.location.file, 1, 1)


@check("no-owner", "Every channel needs an owner who follows it up (the guide: anchor it); "
       "a retired profile stays online, so it needs one too.")
def _no_owner(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        if not channel.owner:
            yield Finding("no-owner", channel.id, _where(ctx, channel),
                          f"{channel.id}: no owner", "add owner: <unit or role>")


@check("review-overdue",
       "Texts nobody has reviewed for long go stale; review each channel regularly.")
def _review_overdue(ctx: CheckContext) -> Iterator[Finding]:
    months = ctx.settings.review_max_age_months
    for channel in ctx.profiles.channels:
        if channel.status in ("planned", "retired"):
            continue
        reviewed = channel.last_reviewed
        if reviewed is None:
            yield Finding("review-overdue", channel.id, _where(ctx, channel),
                          f"{channel.id}: never reviewed", "add last_reviewed: YYYY-MM-DD")
            continue
        age = (ctx.today.year - reviewed.year) * 12 + ctx.today.month - reviewed.month
        if age > months:
            yield Finding("review-overdue", channel.id, _where(ctx, channel, "last_reviewed"),
                          f"{channel.id}: last reviewed {reviewed.isoformat()}, "
                          f"{age} months ago (limit {months})",
                          "check the texts and update last_reviewed")


@check("pilot-no-end", "A pilot needs an end date, so someone decides whether to go on.")
def _pilot_no_end(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        if channel.status == "pilot" and channel.pilot_ends is None:
            yield Finding("pilot-no-end", channel.id, _where(ctx, channel, "status"),
                          f"{channel.id}: pilot without an end date",
                          "add pilot_ends: YYYY-MM-DD")


@check("pilot-expired", "A pilot past its end date must be made active or retired.")
def _pilot_expired(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        if channel.status == "pilot" and channel.pilot_ends and channel.pilot_ends < ctx.today:
            yield Finding("pilot-expired", channel.id, _where(ctx, channel, "pilot_ends"),
                          f"{channel.id}: pilot ended {channel.pilot_ends.isoformat()}",
                          "set status: active, or retire the channel")


@check("dialogue-without-response",
       "A channel that listens or takes part must say when and how fast it answers.")
def _dialogue(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        if not channel.is_public or not channel.dialogue:
            continue
        response = channel.response
        if not response.answers:
            yield Finding("dialogue-without-response", channel.id,
                          _where(ctx, channel, "purpose"),
                          f"{channel.id}: purpose includes dialogue, but answers is false",
                          "set response.answers: true, or purpose: [broadcast]")
        elif response.time is None and response.hours is None:
            yield Finding("dialogue-without-response", channel.id,
                          _where(ctx, channel, "purpose"),
                          f"{channel.id}: invites dialogue but gives no response time or hours",
                          "add response.time or response.hours")


CRITICISM_WORDS = ("critic", "kritikk", "kritisk", "opinion", "mening", "meining",
                   "disagree", "uenig", "usamd", "negative", "negativ", "complain", "klage")


@check("removes-criticism",
       "Rules must not remove criticism or opinions (the guide: criticism is good; remember "
       "freedom of expression).")
def _removes_criticism(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        for rule in channel.moderation.custom:
            text = " ".join(rule.text.values()).lower()
            if any(word in text for word in CRITICISM_WORDS):
                yield Finding("removes-criticism", channel.id, _where(ctx, channel, "moderation"),
                              f"{channel.id}: custom rule {rule.id!r} may remove criticism or "
                              "opinions", "remove only spam, harassment and the like")
        if not channel.criticism_welcome and channel.is_public:
            yield Finding("removes-criticism", channel.id,
                          _where(ctx, channel, "criticism_welcome"),
                          f"{channel.id}: criticism_welcome is false",
                          "say that criticism is welcome unless you have a strong reason")


@check("retired-no-successor",
       "A retired profile stays online; it should say where to follow the organisation now.")
def _retired(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        if channel.status == "retired" and (channel.retired is None
                                            or channel.retired.successor is None):
            yield Finding("retired-no-successor", channel.id, _where(ctx, channel, "retired"),
                          f"{channel.id}: retired without a successor",
                          "add retired.successor: <channel id>")


@check("duplicate-handle", "The same account listed twice makes texts disagree.")
def _duplicates(ctx: CheckContext) -> Iterator[Finding]:
    seen: dict[tuple[str, str], str] = {}
    for channel in ctx.profiles.channels:
        if not channel.handle:
            continue
        key = (channel.platform, channel.handle.lower().lstrip("@"))
        if key in seen:
            yield Finding("duplicate-handle", channel.id, _where(ctx, channel, "handle"),
                          f"{channel.id}: same {channel.platform} handle as {seen[key]}",
                          "keep one file per account")
        else:
            seen[key] = channel.id


@check("platform-closed", "A platform marked closed or renamed in the catalogue.")
def _closed(ctx: CheckContext) -> Iterator[Finding]:
    for channel in ctx.profiles.channels:
        platform = ctx.catalogue.get(channel.platform)
        if platform is not None and platform.status != "active" \
                and channel.status != "retired":
            extra = f" (now {platform.renamed_to})" if platform.renamed_to else ""
            yield Finding("platform-closed", channel.id, _where(ctx, channel, "platform"),
                          f"{channel.id}: {platform.name} is {platform.status}{extra}",
                          "retire the channel or move it")


#: Characters that hide or reorder text: bidirectional overrides and zero-width marks.
INVISIBLE = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B,
                              0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C)}
#: Finds one of them: a search, not a loop over every character of every value.
_ANY_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")


@source_check("invisible-unicode",
              "Invisible or direction-changing characters can make a text say something "
              "else.")
def _invisible(channel_id: str, raw: LocatedDict) -> Iterator[Finding]:
    for text, where in iter_strings(raw, raw.location if isinstance(raw, LocatedDict)
                                    else Location("")):
        if _ANY_INVISIBLE.search(text) is None:
            continue
        bad = sorted({ch for ch in text if ch in INVISIBLE})
        if bad:
            names = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in bad)
            yield Finding("invisible-unicode", channel_id, where,
                          f"invisible character(s) in a value: {names}",
                          "retype the text without them")


@source_check("secret-in-profile",
              "Profiles are committed and published: a password or token there is leaked.",
              severity="error")
def _secrets(channel_id: str, raw: LocatedDict) -> Iterator[Finding]:
    from generator.secretscan import find_secrets

    for text, where in iter_strings(raw, raw.location):
        for kind in find_secrets(text):
            yield Finding("secret-in-profile", channel_id, where,
                          f"this value looks like {kind}",
                          "remove it and revoke it; credentials go in environment "
                          "variables or a --credentials file outside the project")


def validate_settings(settings: ProjectSettings, where: Location, problems: Problems) -> None:
    """Every id under ``checks:`` in the project file must name a registered check."""
    from generator.schema import did_you_mean

    for check_id in settings.checks:
        if check_id not in REGISTRY:
            problems.error(where, f"unknown check {check_id!r} under checks",
                           did_you_mean(check_id, sorted(REGISTRY))
                           or f"known: {', '.join(sorted(REGISTRY))}")


def run_checks(profiles: Profiles, catalogue: Catalogue, settings: ProjectSettings,
               on: dt.date | None = None) -> list[tuple[Check, Finding]]:
    ctx = CheckContext(profiles, catalogue, settings, on or today())
    found: list[tuple[Check, Finding]] = []
    for check_id in sorted(REGISTRY):
        registered = REGISTRY[check_id]
        if severity_of(registered, settings) == "off":
            continue
        found.extend((registered, finding) for finding in registered.run(ctx))
    return found


def severity_of(registered: Check, settings: ProjectSettings) -> str:
    """off, warning or error: the project file's setting, else the check's default."""
    own = settings.checks.get(registered.id)
    return own.severity if own is not None else registered.severity


def as_problem(registered: Check, finding: Finding, settings: ProjectSettings) -> Problem:
    """A finding as ``build`` reports it: ``file:line:col: warning: message (hint) [id]``."""
    severity = Severity.ERROR if severity_of(registered, settings) == "error" \
        else Severity.WARNING
    return Problem(finding.location, finding.message, finding.hint, severity, finding.check)


def report_checks(findings: list[tuple[Check, Finding]], settings: ProjectSettings,
                  problems: Problems) -> None:
    problems.extend(as_problem(registered, finding, settings)
                    for registered, finding in findings)
