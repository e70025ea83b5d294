"""Apply a plan to output/: all files or none, and never a half-written file.

output/ is committed, so a build interrupted by Ctrl-C or a CI timeout must not leave a
mix that looks like a real change in ``git status``. The writer works in two phases:

1. *Prepare*: write every new content to a temp file next to its target
   (``.<name>.kanalprofil-tmp-<random>``), creating directories as needed, then make the
   temp files durable: one ``syncfs`` of output/'s filesystem when many files are written
   (on Linux; thousands of ``fsync`` calls would take longer than rendering), an ``fsync``
   per file otherwise. Any
   exception, Ctrl-C or SIGTERM here removes the temp files and new directories again
   and re-raises: output/ is byte-identical to before.
2. *Commit*: ``os.replace`` every temp file onto its target in one quick pass, delete
   stale generated files, prune directories they leave empty, remove temp files of
   earlier killed runs, then write the manifest, last and atomically. Ctrl-C and SIGTERM
   arriving now are held until the commit is done, then raised.

Only SIGKILL (or a crash) can stop a commit midway; each file is then wholly old or
wholly new because ``os.replace`` is atomic, the manifest is still the old one, and since
the plan compares real disk bytes the next build repairs everything and removes the
leftover temp files. Unchanged files are never in the plan, so they are never rewritten
and keep their mtime.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from generator.errors import KanalprofilError
from generator.manifest import MANIFEST_NAME, Manifest, dump_manifest
from generator.plan import TEMP_MARKER, Plan


class TerminatedError(KanalprofilError):
    """SIGTERM arrived during a build; raised after output/ is consistent again."""

    exit_code = 128 + signal.SIGTERM


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply_plan`` did, as sorted paths relative to output/."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    removed_dirs: tuple[str, ...] = ()
    removed_leftovers: tuple[str, ...] = ()
    manifest_written: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.deleted or self.removed_dirs
            or self.removed_leftovers or self.manifest_written
        )


def temp_path(target: str) -> str:
    """A fresh, recognisable temp name in the target's own directory (same filesystem).

    The writer's paths are strings, not ``Path`` objects: a full build at 5,000 channels
    holds 42,000 temp files and their targets at once, and a ``Path`` (its parts, its
    cached string) costs several times the memory of the string alone.
    """
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}{TEMP_MARKER}{secrets.token_hex(6)}")


#: From this many files on, one ``syncfs`` replaces an ``fsync`` per file and directory.
SYNCFS_FROM = 16


def _write_temp(tmp: str, data: bytes, mode: int | None) -> None:
    """Write ``data`` to a new file ``tmp`` (not yet durable: see :func:`_make_durable`).

    Tests patch this to fail or stall.
    """
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if mode is not None:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(directory: Path) -> bool:
    """Flush the whole filesystem ``directory`` is on (Linux ``syncfs``); False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
        fd = os.open(directory, os.O_RDONLY)
    except (OSError, AttributeError):
        return False
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _make_durable(files: list[str], root: Path) -> None:
    """Flush written files to disk: one ``syncfs`` for many, an ``fsync`` each for few."""
    if len(files) >= SYNCFS_FROM and _syncfs(root):
        return
    for path in files:
        _fsync_file(path)


def _rename(tmp: str, target: str) -> None:
    """Atomically put ``tmp`` in place of ``target``. Tests patch this to stall."""
    os.replace(tmp, target)


def _fsync_dir(directory: str | Path) -> None:
    """Make renames and unlinks in ``directory`` durable (not possible on every OS)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _SignalGuard:
    """Turns SIGTERM (and Ctrl-C) into exceptions, held back while committing."""

    def __init__(self) -> None:
        self.committing = False
        self.pending: BaseException | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        exc: BaseException
        if signum == signal.SIGINT:
            exc = KeyboardInterrupt()
        elif self.committing:
            exc = TerminatedError("terminated (SIGTERM) after output/ was fully updated")
        else:
            exc = TerminatedError("terminated (SIGTERM); output/ was not changed")
        if self.committing:
            self.pending = self.pending or exc
            return
        raise exc

    def raise_pending(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            raise pending


@contextmanager
def _signals_guarded() -> Iterator[_SignalGuard]:
    """Install the guard for SIGTERM (and SIGINT if Python's default handler is active)."""
    guard = _SignalGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard  # signal handlers can only be set from the main thread
        return
    previous: dict[int, object] = {signal.SIGTERM: signal.signal(signal.SIGTERM, guard.handle)}
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, guard.handle)
        yield guard
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def apply_plan(
    plan: Plan, output_dir: Path | None = None, manifest: Manifest | None = None
) -> ApplyResult:
    """Make output/ match the plan; see the module docstring for the guarantees.

    ``output_dir`` and ``manifest`` default to the plan's own; pass them only to override
    (the manifest is written only if its bytes differ from the one on disk).
    """
    root = Path(output_dir) if output_dir is not None else plan.output_dir
    manifest_bytes = plan.new_manifest_bytes if manifest is None else dump_manifest(manifest)
    writes = sorted((*plan.creates, *plan.updates), key=lambda c: c.path)

    with _signals_guarded() as guard:
        staged: list[tuple[str, str]] = []
        temps: list[str] = []
        new_dirs: list[str] = []
        try:
            known_dirs: set[str] = set()
            for change in writes:
                target = f"{root}/{change.path}"
                if change.temp is not None:  # written while the build rendered
                    temps.append(change.temp)
                    staged.append((change.temp, target))
                    continue
                assert change.new is not None
                _ensure_dir(os.path.dirname(target), known_dirs, new_dirs)
                tmp = temp_path(target)
                temps.append(tmp)  # before creating it, so cleanup can never miss it
                _write_temp(tmp, change.new, _existing_mode(target))
                staged.append((tmp, target))
            _make_durable([tmp for tmp, _ in staged], root)
            guard.committing = True  # from here on, signals wait until the commit is done
        except BaseException:
            guard.committing = True  # a second Ctrl-C must not interrupt the cleanup
            _discard(temps, new_dirs)
            raise

        try:
            done = 0
            for tmp, target in staged:
                _rename(tmp, target)
                done += 1
        except BaseException:
            _discard([tmp for tmp, _ in staged[done:]], [])
            raise
        parents = sorted({os.path.dirname(target) for _, target in staged})
        if len(parents) < SYNCFS_FROM or not _syncfs(root):
            for directory in parents:
                _fsync_dir(directory)

        deleted, removed_dirs = _delete(root, [c.path for c in plan.deletes])
        removed_leftovers = []
        for leftover in plan.leftovers:
            try:
                (root / leftover).unlink()
                removed_leftovers.append(leftover)
            except FileNotFoundError:
                pass

        manifest_written = manifest_bytes != plan.old_manifest_bytes
        if manifest_written:
            _ensure_dir(str(root), set(), [])
            target = f"{root}/{MANIFEST_NAME}"
            tmp = temp_path(target)
            try:
                _write_temp(tmp, manifest_bytes, None)
                _fsync_file(tmp)
                _rename(tmp, target)
            except BaseException:
                with suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
            _fsync_dir(root)
        guard.committing = False
        guard.raise_pending()

    return ApplyResult(
        created=tuple(c.path for c in plan.creates),
        updated=tuple(c.path for c in plan.updates),
        deleted=tuple(deleted),
        removed_dirs=tuple(removed_dirs),
        removed_leftovers=tuple(removed_leftovers),
        manifest_written=manifest_written,
    )


def _existing_mode(target: str) -> int | None:
    """Keep the permission bits of a file being replaced (e.g. someone made it read-only)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        return None


def _ensure_dir(directory: str, known: set[str], created: list[str]) -> None:
    """mkdir -p that records each directory it made, so a failed prepare can remove them."""
    if directory in known:
        return
    missing: list[str] = []
    current = directory
    while current and current not in known and not os.path.isdir(current):
        missing.append(current)
        current = os.path.dirname(current)
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
        else:
            created.append(path)
    known.update(missing)
    known.add(directory)


def _discard(temps: list[str], new_dirs: list[str]) -> None:
    """Undo a prepare: remove temp files, then the directories it created, deepest first."""
    for tmp in temps:
        with suppress(OSError):
            os.unlink(tmp)
    for directory in reversed(new_dirs):
        with suppress(OSError):
            os.rmdir(directory)


def _delete(root: Path, paths: list[str]) -> tuple[list[str], list[str]]:
    """Delete stale generated files, then directories that this leaves empty.

    Only parents of deleted generated files are candidates, never output/ itself, so an
    empty directory a user made elsewhere stays.
    """
    deleted: list[str] = []
    parents: set[str] = set()
    for path in paths:
        try:
            (root / path).unlink()
        except FileNotFoundError:
            continue
        deleted.append(path)
        parent = path.rpartition("/")[0]
        while parent:
            parents.add(parent)
            parent = parent.rpartition("/")[0]
    removed: list[str] = []
    for parent in sorted(parents, key=lambda p: (-p.count("/"), p)):
        try:
            (root / parent).rmdir()
        except OSError:
            continue
        removed.append(parent)
    for directory in sorted({(root / p).parent for p in deleted}):
        while not directory.is_dir() and directory != root:
            directory = directory.parent
        _fsync_dir(directory)
    return deleted, sorted(removed)
