"""A build's files, where those taken over from output/ stay on disk until asked for.

An incremental build takes most of its files from output/ after checking each against
the manifest's hash; the plan then knows them as current by that hash and never needs
their bytes. Holding them anyway cost most of the memory of a rebuild (at 5,000
channels, some 200 MB of statement pages, overview pages and the preview). A file taken
over is therefore kept as its path and hash, and read (and checked again) only if
something asks for its bytes, such as ``show``. A file ``build`` has already written to
a temp file beside its target (:mod:`generator.staging`) is kept the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, MutableMapping

from generator.errors import KanalprofilError


class OutputFiles(MutableMapping[str, bytes]):
    """Generated paths (relative to output/) to their bytes, some still on disk."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self._held: dict[str, bytes] = dict(files or {})
        #: path -> (file to read, the sha256 its bytes had when the build checked them)
        self._on_disk: dict[str, tuple[str, str]] = {}

    def keep_on_disk(self, path: str, file: str, sha256: str) -> None:
        """``path`` has the bytes of ``file``, which hashed to ``sha256`` when read."""
        self._held.pop(path, None)
        self._on_disk[path] = (file, sha256)

    def on_disk(self, path: str) -> bool:
        return path in self._on_disk

    def sha256(self, path: str) -> str:
        """The sha256 of ``path``'s bytes, without reading a file kept on disk."""
        where = self._on_disk.get(path)
        if where is not None:
            return where[1]
        return hashlib.sha256(self._held[path]).hexdigest()

    def held(self) -> list[str]:
        """The paths whose bytes are in memory (a list: the caller may move them to disk)."""
        return list(self._held)

    def absorb(self, other: OutputFiles) -> None:
        """Add ``other``'s files as they are: bytes held stay held, files on disk are not
        read (``update`` would read each one)."""
        for path, data in other._held.items():
            self[path] = data
        for path, where in other._on_disk.items():
            self._held.pop(path, None)
            self._on_disk[path] = where

    def __getitem__(self, path: str) -> bytes:
        held = self._held.get(path)
        if held is not None:
            return held
        file, sha256 = self._on_disk[path]
        try:
            with open(file, "rb") as handle:  # noqa: PTH123 - no pathlib per file
                data = handle.read()
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != sha256:
            raise KanalprofilError(f"{file} changed while kanalprofil was building; "
                                   "run the command again")
        return data

    def __setitem__(self, path: str, data: bytes) -> None:
        self._on_disk.pop(path, None)
        self._held[path] = data

    def __delitem__(self, path: str) -> None:
        if path in self._held:
            del self._held[path]
        else:
            del self._on_disk[path]

    def __contains__(self, path: object) -> bool:
        return path in self._held or path in self._on_disk

    def __iter__(self) -> Iterator[str]:
        yield from self._held
        yield from self._on_disk

    def __len__(self) -> int:
        return len(self._held) + len(self._on_disk)

    def __repr__(self) -> str:
        return f"OutputFiles({len(self._held)} held, {len(self._on_disk)} on disk)"
