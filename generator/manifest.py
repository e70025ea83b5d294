"""The manifest: ``output/.kanalprofil-manifest.json``, the record of what the tool generated.

output/ is committed and reviewed, and people may put their own files next to the
generated ones. The manifest is how the tool tells the two apart: only files it lists
were generated, so only they may ever be deleted, and anything else is left alone and
reported as user-owned. It also records the sha256 of every input and every file, and the
text-slot metadata (counts, limits), so a reviewer can see why a file changed and the
markdown plan can show "142 → 148 / 150" without re-counting the old text.

The file is deterministic (sorted keys, indent 2, UTF-8, LF, final newline, no
timestamps) so that a rebuild with no changes produces identical bytes and is not
rewritten. The writer writes it last: a manifest on disk never claims a file that is not
there yet, and a missing or stale manifest is repaired by the next build.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import KanalprofilError

MANIFEST_NAME = ".kanalprofil-manifest.json"
#: Bumped when the layout changes incompatibly; older tools refuse newer manifests.
FORMAT_VERSION = 1

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Manifest:
    """What one build generated: input hashes and, per file, its sha256 and metadata.

    ``files`` maps a POSIX path relative to output/ to ``{"sha256": ..., **metadata}``.
    Treat the mappings as read-only; they are shared with the plan that made them.
    """

    inputs: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    tool_version: str = __version__
    format_version: int = FORMAT_VERSION

    def sha256(self, path: str) -> str | None:
        entry = self.files.get(path)
        value = entry.get("sha256") if entry is not None else None
        return value if isinstance(value, str) else None

    def metadata(self, path: str) -> dict[str, object]:
        """The metadata the renderer gave for ``path`` (without the sha256), or ``{}``."""
        entry = self.files.get(path, {})
        return {k: v for k, v in entry.items() if k != "sha256"}


def file_entry(sha256: str, metadata: Mapping[str, object] | None) -> dict[str, object]:
    """Build one ``files`` entry; refuses metadata that would shadow the hash."""
    entry: dict[str, object] = dict(metadata or {})
    if "sha256" in entry:
        raise ValueError("file metadata must not contain the reserved key 'sha256'")
    entry["sha256"] = sha256
    return entry


#: A ``files`` entry as :func:`dump_manifest` spells it, from the first line of its
#: key (indented four spaces) to its closing brace: ``(the entry, its text)`` by path.
Spelt = Mapping[str, tuple[Mapping[str, object], str]]


def dump_manifest(manifest: Manifest, spelt: Spelt | None = None) -> bytes:
    """Serialise deterministically, so identical builds give identical bytes.

    The bytes are those of ``json.dumps(document, sort_keys=True, indent=2,
    ensure_ascii=False, allow_nan=False)`` plus a newline; :func:`_dump` makes them several
    times faster than the json module's pure-Python indenting encoder, which matters with
    tens of thousands of files (``tests/test_plan.py`` checks they are the same).
    An entry that is the very object ``spelt`` has for its path is copied from there
    (see :func:`spelt_entries`): a rebuild keeps most entries as they were.
    """
    files = manifest.files
    if not (type(files) is dict and all(type(entry) is dict for entry in files.values())):
        files = {path: dict(entry) for path, entry in files.items()}
    # Encoded an entry at a time into one growing buffer, whose bytes getvalue() hands
    # over without a copy: 21 MB at 5,000 channels, which as a list of strings, then
    # one string, then its encoding was held up to three times over at the build's peak.
    out = io.BytesIO()
    # keys in sorted order: files, format, inputs, tool_version
    out.write(b'{\n  "files": ')
    _dump_files(files, spelt or {}, out)
    tail = [f',\n  "format": {_SCALARS.encode(manifest.format_version)},\n  "inputs": ']
    _dump(dict(manifest.inputs), "\n  ", tail, {})
    tail.append(f',\n  "tool_version": {_encode_string(manifest.tool_version)}\n}}\n')
    out.write("".join(tail).encode("utf-8"))
    return out.getvalue()


def _dump_files(files: Mapping[str, Mapping[str, object]], spelt: Spelt,
                out: io.BytesIO) -> None:
    if not files:
        out.write(b"{}")
        return
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    out.write(b"{")
    for index, path in enumerate(sorted(files)):
        if not isinstance(path, str):
            raise TypeError(f"manifest keys must be strings, not {path!r}")
        entry = files[path]
        known = spelt.get(path)
        out.write(b",\n    " if index else b"\n    ")
        if known is not None and known[0] is entry:
            out.write(known[1].encode("utf-8"))
            continue
        spelling = [_encode_string(path), ": "]  # one string an entry, not dozens
        _dump(entry, "\n    ", spelling, seen)
        out.write("".join(spelling).encode("utf-8"))
    out.write(b"\n  }")


_encode_string = json.encoder.encode_basestring  # the C version when available
_SCALARS = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _dump(value: Any, newline: str, parts: list[str],
          seen: dict[tuple[str, tuple[str, ...]], str] | None = None) -> None:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` into ``parts``;
    ``newline`` is a line break plus the current indentation.

    ``seen`` remembers lists of strings already spelt at an indentation: the same few
    commitment lists recur in thousands of entries.
    """
    if isinstance(value, str):
        parts.append(_encode_string(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        parts.append("{")
        for index, key in enumerate(sorted(value)):
            if not isinstance(key, str):
                raise TypeError(f"manifest keys must be strings, not {key!r}")
            parts.append(("," if index else "") + inner + _encode_string(key) + ": ")
            _dump(value[key], inner, parts, seen)
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        if seen is not None and all(type(item) is str for item in value):
            memo = (newline, tuple(value))
            spelt = seen.get(memo)
            if spelt is None:
                spelt = seen[memo] = "[" + ",".join(
                    inner + _encode_string(item) for item in value) + newline + "]"
            parts.append(spelt)
            return
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(("," if index else "") + inner)
            _dump(item, inner, parts, seen)
        parts.append(newline + "]")
    else:  # numbers, booleans, None: the json module's own spelling
        parts.append(_SCALARS.encode(value))


_scan_string = json.decoder.scanstring  # type: ignore[attr-defined]  # C when available


def spelt_entries(data: bytes, manifest: Manifest) -> dict[str, tuple[Mapping[str, object],
                                                                      str]]:
    """Each ``files`` entry of ``manifest`` with its text in ``data``, the bytes it was
    parsed from, for :func:`dump_manifest` to copy.

    Only for bytes that :func:`dump_manifest` made (the caller knows by their hash,
    see :mod:`generator.statcache`): the text of an entry is taken as it stands. There,
    entries are separated by a comma, a line break and four spaces before the quote that
    opens the next path, and nothing else is: what they hold is indented further, and
    strings hold no line breaks. Empty when the bytes do not look like that.
    """
    text = data.decode("utf-8")
    head = '{\n  "files": {\n    "'
    end = text.find('\n  },\n  "format": ')
    if not text.startswith(head) or end == -1:
        return {}
    found: dict[str, tuple[Mapping[str, object], str]] = {}
    for piece in text[len(head):end].split(',\n    "'):
        try:
            path, _ = _scan_string(piece, 0)
        except ValueError:
            return {}
        entry = manifest.files.get(path)
        if entry is not None:
            found[path] = (entry, '"' + piece)
    return found


def parse_manifest(data: bytes, where: str = MANIFEST_NAME) -> tuple[Manifest, list[str]]:
    """Parse manifest bytes; a corrupt manifest becomes an empty one plus a note saying so.

    Being lenient is safe: an empty manifest only means nothing gets deleted and old
    generated files are reported as user-owned until the next build lists them again.
    A manifest from a *newer* format is refused instead, because guessing could delete
    or keep the wrong files.
    """
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Manifest(), [f"{where} is not valid JSON ({exc}); treating it as empty"]
    if not isinstance(document, dict):
        return Manifest(), [f"{where} is not a JSON object; treating it as empty"]
    version = document.get("format")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise KanalprofilError(
            f"{where} has format {version}, but this kanalprofil only knows format "
            f"{FORMAT_VERSION}; upgrade kanalprofil"
        )
    inputs = document.get("inputs")
    files = document.get("files")
    tool_version = document.get("tool_version")
    if (
        version != FORMAT_VERSION
        or not isinstance(inputs, dict)
        or not isinstance(files, dict)
        or not isinstance(tool_version, str)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in inputs.items())
    ):
        return Manifest(), [f"{where} is not a kanalprofil manifest; treating it as empty"]
    notes: list[str] = []
    kept: dict[str, Mapping[str, object]] = {}
    for path, entry in files.items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("sha256"), str)
            or not _SHA256.fullmatch(entry["sha256"])
        ):
            notes.append(f"{where}: ignoring malformed entry for {path!r}")
            continue
        kept[path] = entry
    return Manifest(inputs=inputs, files=kept, tool_version=tool_version), notes


def load_manifest(output_dir: Path) -> tuple[Manifest, bytes | None, list[str]]:
    """Read the manifest in ``output_dir``: (manifest, raw bytes or None, notes).

    The raw bytes let the plan tell whether the manifest needs rewriting without
    dumping twice; a missing manifest is normal on the first build and gives no note
    unless output/ already holds files (the plan adds that note, it knows).
    """
    path = output_dir / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Manifest(), None, []
    except IsADirectoryError:
        raise KanalprofilError(
            f"{path} is a directory; remove it so the manifest can be written"
        ) from None
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == data:
        return cached[1], data, list(cached[2])
    manifest, notes = parse_manifest(data, where=f"output/{MANIFEST_NAME}")
    _PARSED.clear()
    _PARSED[path] = (data, manifest, tuple(notes))
    return manifest, data, notes


#: The last manifest parsed, by path: an incremental build and its plan read it twice.
_PARSED: dict[Path, tuple[bytes, Manifest, tuple[str, ...]]] = {}
