"""What reading one channel file gives, kept between builds in the project's cache folder.

A rebuild after one channel changed still needs every channel (the pages list them all,
and checks compare them), but parsing and validating thousands of unchanged YAML files
again was most of its time. For each channel file this keeps what
:func:`~generator.profiles.load_profiles` derives from that file alone: its located YAML
(checks point at ``file:line:column`` with it), its validated
:class:`~generator.model.Channel` and the problems it produced, in the order it produced
them; and what the checks that look at one file's values alone found in it (see
``source_check`` in :mod:`generator.checks`). Whatever compares channels or depends on
today's date runs again on every build.

An entry's key is a hash of everything that shapes it: the file's bytes and the name
messages give it, the organisation file (its defaults are merged into every channel and
its languages restrict each one), the catalogue, the template languages, kanalprofil's
version and the source of its modules, Python's version and the pickle format. A stale
entry is therefore never asked for, and the next write drops every row this build did
not use, so the file holds one organisation's channels at most.

Entries are pickled: the cache folder is the user's own and never inside the project
(:mod:`generator.chunkcache`), like Jinja2's compiled templates next to it. Each blob
carries a keyed hash of itself, so a damaged, truncated, swapped or foreign entry is a
miss, never an error or a different result; a cache that cannot be read or written only
makes the build slower.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.errors import Problem
from generator.yamlload import LocatedDict

if TYPE_CHECKING:
    from generator.model import Channel

#: Bump when the layout of an entry changes.
FORMAT = 2
PROTOCOL = pickle.HIGHEST_PROTOCOL
_BATCH = 500  # SQLite allows 999 parameters per statement
_HASH = 16  # bytes of the keyed blake2b in front of every blob
_TIMEOUT = 5.0  # seconds to wait for another build's write before going without


@dataclass
class Entry:
    """One channel file as ``load_profiles`` made it, and the per-file checks' findings."""

    #: The located YAML (pickled, when it comes from the cache), or None when the file
    #: could not be parsed into a mapping.
    raw: LocatedDict | bytes | None
    #: The validated channel, or None when it has errors of its own.
    channel: Channel | None
    #: Every problem reading, merging and validating the file reported, in order.
    problems: tuple[Problem, ...]
    #: Findings of per-file checks, by check id (only of checks that ran).
    findings: dict[str, tuple[Any, ...]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The source of kanalprofil's own modules: a change to the model or a check while
    developing (same version number) must not find entries the old code made."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    try:
        for path in sorted([*package.glob("*.py"), package / "publish" / "secrets.py"]):
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    except OSError:
        return "unreadable"
    return digest.hexdigest()


def _format() -> str:
    """What makes a pickled entry readable at all: ours and Python's versions, pickle's."""
    return f"{__version__}/{FORMAT}/{sys.implementation.cache_tag}/{sys.version}/{PROTOCOL}"


def _seal(payload: bytes, row: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_HASH, key=row).digest() + payload


def _unseal(blob: Any, row: bytes) -> bytes | None:
    """The payload if the blob is whole and was written for this row, else None."""
    if not isinstance(blob, bytes) or len(blob) < _HASH:
        return None
    payload = blob[_HASH:]
    if hashlib.blake2b(payload, digest_size=_HASH, key=row).digest() != blob[:_HASH]:
        return None
    return payload


class ProfileCache:
    """The entries of one build: looked up in one query, written in one transaction.

    Made per ``load_profiles`` call and kept on the :class:`~generator.profiles.Profiles`
    it returns, so the checks can add their findings before :meth:`save` writes.
    """

    def __init__(self, directory: Path, context: Iterable[str]) -> None:
        self.directory = directory
        tag = hashlib.blake2b(_format().encode("utf-8"), digest_size=8).hexdigest()
        self.path = directory / f"profiles-{tag}.sqlite3"
        shared = hashlib.blake2b(digest_size=16)
        for part in (_format(), _code_digest(), *context):
            shared.update(part.encode("utf-8") + b"\0")
        self._context = shared.digest()
        #: Row key of each file this build read, by display name.
        self._rows: dict[str, bytes] = {}
        #: Entries found or made, by display name; display name of each source id.
        self._entries: dict[str, Entry] = {}
        self._names: dict[str, str] = {}
        #: Pickled data of new entries, and names whose findings are new.
        self._new: dict[str, bytes] = {}
        self._new_findings: set[str] = set()
        #: The pickled located YAML of new entries, by display name.
        self._pickled: dict[str, bytes] = {}
        self.writable = True

    def lookup(self, files: Mapping[str, str]) -> dict[str, Entry]:
        """Entries for ``{display name: sha256 of the file}``, where the cache has them."""
        self._rows = {name: self._row(name, digest) for name, digest in files.items()}
        self.writable = self._writable()
        if not self.path.is_file():
            return {}
        wanted = {row: name for name, row in self._rows.items()}
        found: dict[str, Entry] = {}
        try:
            with closing(sqlite3.connect(self.path, timeout=_TIMEOUT)) as connection:
                rows = list(wanted)
                for start in range(0, len(rows), _BATCH):
                    batch = rows[start:start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    for row, data, findings in connection.execute(
                            f"SELECT key, data, findings FROM entries WHERE key IN ({marks})",
                            batch):
                        name = wanted.get(row) if isinstance(row, bytes) else None
                        entry = _entry(data, findings, row) if name is not None else None
                        if entry is not None and name is not None:
                            found[name] = entry
        except sqlite3.Error:
            return {}  # unreadable or not a database: read everything; save starts afresh
        self._entries.update(found)
        return found

    def _row(self, name: str, digest: str) -> bytes:
        return hashlib.blake2b(f"{name}\0{digest}".encode(), digest_size=16,
                               key=self._context).digest()

    def _writable(self) -> bool:
        """Whether a write could succeed; if not, entries are not even pickled."""
        try:
            from generator.chunkcache import make_cache_dir

            make_cache_dir(self.directory)
        except OSError:
            return False
        return os.access(self.directory, os.W_OK)

    def store(self, name: str, entry: Entry) -> None:
        """Keep a file's new entry, pickled now: what is written is what the read made."""
        self._entries[name] = entry
        if not self.writable or name not in self._rows:
            return
        try:
            raw = pickle.dumps(entry.raw, PROTOCOL) if isinstance(entry.raw, LocatedDict) \
                else entry.raw
            self._new[name] = pickle.dumps((raw, entry.channel, entry.problems), PROTOCOL)
        except Exception:  # e.g. a document nested too deep: just not kept
            self._new.pop(name, None)
        else:
            if raw is not None:
                self._pickled[name] = raw

    def pickled_sources(self) -> dict[str, bytes]:
        """The pickled located YAML of each source id this build has one for (see
        :mod:`generator.sources`): from the cache, or pickled to be written to it. The
        entries keep only the pickles from now on."""
        found: dict[str, bytes] = {}
        for source_id, name in self._names.items():
            entry = self._entries.get(name)
            raw = self._pickled.get(name)
            if entry is not None and raw is not None:
                entry.raw = raw
            elif entry is not None and isinstance(entry.raw, bytes):
                raw = entry.raw
            if raw is not None:
                found[source_id] = raw
        self._pickled.clear()
        return found

    def bind(self, source_id: str, name: str) -> None:
        """``source_id`` (a channel id in ``Profiles.sources``) is the file ``name``."""
        self._names[source_id] = name

    def findings(self, check_id: str, source_id: str,
                 compute: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
        """A per-file check's findings in ``source_id``: kept ones, else ``compute()``."""
        name = self._names.get(source_id, "")
        entry = self._entries.get(name)
        if entry is None:  # the organisation file, or a file that could not be read
            return compute()
        if check_id not in entry.findings:
            entry.findings[check_id] = compute()
            self._new_findings.add(name)
        return entry.findings[check_id]

    def save(self) -> None:
        """Write new entries and findings in one transaction and drop rows not used now.

        Nothing to write (every file found) means no write at all. Any failure leaves the
        cache as it was, or empty; the build goes on either way.
        """
        names = set(self._new) | self._new_findings
        if not names or not self.writable:
            return
        try:
            rows = [(self._rows[name],
                     _seal(self._new[name], self._rows[name]) if name in self._new else None,
                     _seal(pickle.dumps(self._entries[name].findings, PROTOCOL),
                           self._rows[name]))
                    for name in sorted(names) if name in self._rows]
        except Exception:  # findings that cannot be pickled: keep nothing
            return
        try:
            self._remove_other_versions()
            try:
                self._write(rows)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise  # locked by another build, read-only: not damaged, keep it
                for own in self.directory.glob(f"{self.path.name}*"):
                    own.unlink()  # not a database (any more): start again
                self._write(rows)
        except (sqlite3.Error, OSError):
            return
        finally:
            self._new.clear()
            self._new_findings.clear()

    def _remove_other_versions(self) -> None:
        for old in self.directory.glob("profiles-*.sqlite3*"):
            if not old.name.startswith(self.path.name):
                with suppress(OSError):
                    old.unlink()  # made by another version: never useful again

    def _write(self, rows: list[tuple[bytes, bytes | None, bytes]]) -> None:
        with closing(sqlite3.connect(self.path, timeout=_TIMEOUT,
                                     isolation_level=None)) as connection:
            connection.execute("PRAGMA synchronous=OFF")  # a lost cache is only slower
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, "
                                   "data BLOB NOT NULL, findings BLOB NOT NULL)")
                connection.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                    [row for row in rows if row[1] is not None])
                connection.executemany("UPDATE entries SET findings = ? WHERE key = ?",
                                       [(findings, key) for key, data, findings in rows
                                        if data is None])
                connection.execute("CREATE TEMP TABLE used (key BLOB PRIMARY KEY)")
                connection.executemany("INSERT OR IGNORE INTO used VALUES (?)",
                                       [(row,) for row in self._rows.values()])
                connection.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM used)")
                connection.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise


def _entry(data: Any, findings: Any, row: bytes) -> Entry | None:
    """An entry from its two blobs, or None for anything not exactly as written."""
    from generator.model import Channel

    payload = _unseal(data, row)
    found = _unseal(findings, row)
    if payload is None or found is None:
        return None
    try:
        raw, channel, problems = pickle.loads(payload)
        by_check = pickle.loads(found)
    except Exception:  # unreadable entry: a miss
        return None
    if not (raw is None or isinstance(raw, bytes)) \
            or not (channel is None or isinstance(channel, Channel)) \
            or not isinstance(problems, tuple) \
            or not all(isinstance(p, Problem) for p in problems) \
            or not isinstance(by_check, dict) \
            or not all(isinstance(k, str) and isinstance(v, tuple) for k, v in by_check.items()):
        return None
    return Entry(raw, channel, problems, by_check)


__all__ = ["Entry", "ProfileCache"]
