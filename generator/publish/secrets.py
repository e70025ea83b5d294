"""Credentials for publishing, and a guard against secrets pasted into profiles.

Credentials come from environment variables or from a file outside the project, never
from ``profiles/``; they are never printed, never in a plan and never in a message.
``find_secrets`` (in :mod:`generator.secretscan`, which the build's checks use without
importing the publishing code) names what looks like a secret without repeating it.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import KanalprofilError, Location, Problems
from generator.secretscan import find_secrets

DEFAULT_BLUESKY_SERVICE = "https://bsky.social"
ENV_PREFIX = "KANALPROFIL_BLUESKY_"
CREDENTIAL_KEYS = ("identifier", "password", "service")

def check_files_for_secrets(paths: Iterable[Path], display: Mapping[Path, str] | None,
                            problems: Problems) -> None:
    """One error per line of ``paths`` (values, keys and comments) that holds a secret."""
    for path in paths:
        name = (display or {}).get(path, str(path))
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            problems.error(Location(name), f"cannot read file: {exc.strerror}")
            continue
        for number, line in enumerate(lines, start=1):
            for kind in find_secrets(line):
                problems.error(Location(name, number, 1),
                               f"this line looks like it holds {kind}; refusing to publish",
                               "remove it: credentials go in environment variables or a "
                               "--credentials file outside the project, and revoke the one "
                               "that was written here")


def check_profiles_for_secrets(profiles_dir: Path, root: Path, problems: Problems) -> None:
    """Scan every YAML file under ``profiles_dir`` (see ``check_files_for_secrets``)."""
    paths = sorted(p for p in profiles_dir.rglob("*")
                   if p.is_file() and p.suffix in (".yml", ".yaml"))
    display = {}
    for path in paths:
        try:
            display[path] = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            display[path] = str(path)
    check_files_for_secrets(paths, display, problems)


@dataclass(frozen=True)
class Credentials:
    """How to log in to one channel's account. The password never shows in a repr."""

    identifier: str
    password: str = field(repr=False)
    service: str = DEFAULT_BLUESKY_SERVICE


@dataclass(frozen=True)
class Account:
    """Where a channel's profile lives, and the credentials to write it (if any)."""

    identifier: str | None
    service: str
    credentials: Credentials | None


class CredentialsError(KanalprofilError):
    """The credentials file or variables cannot be used (the message names no secret)."""


def env_name(channel_id: str, key: str) -> str:
    """``KANALPROFIL_BLUESKY_<CHANNEL>_<KEY>``, e.g. for channel ``bluesky-en``:
    ``KANALPROFIL_BLUESKY_BLUESKY_EN_PASSWORD``."""
    return f"{ENV_PREFIX}{re.sub(r'[^A-Za-z0-9]', '_', channel_id).upper()}_{key.upper()}"


def load_credentials_file(path: Path, project_root: Path) -> dict[str, dict[str, str]]:
    """A YAML or TOML mapping of channel id to ``{identifier, password, service}``.

    Refused when it lies inside the project folder, where it could be committed.
    """
    resolved = path.expanduser().resolve()
    root = project_root.resolve()
    if resolved == root or root in resolved.parents:
        raise CredentialsError(
            f"{path}: the credentials file is inside the project folder {root}; move it "
            "outside (e.g. ~/.config/kanalprofil/credentials.toml), where it cannot be "
            "committed")
    try:
        data = resolved.read_bytes()
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read the credentials file: {exc.strerror}"
                               ) from None
    try:
        raw: Any = (tomllib.loads(data.decode("utf-8")) if resolved.suffix == ".toml"
                    else yaml.safe_load(data))
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError):
        # The parser's message may quote the line, and the line may hold a password.
        kind = "TOML" if resolved.suffix == ".toml" else "YAML"
        raise CredentialsError(f"{path}: not valid {kind}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CredentialsError(f"{path}: expected a mapping of channel ids to "
                               "{identifier, password, service}")
    result: dict[str, dict[str, str]] = {}
    for channel_id, entry in raw.items():
        if not isinstance(entry, dict):
            raise CredentialsError(f"{path}: {channel_id}: expected a mapping with "
                                   "identifier, password and service")
        unknown = sorted(str(k) for k in entry if k not in CREDENTIAL_KEYS)
        if unknown:
            raise CredentialsError(f"{path}: {channel_id}: unknown key(s) "
                                   f"{', '.join(unknown)}; use {', '.join(CREDENTIAL_KEYS)}")
        for key, value in entry.items():
            if not isinstance(value, str) or not value:
                raise CredentialsError(f"{path}: {channel_id}: {key} must be a non-empty "
                                       "string")
        result[str(channel_id)] = {str(k): v for k, v in entry.items()}
    return result


def file_is_private(path: Path) -> bool:
    """Whether only its owner may read the file (POSIX mode, no group or other bits)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return True
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def bluesky_account(channel_id: str, handle: str | None,
                    from_file: Mapping[str, Mapping[str, str]],
                    environ: Mapping[str, str] | None = None) -> Account:
    """A channel's account: environment variables first, then the credentials file.

    The identifier defaults to the channel's handle and the service to bsky.social; a
    password makes credentials, without one the profile can still be read (a plan).
    """
    env = os.environ if environ is None else environ
    entry = from_file.get(channel_id, {})

    def value(key: str) -> str | None:
        return env.get(env_name(channel_id, key)) or entry.get(key) or None

    identifier = value("identifier") or (handle.lstrip("@") if handle else None)
    service = (value("service") or DEFAULT_BLUESKY_SERVICE).rstrip("/")
    password = value("password")
    credentials = (Credentials(identifier, password, service)
                   if password is not None and identifier is not None else None)
    return Account(identifier, service, credentials)
