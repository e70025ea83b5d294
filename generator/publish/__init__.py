"""Publish: put the generated texts on the live profiles, from a plan a reviewer has seen.

``make_plan`` reads each live profile and compares it with the build; ``apply_plan``
writes only what differs, with compare-and-swap, channel by channel. ``publish`` is the
CLI's worker: it refuses secrets in the profiles, prints the plan and, with ``apply``,
applies it and returns the exit code (0 all applied, 1 none, 3 only some).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator.catalogue import Catalogue, Platform, project_catalogue
from generator.errors import KanalprofilError, Problems
from generator.fitting import measure
from generator.model import Channel
from generator.publish.bluesky import (
    DEFAULT_TIMEOUT,
    PROFILE_COLLECTION,
    PROFILE_LIMITS,
    BlueskyClient,
    BlueskyError,
    Session,
    SwapError,
    graphemes,
    lexicon_problems,
)
from generator.publish.plan import (
    ChannelPlan,
    FieldPlan,
    Limit,
    Plan,
    Reviewed,
    State,
    load_reviewed,
    plan_to_json,
    render_plan,
)
from generator.publish.secrets import (
    Account,
    bluesky_account,
    check_profiles_for_secrets,
    env_name,
    file_is_private,
    load_credentials_file,
)
from generator.secretscan import find_secrets

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.project import Project

#: Channel statuses whose live profile publish keeps in step (retired: its closing text).
PUBLISHED_STATUSES = ("active", "pilot", "retired")
#: Bluesky: slot → profile record field. ``pinned`` is a post; pinnedPost is left alone.
BLUESKY_FIELDS = {"name": "displayName", "bio": "description"}
#: Platforms with a plan but no apply yet (no server to test an adapter against here).
MANUAL_PLATFORMS = ("mastodon",)
ADAPTERS = ("bluesky", *MANUAL_PLATFORMS)

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    channel: str
    applied: bool
    message: str
    version: str | None = None


@dataclass
class Publisher:
    """Reads and writes live profiles; keeps each channel's session for the apply."""

    accounts: Mapping[str, Account]
    timeout: float = DEFAULT_TIMEOUT
    _sessions: dict[str, tuple[BlueskyClient, Session]] = field(default_factory=dict)

    def _client(self, channel_id: str) -> BlueskyClient:
        return BlueskyClient(self.accounts[channel_id].service, self.timeout)

    def session(self, channel_id: str) -> tuple[BlueskyClient, Session] | None:
        """Log in once per channel; None when the channel has no password configured."""
        if channel_id in self._sessions:
            return self._sessions[channel_id]
        credentials = self.accounts[channel_id].credentials
        if credentials is None:
            return None
        client = self._client(channel_id)
        try:
            session = client.login(credentials.identifier, credentials.password)
        except BlueskyError as exc:
            if exc.error == "AuthenticationRequired" or exc.status == 401:
                raise BlueskyError(f"login as {credentials.identifier} at {client.service} "
                                   f"failed: {exc} (check the app password in "
                                   f"{env_name(channel_id, 'password')} or the credentials "
                                   "file)", status=exc.status, error=exc.error) from None
            raise
        self._sessions[channel_id] = (client, session)
        return client, session

    def read_bluesky(self, base: ChannelPlan, texts: Mapping[str, str]) -> ChannelPlan:
        """The channel's plan against its live profile record."""
        from dataclasses import replace

        account = self.accounts[base.channel]
        try:
            logged_in = self.session(base.channel)
            if logged_in is not None:
                client, did = logged_in[0], logged_in[1].did
            elif account.identifier:
                client = self._client(base.channel)
                did = client.resolve_handle(account.identifier)
            else:
                return replace(base, state=State.FAILED, message="no handle or identifier: "
                               f"set handle in the channel file or "
                               f"{env_name(base.channel, 'identifier')}")
            record = client.get_profile(did)
        except BlueskyError as exc:
            return replace(base, state=State.FAILED, message=str(exc),
                           service=account.service)
        value = record.value or {}
        fields = []
        for slot, name in BLUESKY_FIELDS.items():
            if slot not in texts:
                continue
            new = texts[slot]
            old = value.get(name)
            max_graphemes, max_bytes = PROFILE_LIMITS[name]
            problems = lexicon_problems(name, new) + [
                f"{name} looks like it holds {kind}" for kind in find_secrets(new)]
            fields.append(FieldPlan(
                slot, name, new, old if isinstance(old, str) else None, True,
                (Limit("graphemes", graphemes(new), max_graphemes),
                 Limit("utf8_bytes", len(new.encode("utf-8")), max_bytes)),
                tuple(problems)))
        refused = [p for f in fields for p in f.problems]
        state = (State.REFUSED if refused
                 else State.UPDATE if any(f.changed for f in fields) else State.UNCHANGED)
        message = ("not sent: " + "; ".join(refused)) if refused else ""
        if state is State.UPDATE and account.credentials is None:
            message = (f"--apply needs {env_name(base.channel, 'password')} (an app "
                       "password) or a --credentials file")
        return replace(base, state=state, fields=tuple(fields), message=message,
                       account=did, service=account.service, version=record.cid,
                       record=record.value)

    def apply(self, plan: ChannelPlan, reviewed: Reviewed | None = None) -> Outcome:
        """Write the fields that differ, if the record is still the version read."""
        if plan.state is not State.UPDATE:
            return Outcome(plan.channel, False, plan.message or plan.state.value)
        if reviewed is not None:
            problem = _against_reviewed(plan, reviewed)
            if problem:
                return Outcome(plan.channel, False, problem)
        try:
            logged_in = self.session(plan.channel)
        except BlueskyError as exc:
            return Outcome(plan.channel, False, str(exc))
        if logged_in is None:
            return Outcome(plan.channel, False, "no credentials: set "
                           f"{env_name(plan.channel, 'password')} or use --credentials")
        client, session = logged_in
        if plan.account and session.did != plan.account:
            return Outcome(plan.channel, False, f"logged in as {session.did}, but the plan "
                           f"is for {plan.account}")
        record: dict[str, Any] = dict(plan.record or {})
        record["$type"] = PROFILE_COLLECTION
        for change in plan.changes:
            record[change.field] = change.new
        try:
            cid = client.put_profile(session, record, swap=plan.version)
        except SwapError as exc:
            return Outcome(plan.channel, False, "the profile was edited by someone else "
                           "since the plan was read; nothing written. Run publish again and "
                           f"review the new plan ({exc})")
        except BlueskyError as exc:
            return Outcome(plan.channel, False, str(exc))
        names = ", ".join(c.field for c in plan.changes)
        return Outcome(plan.channel, True, f"updated {names}", cid)


def _against_reviewed(plan: ChannelPlan, reviewed: Reviewed) -> str:
    if reviewed.version != plan.version or (reviewed.account and
                                            reviewed.account != plan.account):
        return ("the profile was edited by someone else since the reviewed plan was read "
                f"(version {reviewed.version} then, {plan.version} now); nothing written. "
                "Make and review a new plan")
    if dict(reviewed.new) != {f.field: f.new for f in plan.fields}:
        return ("the generated texts differ from the reviewed plan; nothing written. "
                "Make and review a new plan")
    return ""


def channel_texts(result: BuildResult, channel: Channel) -> dict[str, str]:
    """Slot → text in the channel's profile language: exactly the slot's ``.txt``,
    without its final newline (as ``show`` prints it)."""
    folder = "+".join(channel.languages)
    prefix = f"channels/{channel.id}/{folder}/"
    texts = {}
    for text in result.texts:
        if text.channel == channel.id and text.languages == channel.languages:
            content = result.files[f"{prefix}{text.slot}.txt"].decode("utf-8")
            texts[text.slot] = content[:-1] if content.endswith("\n") else content
    return texts


def mastodon_plan(base: ChannelPlan, texts: Mapping[str, str], platform: Platform
                  ) -> ChannelPlan:
    """The texts to paste, as Mastodon's update_credentials names them; nothing is read."""
    from dataclasses import replace

    names = {"name": "display_name", "bio": "note"}
    fields = []
    for slot, new in texts.items():
        if slot == "pinned":
            continue
        name = names.get(slot)
        platform_slot = platform.slots.get("fields" if slot.startswith("field-") else slot)
        if name is None:
            number, part = slot.removeprefix("field-").split("-", 1)
            name = f"fields_attributes[{int(number) - 1}][{part}]"
        limits = tuple(Limit(m.rule, m.count, m.limit)
                       for m in measure(new, platform_slot.limits if platform_slot else ()))
        fields.append(FieldPlan(slot, name, new, None, False, limits))
    pairs = sorted({int(s.split("-")[1]) for s in texts if s.startswith("field-")})
    export: dict[str, Any] = {"display_name": texts.get("name", ""),
                              "note": texts.get("bio", ""),
                              "fields_attributes": [
                                  {"name": texts.get(f"field-{i}-name", ""),
                                   "value": texts.get(f"field-{i}-value", "")}
                                  for i in pairs]}
    return replace(base, state=State.MANUAL, fields=tuple(fields), export=export,
                   message="no Mastodon apply yet: paste these in Edit profile")


@contextmanager
def progress(items: Sequence[T], label: str) -> Iterator[Iterable[T]]:
    """A progress bar on stderr when there are many channels and a terminal to show it."""
    if len(items) < 4 or not sys.stderr.isatty():
        yield items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


def make_plan(result: BuildResult, catalogue: Catalogue, publisher: Publisher,
              channel_ids: Iterable[str] | None = None,
              override: Callable[[str, dict[str, str]], dict[str, str]] | None = None
              ) -> Plan:
    """Read every covered channel's live profile and compare it with the build.

    ``override`` may change a channel's texts before they are planned (tests use it to
    offer a text the build would never make).
    """
    assert result.profiles is not None
    wanted = set(channel_ids) if channel_ids is not None else None
    covered = [c for c in result.profiles.channels
               if c.status in PUBLISHED_STATUSES and (wanted is None or c.id in wanted)]
    planned: list[ChannelPlan] = []
    not_covered = tuple(c.id for c in covered if c.platform not in ADAPTERS)
    channels = [c for c in covered if c.platform in ADAPTERS]
    with progress(channels, "Reading live profiles") as items:
        for channel in items:
            texts = channel_texts(result, channel)
            if override is not None:
                texts = override(channel.id, texts)
            platform = catalogue.platforms[channel.platform]
            base = ChannelPlan(channel.id, channel.platform, platform.name, channel.status,
                               channel.handle, channel.languages, State.UNCHANGED)
            if channel.platform == "bluesky":
                planned.append(publisher.read_bluesky(base, texts))
            else:
                planned.append(mastodon_plan(base, texts, platform))
    return Plan(tuple(planned), not_covered)


def apply_plan(plan: Plan, publisher: Publisher,
               reviewed: Mapping[str, Reviewed] | None = None) -> list[Outcome]:
    """Apply every channel to update; one channel's failure does not stop the others."""
    todo = [c for c in plan.channels if c.state in (State.UPDATE, State.REFUSED,
                                                     State.FAILED)]
    outcomes = []
    with progress(todo, "Updating profiles") as items:
        for channel_plan in items:
            if reviewed is not None and channel_plan.state is State.UPDATE \
                    and channel_plan.channel not in reviewed:
                outcomes.append(Outcome(channel_plan.channel, False,
                                        "not in the reviewed plan; nothing written"))
                continue
            outcomes.append(publisher.apply(
                channel_plan, reviewed.get(channel_plan.channel) if reviewed else None))
    return outcomes


def exit_code(succeeded: int, failed: int) -> int:
    """0 when nothing failed, 1 when nothing succeeded, 3 when only some did."""
    if not failed:
        return 0
    return 3 if succeeded else 1


def publish(project: Project, result: BuildResult, *, apply: bool, fmt: str,
            credentials: Path | None = None, reviewed_plan: Path | None = None,
            timeout: float = DEFAULT_TIMEOUT, environ: Mapping[str, str] | None = None,
            channel_ids: Iterable[str] | None = None,
            echo: Callable[[str], None] = click.echo) -> int:
    """The ``publish`` command: refuse secrets, print the plan, apply it if asked."""
    assert result.profiles is not None
    problems = Problems()
    check_profiles_for_secrets(project.profiles_dir, project.root, problems)
    problems.raise_if_errors()
    from_file: dict[str, dict[str, str]] = {}
    if credentials is not None:
        from_file = load_credentials_file(credentials, project.root)
        if not file_is_private(credentials):
            click.echo(f"warning: {credentials} can be read by other users; "
                       f"chmod 600 it", err=True)
    reviewed = None
    if reviewed_plan is not None:
        if not apply:
            raise click.UsageError("--plan is for --apply: the reviewed plan to apply")
        try:
            reviewed = load_reviewed(json.loads(reviewed_plan.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise KanalprofilError(f"{reviewed_plan}: {exc}") from None
    accounts = {c.id: bluesky_account(c.id, c.handle, from_file, environ)
                for c in result.profiles.channels if c.platform == "bluesky"}
    publisher = Publisher(accounts, timeout)
    catalogue = project_catalogue(project, problems)
    problems.raise_if_errors()
    plan = make_plan(result, catalogue, publisher, channel_ids)
    if not apply:
        echo(render_plan(plan, fmt).rstrip("\n"))
        bad = plan.count(State.FAILED) + plan.count(State.REFUSED)
        return exit_code(len(plan.channels) - bad, bad)
    outcomes = apply_plan(plan, publisher, reviewed)
    applied = sum(1 for o in outcomes if o.applied)
    failed = len(outcomes) - applied
    if fmt == "json":
        data = plan_to_json(plan)
        data["results"] = [{"channel": o.channel, "applied": o.applied,
                            "message": o.message, "version": o.version} for o in outcomes]
        data["applied"] = applied
        data["failed"] = failed
        echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        echo(render_plan(plan, fmt).rstrip("\n"))
        echo("")
        for o in outcomes:
            echo(f"{o.channel}: {'applied' if o.applied else 'FAILED'}: {o.message}")
        if not outcomes:
            echo("Nothing to apply: every live profile already says what the build says.")
        else:
            echo(f"Applied {applied} of {len(outcomes)} profile"
                 f"{'s' if len(outcomes) != 1 else ''}" + (f"; {failed} failed" if failed
                                                          else "") + ".")
    return exit_code(applied, failed)
