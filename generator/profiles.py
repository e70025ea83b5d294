"""Read a profiles folder: ``organisation.yml`` plus one file per channel in ``channels/``.

The organisation's ``defaults`` are merged into each channel key by key before the channel
is checked, so an error in a default is reported once, at the line that wrote it. All
problems of all files are collected; nothing stops at the first.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from generator.errors import Location, Problems
from generator.schema import MISSING, SLUG, Context, Language, ListOf, merge
from generator.sources import Sources
from generator.statcache import StatCache
from generator.yamlload import LocatedDict, YamlError, decode, loads

if TYPE_CHECKING:  # the model is imported when profiles are read, not to hash them
    from generator.catalogue import Catalogue
    from generator.model import Channel, Organisation
    from generator.profilecache import Entry, ProfileCache

T = TypeVar("T")

ORGANISATION_FILE = "organisation.yml"
CHANNELS_DIR = "channels"
PLATFORMS_FILE = "platforms.yml"


@dataclass(frozen=True)
class Profiles:
    organisation: Organisation
    channels: tuple[Channel, ...]
    #: sha256 of each input file, by its path relative to the project
    digests: dict[str, str]
    #: the located source of the organisation ("") and of each channel (by id), for checks
    sources: Sources
    #: Where per-file results are kept between builds (None: no cache folder).
    cache: ProfileCache | None = field(default=None, compare=False, repr=False)

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def source_findings(self, check_id: str, source_id: str,
                        compute: Callable[[], tuple[T, ...]]) -> tuple[T, ...]:
        """What a check that reads one file's values alone found in ``sources[source_id]``:
        kept from an earlier build when the file and everything shaping it is unchanged."""
        if self.cache is None:
            return compute()
        found: tuple[Any, ...] = self.cache.findings(check_id, source_id, compute)
        return found

    def save_cache(self) -> None:
        """Write what this build read and checked anew to the cache (after the checks)."""
        if self.cache is not None:
            self.cache.save()
            # the checks are done: each source is now needed only to locate an error
            self.sources.pickle_from(self.cache.pickled_sources())


def _read(path: Path, display: str, problems: Problems, digests: dict[str, str],
          stats: StatCache) -> LocatedDict | None:
    try:
        digest, data = stats.hashed(display, str(path))
        if data is None:  # known by its stat: read it all the same, it is parsed
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
    except OSError as exc:
        problems.error(Location(display), f"cannot read file: {exc.strerror}")
        return None
    digests[display] = digest
    return _parse(data, display, problems)


def _parse(data: bytes, display: str, problems: Problems) -> LocatedDict | None:
    try:
        raw = loads(decode(data, display), display)
    except YamlError as exc:
        problems.extend([exc.problem])
        return None
    if not isinstance(raw, LocatedDict):
        problems.error(Location(display, 1, 1), "expected a mapping of keys to values",
                       "start the file with key: value lines")
        return None
    return raw


def _displayer(profiles_dir: Path, display_root: Path) -> Callable[[Path], str]:
    """Paths as messages and input hashes name them: relative to the project if inside it.

    The folders are resolved once, not every file (``resolve`` costs a system call per
    path component, which adds up over thousands of channel files).
    """
    root = display_root.resolve()
    channel_dir = profiles_dir / CHANNELS_DIR
    resolved_channel_dir = channel_dir.resolve()

    def display(path: Path) -> str:
        real = resolved_channel_dir / path.name \
            if path.parent == channel_dir and not path.is_symlink() else path.resolve()
        try:
            return real.relative_to(root).as_posix()
        except ValueError:
            return str(path)

    return display


def _channel_entries(profiles_dir: Path) -> list[tuple[str, bool]]:
    """The channel files, in the order they are read (by name), each with whether it is
    a symlink.

    Listed with ``os.scandir`` and sorted by name, as ``glob`` and sorting paths would
    give them, without a pattern match and a path comparison each (thousands of files);
    the directory entry says whether a file is a symlink without a ``stat`` each.
    """
    channel_dir = profiles_dir / CHANNELS_DIR
    try:
        with os.scandir(channel_dir) as entries:
            found = sorted((entry.name, entry.is_symlink()) for entry in entries
                           if entry.name.endswith((".yml", ".yaml")))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return found


def _displayed_channel_names(profiles_dir: Path, display_root: Path
                             ) -> list[tuple[str, str]]:
    """Each channel file's name in its folder, with its name as :func:`_displayer`
    gives it, the folder's part worked out once: a path operation each costs tens of
    microseconds, twice per channel on every build."""
    display = _displayer(profiles_dir, display_root)
    channel_dir = profiles_dir / CHANNELS_DIR
    try:
        folder: str | None = (channel_dir.resolve() / "x").relative_to(
            display_root.resolve()).parent.as_posix()
    except ValueError:  # outside the project: named by their own paths
        folder = None
    prefix = "" if folder in (None, ".") else f"{folder}/"
    return [(name, display(channel_dir / name) if link or folder is None else prefix + name)
            for name, link in _channel_entries(profiles_dir)]


def _displayed_channel_files(profiles_dir: Path, display_root: Path
                             ) -> list[tuple[Path, str]]:
    """:func:`_displayed_channel_names`, each with its path."""
    channel_dir = profiles_dir / CHANNELS_DIR
    return [(channel_dir / name, shown)
            for name, shown in _displayed_channel_names(profiles_dir, display_root)]


def input_files(profiles_dir: Path, display_root: Path) -> dict[str, str]:
    """Every profile file :func:`load_profiles` hashes (its path), by the name it records
    the hash under.

    Lets a build compare input hashes with the manifest without parsing anything.
    """
    display = _displayer(profiles_dir, display_root)
    org_path = profiles_dir / ORGANISATION_FILE
    files = {display(org_path): str(org_path)} if org_path.is_file() else {}
    # every file, badly named ones too: they must make the build read and report them
    folder = str(profiles_dir / CHANNELS_DIR)
    files.update((shown, f"{folder}/{name}") for name, shown in
                 _displayed_channel_names(profiles_dir, display_root))
    return files


def load_profiles(profiles_dir: Path, display_root: Path, catalogue: Catalogue,
                  known_languages: set[str], problems: Problems,
                  cache_dir: Path | None = None,
                  meanwhile: Callable[[Callable[[], bool]], None] | None = None
                  ) -> Profiles | None:
    """Load and check everything under ``profiles_dir``; None when it cannot be used.

    With ``cache_dir``, a channel file whose bytes, name and shared inputs are as in an
    earlier build is not parsed or validated again: its located YAML, channel and
    problems come from the cache (:mod:`generator.profilecache`), reported in the same
    place and order as reading it would report them. ``meanwhile`` runs in this process
    while workers read channel files, if they do (see :func:`parallel.map_ordered`).
    """
    from generator.model import ORGANISATION

    display = _displayer(profiles_dir, display_root)
    digests: dict[str, str] = {}
    org_path = profiles_dir / ORGANISATION_FILE
    org_name = display(org_path)
    if not org_path.is_file():
        problems.error(Location(org_name), "organisation file not found",
                       "run `kanalprofil init` or check profiles_dir in kanalprofil.yml")
        return None
    # a file whose stat is as when it was last hashed is read only if it must be parsed
    stats = StatCache(cache_dir, profiles_dir, kind="profiles")
    org_raw = _read(org_path, org_name, problems, digests, stats)
    if org_raw is None:
        return None

    ctx = Context(problems, extra={"known_languages": known_languages})
    languages = _languages(org_raw, ctx)
    if not languages:
        return None
    ctx.languages = languages
    organisation = ORGANISATION.check(org_raw, org_raw.location, ctx)
    defaults_raw = org_raw.get("defaults") or LocatedDict(location=org_raw.location)

    cache = None
    if cache_dir is not None:
        from generator.profilecache import ProfileCache

        # everything besides the file itself that shapes what reading it gives
        cache = ProfileCache(cache_dir, (org_name, digests[org_name], catalogue.digest,
                                         *sorted(known_languages)))
    channels: list[Channel] = []
    sources = Sources()
    sources.add("", org_raw)
    channel_dir = profiles_dir / CHANNELS_DIR
    files = _displayed_channel_files(profiles_dir, display_root)
    if not files:
        problems.error(Location(display(channel_dir)), "no channel files found",
                       "add one YAML file per channel, e.g. channels/facebook.yml")
    contents: dict[str, bytes | OSError | None] = {}
    for path, name in files:
        if SLUG.fullmatch(path.stem):
            try:
                digests[name], contents[name] = stats.hashed(name, str(path))
            except OSError as exc:
                contents[name] = exc
    stats.save()
    found = cache.lookup({name: digests[name] for name in contents if name in digests}) \
        if cache is not None else {}
    from generator.profilecache import Entry

    parsed = _read_in_parallel(_to_parse(files, found, contents, digests), defaults_raw,
                               languages, catalogue, meanwhile)
    for path, name in files:
        if not SLUG.fullmatch(path.stem):
            problems.error(Location(name), f"channel file name {path.stem!r} is not a valid id",
                           "rename it with lower-case letters a-z, digits and hyphens")
            continue
        content = contents.pop(name)
        if isinstance(content, OSError):
            problems.error(Location(name), f"cannot read file: {content.strerror}")
            sources.add(path.stem, LocatedDict(location=Location(name)))
            continue
        entry = found.get(name) or parsed.get(name)
        if entry is not None:
            problems.extend(entry.problems)
            if name in parsed and cache is not None:
                cache.store(name, entry)
        else:
            if content is None:  # known by its stat, but not in the profile cache
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    problems.error(Location(name), f"cannot read file: {exc.strerror}")
                    sources.add(path.stem, LocatedDict(location=Location(name)))
                    continue
                digests[name] = hashlib.sha256(content).hexdigest()
            start = len(problems.items)
            raw, channel = _read_channel(path.stem, name, content, defaults_raw, languages,
                                         catalogue, problems)
            entry = Entry(raw, channel, tuple(problems.items[start:]))
            if cache is not None:
                cache.store(name, entry)
        if cache is not None:
            cache.bind(path.stem, name)
        sources.add(path.stem, entry.raw if entry.raw is not None
                    else LocatedDict(location=Location(name)))
        if entry.channel is not None:
            channels.append(entry.channel)
    _check_references(channels, sources, problems)
    if organisation is MISSING:
        return None
    return Profiles(organisation, tuple(channels), digests, sources, cache)


def _to_parse(files: list[tuple[Path, str]], found: Mapping[str, Entry],
              contents: dict[str, bytes | OSError | None], digests: dict[str, str]
              ) -> dict[str, tuple[str, bytes]]:
    """The channel files the cache has no entry for: ``{display name: (id, bytes)}``.
    A file known by its stat is read now (an error reading it stays in ``contents``)."""
    wanted: dict[str, tuple[str, bytes]] = {}
    for path, name in files:
        content = contents.get(name)
        if name in found or not SLUG.fullmatch(path.stem) or isinstance(content, OSError):
            continue
        if content is None:
            try:
                content = contents[name] = path.read_bytes()
            except OSError as exc:
                contents[name] = exc
                continue
            digests[name] = hashlib.sha256(content).hexdigest()
        wanted[name] = (path.stem, content)
    return wanted


def _read_in_parallel(files: Mapping[str, tuple[str, bytes]], defaults_raw: Any,
                      languages: tuple[str, ...], catalogue: Catalogue,
                      meanwhile: Callable[[Callable[[], bool]], None] | None = None
                      ) -> dict[str, Entry]:
    """:func:`_read_channel` and the per-file checks of many files, spread over forked
    workers: a full build of 5,000 channels spent five seconds reading them on one core
    while the other waited. Each comes back as its cache entry, its located YAML pickled
    (which the build keeps it as anyway, see :mod:`generator.sources`). Empty when too few
    files make workers worth starting; a file a worker cannot pickle is left out, and
    read in this process as before."""
    from generator.parallel import jobs_for, map_ordered
    from generator.profilecache import Entry

    jobs = jobs_for(len(files))
    if jobs <= 1 or len(files) <= 1:
        return {}
    names = list(files)
    size = -(-len(names) // (jobs * 8))  # a few batches per worker, to even them out

    def read(batch: list[str]) -> list[bytes | None]:
        from generator.checks import SOURCE_CHECKS
        from generator.profilecache import PROTOCOL

        made: list[bytes | None] = []
        for name in batch:
            channel_id, content = files[name]
            problems = Problems()
            raw, channel = _read_channel(channel_id, name, content, defaults_raw, languages,
                                         catalogue, problems)
            source = raw if raw is not None else LocatedDict(location=Location(name))
            findings = {check_id: tuple(check(channel_id, source))
                        for check_id, check in SOURCE_CHECKS.items()}
            try:
                made.append(pickle.dumps((None if raw is None else pickle.dumps(raw, PROTOCOL),
                                          channel, tuple(problems.items), findings), PROTOCOL))
            except Exception:  # e.g. a document nested too deep to pickle
                made.append(None)
        return made

    batches = [names[start:start + size] for start in range(0, len(names), size)]
    entries: dict[str, Entry] = {}
    results_by_batch = map_ordered(read, batches, jobs, meanwhile=meanwhile)
    for batch, results in zip(batches, results_by_batch, strict=True):
        for name, data in zip(batch, results, strict=True):
            if data is not None:
                raw, channel, problems, findings = pickle.loads(data)
                entries[name] = Entry(raw, channel, problems, findings)
    return entries


def _read_channel(channel_id: str, name: str, data: bytes, defaults_raw: Any,
                  languages: tuple[str, ...], catalogue: Catalogue, problems: Problems
                  ) -> tuple[LocatedDict | None, Channel | None]:
    """Parse, merge with the defaults and validate one channel file: all that depends
    on that file alone (with the shared inputs), so it can be cached per file."""
    from generator.model import CHANNEL

    raw = _parse(data, name, problems)
    if raw is None:
        return None, None
    for key in raw.keys() & {"owner", "platform"}:
        if key in defaults_raw:
            problems.error(defaults_raw.key_at(key), f"{key!r} belongs in each channel "
                           "file, not in defaults")
    merged = merge(defaults_raw if isinstance(defaults_raw, dict) else {}, raw)
    channel_ctx = Context(problems, languages, extra={"restrict_languages": True})
    channel = CHANNEL.check(merged, raw.location, channel_ctx)
    if channel is MISSING:
        return raw, None
    channel = replace(channel, id=channel_id, languages=channel.languages or (languages[0],))
    _check_platform(channel, raw, catalogue, problems)
    return raw, channel


def _languages(org_raw: LocatedDict, ctx: Context) -> tuple[str, ...]:
    if "languages" not in org_raw:
        ctx.problems.error(org_raw.location, "missing required key 'languages'",
                           "list the languages you publish in, first the primary: "
                           "[nb, nn, en]")
        return ()
    checked = ListOf(Language(), unique=True, min_items=1).check(
        org_raw["languages"], org_raw.value_at("languages"), ctx)
    return () if checked is MISSING else tuple(checked)


def _check_platform(channel: Channel, raw: LocatedDict, catalogue: Catalogue,
                    problems: Problems) -> None:
    platform = catalogue.get(channel.platform)
    if platform is None:
        from generator.schema import did_you_mean

        problems.error(raw.value_at("platform"), f"unknown platform {channel.platform!r}",
                       did_you_mean(channel.platform, list(catalogue.platforms))
                       or "see `kanalprofil platforms`, or add it in profiles/platforms.yml")
        return
    limits = raw.get("limits") if isinstance(raw.get("limits"), LocatedDict) else None
    for slot_name in channel.limits:
        if slot_name not in platform.slots:
            where = limits.key_at(slot_name) if limits is not None else raw.location
            problems.error(where, f"{platform.name} has no slot {slot_name!r}",
                           f"its slots: {', '.join(platform.slots)}")


def _check_references(channels: list[Channel], sources: Sources,
                      problems: Problems) -> None:
    """``go_to`` and ``successor`` must name a channel that is (or will be) public."""
    from generator.schema import did_you_mean

    by_id = {c.id: c for c in channels}
    known = [source_id for source_id in sources if source_id]
    for channel in channels:
        targets = [(channel.response.go_to, "response", "go_to"),
                   (channel.retired.successor if channel.retired else None,
                    "retired", "successor")]
        for target, section, key in targets:
            if target is None or (target in sources and target not in by_id):
                continue  # none given, or that file has errors of its own
            other = by_id.get(target)
            if other is not None and other.is_public:
                continue
            where = _value_location(sources[channel.id], section, key)
            if other is None:
                problems.error(where, f"refers to channel {target!r}, which does not exist",
                               did_you_mean(target, known) or "use a channel file name")
            else:
                problems.error(where, f"refers to channel {target!r}, which is {other.status}",
                               "point to an active or pilot channel")


def _value_location(raw: LocatedDict, section: str, key: str) -> Location:
    value = raw.get(section)
    return value.value_at(key) if isinstance(value, LocatedDict) else raw.location


__all__ = ["Profiles", "load_profiles"]
