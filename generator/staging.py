"""Write a build's files into output/ while the rest of it still renders.

Writing is the slow part of a large full build once rendering is done: at 5,000 channels,
some 40,000 files and 230 MB, which a disk takes 15 to 20 seconds to accept, while the
main process sat idle for most of the rendering, waiting for its workers. A
:class:`Stager` lets it write each channel's files the moment they come back, so the disk
works while the cores render, and the build keeps only each file's path and hash (see
:mod:`generator.outputfiles`), not its bytes.

Staging is the first phase of :mod:`generator.writer`, done early, with the writer's own
helpers (``writer._write_temp`` and friends, so what tests do to them applies here too):
each file goes to a temp file beside its target (``.<name>.kanalprofil-tmp-<random>``),
never onto the target itself, and every path passes the plan's checks first (relative,
no symlink on the way). The writer later only makes them durable and renames them. A
build that fails, is interrupted (Ctrl-C, SIGTERM) or finds an error after staging
removes every temp file and directory it made (:func:`staging`): output/ is then
byte-identical to before, as the writer promises. Only a SIGKILL can leave temp files
behind, and the next build removes those, as it does a killed writer's.

Only ``kanalprofil build`` of every channel and language stages; ``check``, ``diff``,
``serve`` and filtered builds compare in memory as before.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path

from generator import writer
from generator.errors import KanalprofilError
from generator.outputfiles import OutputFiles
from generator.outputtext import encoded_parts, pieces_bytes, text_bytes
from generator.plan import DiskWalk, PathGuard, Staged, path_problem, scan_output


class Stager:
    """Writes generated files beside their targets in output/ as they are rendered."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: Off after the first error (or when output/ is not a directory): the files
        #: then stay in memory and the writer meets, and reports, the same trouble.
        self.off = root.exists() and not root.is_dir()
        self.staged: dict[str, Staged] = {}
        #: Strings, as the writer's paths (see :func:`generator.writer.temp_path`).
        self._temps: list[str] = []
        self._new_dirs: list[str] = []
        self._known_dirs: set[str] = set()

    @cached_property
    def disk(self) -> DiskWalk:
        """output/ as it was before anything was staged: the plan uses this walk, so the
        stager's own temp files are never taken for a killed run's leftovers. Walked
        when first needed, not when staging starts: a rebuild walks it while the workers
        render (20,000 folders at 5,000 channels)."""
        root = self.root
        return scan_output(root) if root.is_dir() or not root.exists() else DiskWalk()

    @cached_property
    def _guard(self) -> PathGuard:
        return PathGuard(self.root, self.disk)

    def stage(self, files: OutputFiles) -> None:
        """Stage every file ``files`` holds in memory, and let go of its bytes."""
        for path in files.held():
            staged = self._stage(path, files[path])
            if staged is not None:
                files.keep_on_disk(path, staged.temp or f"{self.root}/{path}", staged.sha256)

    def stage_pieces(self, files: OutputFiles, path: str, pieces: Iterable[str]) -> None:
        """Stage a page rendered piece by piece (the preview) as it is rendered, so its
        bytes are never all in memory; ``files`` then knows it by path and hash."""
        if self._left_to_plan(path):
            files[path] = pieces_bytes(pieces)
            return
        target = f"{self.root}/{path}"
        exists = path in self.disk.files
        try:
            writer._ensure_dir(os.path.dirname(target), self._known_dirs, self._new_dirs)
            tmp = writer.temp_path(target)
            self._temps.append(tmp)
            sha256, size = _write_pieces(tmp, pieces,
                                         writer._existing_mode(target) if exists else None)
            if exists and _same_hash(target, size, sha256):
                os.unlink(tmp)
                staged = Staged(sha256, None)
            else:
                staged = Staged(sha256, tmp)
        except OSError as exc:  # the pieces are spent: this build cannot go on
            self.off = True
            raise KanalprofilError(f"could not write output/{path}: "
                                   f"{exc.strerror or exc}") from exc
        self.staged[path] = staged
        files.keep_on_disk(path, staged.temp or target, sha256)

    def _left_to_plan(self, path: str) -> bool:
        """Whether ``path`` is not staged: staging is off, or the path is unsafe (the
        plan decides then, and reports what is wrong)."""
        if self.off or path_problem(path) or self._guard.escape(path) \
                or path in self.disk.symlinks:
            self.staged.pop(path, None)
            return True
        return False

    def _stage(self, path: str, data: bytes) -> Staged | None:
        if self._left_to_plan(path):
            return None
        # (a path staged before and held again gets a new temp file; finish() removes
        # the old one with the others the writer did not use)
        sha256 = hashlib.sha256(data).hexdigest()
        target = f"{self.root}/{path}"
        exists = path in self.disk.files
        try:
            if exists and _same_bytes(target, data):
                staged = Staged(sha256, None)
            else:
                writer._ensure_dir(os.path.dirname(target), self._known_dirs, self._new_dirs)
                tmp = writer.temp_path(target)
                self._temps.append(tmp)  # before creating it, so cleanup never misses it
                writer._write_temp(tmp, data, writer._existing_mode(target) if exists else None)
                staged = Staged(sha256, tmp)
        except OSError:
            self.off = True
            self.staged.pop(path, None)
            return None
        self.staged[path] = staged
        return staged

    def discard(self) -> None:
        """Remove every temp file and directory staging made (a failed build)."""
        writer._discard(self._temps, self._new_dirs)
        self._temps.clear()
        self._new_dirs.clear()
        self.staged.clear()

    def finish(self) -> None:
        """After the writer ran: remove temp files it did not use (none, normally)."""
        for tmp in self._temps:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        self._temps.clear()


def _write_pieces(tmp: str, pieces: Iterable[str], mode: int | None) -> tuple[str, int]:
    """Write what :func:`~generator.outputtext.pieces_bytes` would give to a new file
    ``tmp``, a batch at a time; its sha256 and size."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as file:
        for part in encoded_parts(pieces):
            if isinstance(part, str):  # not NFC as it came: normalise the whole text
                file.flush()
                with open(tmp, "rb") as written:
                    data = text_bytes(written.read().decode("utf-8") + part)
                file.seek(0)
                file.truncate()
                file.write(data)
                digest, size = hashlib.sha256(data), len(data)
                break
            file.write(part)
            digest.update(part)
            size += len(part)
        if mode is not None:
            os.fchmod(file.fileno(), mode)
    return digest.hexdigest(), size


def _same_hash(target: str, size: int, sha256: str) -> bool:
    """Whether ``target`` holds ``size`` bytes that hash to ``sha256``."""
    if os.stat(target).st_size != size:
        return False
    with open(target, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest() == sha256


def _same_bytes(target: str, data: bytes) -> bool:
    with open(target, "rb") as file:
        return file.read() == data


@contextmanager
def staging(root: Path, *, enabled: bool = True) -> Iterator[Stager | None]:
    """A :class:`Stager` for a build of ``root`` that cleans up after itself.

    SIGTERM and Ctrl-C become exceptions for as long as staged files exist, and any
    exception removes them again before it goes on; on success, the writer has renamed
    them into place.
    """
    if not enabled:
        yield None
        return
    stager = Stager(root)
    with writer._signals_guarded() as guard:
        try:
            yield stager
        except BaseException:
            guard.committing = True  # a second Ctrl-C must not interrupt the cleanup
            stager.discard()
            raise
        stager.finish()
