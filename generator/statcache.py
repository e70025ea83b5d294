"""What output/'s files hashed to, by their stat, so a rebuild need not read them all.

A rebuild takes every file from output/ whose bytes still hash to what the manifest
records, so a file edited by hand is rendered again (and ``check`` reports it). Reading
and hashing all of them is most of a rebuild's own time at 5,000 channels (42,000 files,
230 MB). Like Git's index, this cache remembers each file's hash with its inode, size,
modification and change times: a file whose stat is exactly as recorded has not been
written since, so its recorded hash stands without reading it. The profiles are hashed
the same way: a channel file the profile cache has an entry for need not be read at all.

Writing a file sets its change time (ctime) to the current time, and no tool sets it
back; but the clock that stamps files is coarse, so a file changed within the same tick
as it was recorded could keep its stat. Like Git ("racily clean" entries), a hash is
therefore recorded only for a file whose change time is at least :data:`SETTLED_NS`
before the moment it was read.

The cache is an optimisation only: it lives in the project's cache folder (see
:mod:`generator.chunkcache`) as one ``marshal``-ed dict per folder (42,000 entries
load in 30 ms; lines of text took 0.15 s), and a missing, damaged or unreadable file
means reading every file again, never an error.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import time
from contextlib import suppress
from pathlib import Path

from generator import __version__

#: How long before its reading a file must have last changed for its hash to be kept.
SETTLED_NS = 2_000_000_000
_HEADER = b"kanalprofil stat cache 2\n"


class StatCache:
    """sha256 of files under one folder, by ``(inode, size, mtime, ctime)``: output/
    (``kind`` "output") or the profiles (``kind`` "profiles", see :meth:`hashed`)."""

    def __init__(self, directory: Path | None, root: Path, kind: str = "output") -> None:
        self.path: Path | None = None
        if directory is not None:
            self.path = directory / f"{kind}-stat-{_output_name(root)}.bin"
        self._known: dict[str, tuple[int, int, int, int, str]] = self._load()
        self._seen: dict[str, tuple[int, int, int, int, str]] = {}
        self._started = time.time_ns()

    def _load(self) -> dict[str, tuple[int, int, int, int, str]]:
        if self.path is None:
            return {}
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        if not data.startswith(_HEADER):
            return {}
        try:
            known = marshal.loads(data[len(_HEADER):])  # our own file: never from a project
        except (EOFError, ValueError, TypeError):
            return {}
        # each entry is checked where it is used (:meth:`sha256`): a pass over all of
        # them first took a fifth of the time of checking output/
        return known if isinstance(known, dict) else {}

    def sha256(self, path: str, file: str) -> str | None:
        """The recorded hash of ``file`` (output/``path``) if it is a regular file whose
        stat is exactly as recorded; else None (read it)."""
        entry = self._known.get(path)
        if type(entry) is not tuple or len(entry) != 5 or type(entry[4]) is not str:
            return None  # unknown, or not an entry this class wrote
        try:
            info = os.lstat(file)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or entry[0] != info.st_ino \
                or entry[1] != info.st_size or entry[2] != info.st_mtime_ns \
                or entry[3] != info.st_ctime_ns:
            return None
        self._seen[path] = entry
        return entry[4]

    def hashed(self, name: str, file: str) -> tuple[str, bytes | None]:
        """The sha256 of ``file`` (recorded as ``name``), and its bytes when they had to be
        read for it (None when its stat shows it is as recorded). Raises OSError."""
        known = self.sha256(name, file)
        if known is not None:
            return known, None
        with open(file, "rb") as opened:  # noqa: PTH123 - thousands of files
            info = os.fstat(opened.fileno())
            data = opened.read()
        digest = hashlib.sha256(data).hexdigest()
        self.record(name, info, digest)
        return digest, data

    def record(self, path: str, info: os.stat_result, sha256: str) -> None:
        """Remember the hash of output/``path``, whose stat was ``info`` (taken before its
        bytes were read), if it has not changed for a while (see the module docstring)."""
        if stat.S_ISREG(info.st_mode) and info.st_ctime_ns <= self._started - SETTLED_NS:
            self._seen[path] = (*_stamp(info), sha256)

    def save(self) -> None:
        """Keep what this run saw (files gone since are dropped); quietly, if it can."""
        if self.path is None or self._seen == self._known:
            return
        from generator.chunkcache import write_cache_file

        write_cache_file(self.path, _HEADER + marshal.dumps(self._seen))
        self._known = dict(self._seen)


def written_manifest(directory: Path | None, output_dir: Path) -> str | None:
    """The sha256 of the manifest this version of kanalprofil last wrote to
    ``output_dir`` (see :func:`remember_manifest`), if the cache folder knows it."""
    path = _manifest_record(directory, output_dir)
    if path is None:
        return None
    try:
        version, sha256 = path.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return None
    return sha256 if version == __version__ else None


def remember_manifest(directory: Path | None, output_dir: Path, data: bytes) -> None:
    """Record that output/'s manifest is now ``data``, as ``dump_manifest`` made it: the
    next plan then copies the entries that stay the same instead of spelling them again
    (:func:`generator.manifest.spelt_entries`). Quietly, if it can."""
    path = _manifest_record(directory, output_dir)
    if path is None:
        return
    record = f"{__version__} {hashlib.sha256(data).hexdigest()}\n"
    with suppress(OSError):
        if path.read_text(encoding="utf-8") == record:
            return
    from generator.chunkcache import write_cache_file

    write_cache_file(path, record.encode("utf-8"))


def _manifest_record(directory: Path | None, output_dir: Path) -> Path | None:
    if directory is None:
        return None
    return directory / f"output-manifest-{_output_name(output_dir)}.txt"


def _output_name(output_dir: Path) -> str:
    where = str(output_dir.resolve()).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(where, digest_size=8).hexdigest()


def _stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
