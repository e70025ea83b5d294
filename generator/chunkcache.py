"""Converted Markdown chunks kept on disk between builds, in the project's cache folder.

After one channel changes, every overview page is rendered again, but only that channel's
sections of it are new Markdown; the rest was converted by the last build. Keeping each
chunk's HTML (see :mod:`generator.markup`) in a SQLite file lets the next build convert
only what is new. The cache is an optimisation only: a missing, unreadable or locked cache
file means converting again, never an error, and its content never reaches output/
unless it is exactly what converting would give (keys are hashes of the chunk's text, the
file name a hash of everything that shapes the HTML: kanalprofil's and Python-Markdown's
versions and the extensions used).

The cache lives in the user's cache folder (``$XDG_CACHE_HOME/kanalprofil/`` or
``~/.cache/kanalprofil/``), one folder per project path, never inside the project: a
cache file that arrived with a pull request could otherwise put HTML into output/ that
no template made. The folder marks itself as a cache (``CACHEDIR.TAG``).
``KANALPROFIL_CACHE_DIR`` moves it, and ``KANALPROFIL_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path

CACHE_ENV = "KANALPROFIL_CACHE_DIR"
#: A cache file with more rows than this starts again empty: the cache stays bounded
#: without bookkeeping on every hit (a few hundred thousand chunks is many organisations).
MAX_ROWS = 400_000
#: Nor larger than this on disk: fragments and whole documents are big rows.
MAX_BYTES = 512 * 1024 * 1024
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by kanalprofil.\n"
        "# For information about cache directory tags see https://bford.info/cachedir/\n")
_BATCH = 500  # SQLite allows 999 parameters per statement
#: Seconds to wait for another build that holds the cache (tests shorten it).
_TIMEOUT = 30.0


def cache_dir(project_root: Path) -> Path | None:
    """Where the project's cache lives, or None when the user turned caching off."""
    wanted = os.environ.get(CACHE_ENV)
    if wanted is not None:
        if wanted.strip().lower() in ("", "0", "off", "no", "false"):
            return None
        return Path(wanted)
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        base = Path(xdg) if xdg else Path("~").expanduser() / ".cache"
    except RuntimeError:  # no home folder can be found
        return None
    if not base.is_absolute():
        return None  # no home folder to speak of: no cache, rather than one in the project
    project = hashlib.sha256(str(project_root.resolve()).encode("utf-8")).hexdigest()[:16]
    return base / "kanalprofil" / f"{project_root.resolve().name}-{project}"


def write_cache_file(path: Path, data: bytes) -> None:
    """Replace ``path`` in a cache folder with ``data`` in one step (a reader never sees
    half a file), quietly: a cache that cannot be written only means work done again."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        make_cache_dir(path.parent)
        temp.write_bytes(data)
        temp.replace(path)
    except OSError:
        with suppress(OSError):
            temp.unlink()


def library_version(name: str) -> str:
    """A library's version, for the keys of what the cache keeps: its own
    ``__version__``, else the name of the one ``*.dist-info`` folder beside it, else
    ``importlib.metadata`` (whose import, and reading every installed package's metadata,
    cost a rebuild 30 ms of its start)."""
    import importlib

    module = importlib.import_module(name)
    found = vars(module).get("__version__")  # not a deprecation shim's __getattr__
    if isinstance(found, str):
        return found
    prefix = f"{name.replace('-', '_').lower()}-"
    file = getattr(module, "__file__", None)
    try:
        infos = [entry.name for entry in os.scandir(Path(file).parent.parent)
                 if entry.name.endswith(".dist-info") and entry.name.lower().startswith(prefix)
                 ] if file else []
    except OSError:
        infos = []
    if len(infos) == 1:
        return infos[0][len(prefix):-len(".dist-info")]
    from importlib.metadata import version

    return version(name)


def key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class ChunkStore:
    """One SQLite file of ``hash(markdown) -> html`` (or, of ``kind`` "fragments",
    ``hash(page scope) + hash(arguments) -> text``, see :mod:`generator.fragments`);
    opened lazily in each process.

    Forked workers inherit the object but never the connection: SQLite connections must
    not cross a fork, so each process opens its own.
    """

    def __init__(self, directory: Path, fingerprint: str, kind: str = "markdown") -> None:
        name = hashlib.blake2b(fingerprint.encode("utf-8"), digest_size=8).hexdigest()
        self.directory = directory
        #: Files of one kind share a prefix; another kind's files are never touched.
        self.kind = kind
        self.path = directory / f"{kind}-{name}.sqlite3"
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self.broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self.broken:
            return None
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        try:
            make_cache_dir(self.directory)
            with suppress(OSError):
                if self.path.stat().st_size > MAX_BYTES:  # start again
                    for own in self.directory.glob(f"{self.path.name}*"):
                        own.unlink()
            for old in self.directory.glob(f"{self.kind}-*.sqlite3*"):
                if not old.name.startswith(self.path.name):
                    with suppress(OSError):
                        old.unlink()  # made by another version: never useful again
            try:
                connection = self._open()
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):
                    raise  # locked by another build, read-only: not damaged, keep it
                for own in self.directory.glob(f"{self.path.name}*"):  # not a database
                    own.unlink()
                connection = self._open()
        except (sqlite3.Error, OSError):
            self.broken = True
            return None
        self._connection, self._pid = connection, os.getpid()
        return connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=_TIMEOUT, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # a lost cache is only slower
            connection.execute("CREATE TABLE IF NOT EXISTS chunks "
                               "(key BLOB PRIMARY KEY, html TEXT NOT NULL) WITHOUT ROWID")
            rows = connection.execute("SELECT count(*) FROM chunks").fetchone()[0]
            if rows > MAX_ROWS:
                connection.execute("DELETE FROM chunks")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, str]:
        connection = self._connect()
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, str] = {}
        if connection is None:
            return found
        try:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                found.update(connection.execute(
                    f"SELECT key, html FROM chunks WHERE key IN ({marks})", batch))
        except sqlite3.Error:
            self.broken = True
        return found

    def put_many(self, items: Mapping[bytes, str]) -> None:
        connection = self._connect()
        if connection is None or not items:
            return
        try:
            connection.execute("BEGIN")
            connection.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?)",
                                   items.items())
            connection.execute("COMMIT")
        except sqlite3.Error:
            self.broken = True
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            with suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None


def make_cache_dir(directory: Path) -> None:
    """Create the folder with a CACHEDIR.TAG, so backup tools skip it, and a .gitignore
    in case ``KANALPROFIL_CACHE_DIR`` points into a repository."""
    if (directory / "CACHEDIR.TAG").is_file():
        return
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("# Created by kanalprofil\n*\n", encoding="utf-8")
    (directory / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
