"""From a project to every generated file, in memory: ``{path: bytes}`` plus metadata.

Nothing here writes to output/ (only to the cache folder, see :mod:`generator.chunkcache`):
``build``, ``check``, ``diff`` and ``show`` all start from the same in-memory result, so
what ``check`` compares is exactly what ``build`` writes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from generator import __version__, collector
from generator.catalogue import catalogue_digest
from generator.errors import Location, Problems
from generator.manifest import Manifest, load_manifest
from generator.outputfiles import OutputFiles
from generator.outputtext import pieces_bytes, text_bytes
from generator.profiles import (
    CHANNELS_DIR,
    ORGANISATION_FILE,
    PLATFORMS_FILE,
    Profiles,
    input_files,
)
from generator.project import Project
from generator.templating import Templates
from generator.texts import ChannelTexts, Statement, StoredStatement, StoredText, Text

# Rendering needs Jinja2, Babel and the counting rules: imported where a build renders,
# so one that takes everything from output/ starts fast.
if TYPE_CHECKING:
    from generator.catalogue import Catalogue
    from generator.localise import Localiser
    from generator.model import Channel
    from generator.plan import Plan
    from generator.render import Renderer
    from generator.staging import Stager
    from generator.statcache import StatCache
    from generator.writer import ApplyResult

#: Set to 1 to render everything even when output/ could be reused (e.g. while changing
#: kanalprofil's own code, which the manifest knows only by its version).
NO_REUSE_ENV = "KANALPROFIL_NO_REUSE"
#: The unit of output/ that is not one channel's folder: statements pages, registers.
PAGES = ""


@dataclass
class BuildResult:
    files: OutputFiles = field(default_factory=OutputFiles)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    texts: list[Text | StoredText] = field(default_factory=list)
    statements: list[Statement | StoredStatement] = field(default_factory=list)
    profiles: Profiles | None = None
    #: How much of output/ was taken over instead of rendered (None: everything rendered).
    reuse: Reuse | None = None
    #: Paths taken from output/: their bytes there are exactly ``files[path]`` and hash
    #: to what the manifest records.
    current: set[str] = field(default_factory=set)

    def sort_texts(self, channels: list[str], languages: tuple[str, ...]) -> None:
        """One order for texts and statements, whether rendered now or taken from output/."""
        rank = {channel: index for index, channel in enumerate(channels)}
        lang_rank = {lang: index for index, lang in enumerate(languages)}
        self.texts.sort(key=lambda t: (rank.get(t.channel, len(rank)), _slot_rank(t.slot),
                                       [lang_rank.get(lang, 99) for lang in t.languages]))
        self.statements.sort(key=lambda s: (rank.get(s.channel, len(rank)),
                                            lang_rank.get(s.language, 99)))

    def add(self, path: str, content: str, metadata: dict[str, Any] | None = None) -> None:
        """Store text the deterministic way: NFC, LF, one final newline, UTF-8."""
        self.files[path] = text_bytes(content)
        if metadata is not None:
            self.metadata[path] = metadata

    def add_pieces(self, path: str, pieces: Iterable[str]) -> None:
        """``add`` for a large page rendered piece by piece (``Template.generate``)."""
        self.files[path] = pieces_bytes(pieces)


@dataclass(frozen=True)
class Selection:
    """Which channels and languages a run covers (``--channel``, ``--lang``)."""

    channels: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def channel(self, channel_id: str) -> bool:
        return not self.channels or channel_id in self.channels

    def language(self, lang: str) -> bool:
        return not self.languages or lang in self.languages

    def path(self, path: str) -> bool:
        """Whether a generated path belongs to this selection (for filtered plans)."""
        parts = path.split("/")
        if parts[0] == "channels" and len(parts) >= 3:
            langs = parts[2].split("+")
            return self.channel(parts[1]) and any(self.language(lang) for lang in langs)
        if parts[0] in ("site", "internal") and len(parts) >= 2:
            return not self.channels and self.language(parts[1])
        return not self.channels and not self.languages

    @property
    def everything(self) -> bool:
        return not self.channels and not self.languages


@dataclass(frozen=True)
class Reuse:
    """What a build took from output/ unchanged, and what it rendered (see ``build``)."""

    #: Channels rendered, and channels whose files were taken from output/.
    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    #: Whether the pages (statement HTML aside) were rendered.
    pages: bool = False
    #: Whether profiles were read and checked at all.
    checked: bool = True

    @property
    def nothing_rendered(self) -> bool:
        return not self.rendered and not self.pages


def input_digests(project: Project, templates: Templates | None = None) -> dict[str, str]:
    """The input hashes ``prepare`` records, computed by hashing files without parsing them."""
    from generator.chunkcache import cache_dir
    from generator.statcache import StatCache

    templates = templates or Templates(project.templates_dir)
    inputs = {"catalogue": catalogue_digest(project.profiles_dir / PLATFORMS_FILE),
              "templates": templates.digest(), "project": project.digest, "tool": __version__}
    stats = StatCache(cache_dir(project.root), project.profiles_dir, kind="profiles")
    for name, path in input_files(project.profiles_dir, project.root).items():
        inputs[name] = stats.hashed(name, path)[0]
    stats.save()
    return inputs


def load_inputs(project: Project, problems: Problems
                ) -> tuple[Templates, Catalogue, Profiles | None]:
    """Templates, the catalogue and the checked profiles: everything but rendering."""
    from generator.catalogue import project_catalogue
    from generator.chunkcache import cache_dir
    from generator.profiles import load_profiles

    cache = cache_dir(project.root)
    templates = Templates(project.templates_dir, cache)
    catalogue = project_catalogue(project, problems)
    profiles = load_profiles(project.profiles_dir, project.root, catalogue,
                             set(templates.languages()), problems, cache,
                             meanwhile=partial(_warm_up, templates))
    return templates, catalogue, profiles


def _warm_up(templates: Templates, busy: Callable[[], bool]) -> None:
    """While workers read the channel files: compile the counting rules' patterns and
    the templates here, once, instead of in every worker that renders later (each
    inherits them; a cold build's workers each spent half a second on it). Only while
    the workers are ``busy``: what is left is compiled where it is used, as before."""
    from generator.counting import WARM_UP

    for step in (*WARM_UP, *templates.precompiling()):
        if not busy():
            return
        step()


def prepare(project: Project, problems: Problems) -> tuple[Templates, Renderer | None,
                                                          Profiles | None, dict[str, str]]:
    """Load catalogue, templates and profiles; the renderer is None when they are invalid."""
    templates, catalogue, profiles = load_inputs(project, problems)
    inputs = {"catalogue": catalogue.digest, "templates": templates.digest(),
              "project": project.digest, "tool": __version__}
    if profiles is None:
        return templates, None, None, inputs
    inputs.update(profiles.digests)
    from generator.checks import report_checks, run_checks, validate_settings
    from generator.localise import make_localiser
    from generator.render import Renderer

    where = Location(project.display(project.config_file or project.root))
    validate_settings(project.settings, where, problems)
    built = _build_languages(project, profiles)
    preview_language = project.settings.preview_language
    if preview_language not in (None, *built):
        problems.error(project.location("preview_language"),
                       f"preview_language {preview_language!r} is not a language this "
                       "project builds", f"use one of: {', '.join(built)}")
    report_checks(run_checks(profiles, catalogue, project.settings), project.settings,
                  problems)
    profiles.save_cache()  # after the checks, which add their per-file findings
    localisers: dict[str, Localiser] = {}
    for lang in profiles.organisation.languages:
        language = templates.load_language(lang, problems)
        if language is not None:
            _check_words(language.code, language.words, templates, problems)
            try:
                localisers[lang] = make_localiser(language.locale, language.words)
            except (ValueError, LookupError):
                problems.error(Location(f"templates/{lang}/language.yml"),
                               f"unknown locale {language.locale!r}",
                               "use a CLDR locale such as nb, nn, en_GB or se")
    if problems.errors:
        return templates, None, profiles, inputs
    renderer = Renderer(templates, catalogue, profiles.organisation,
                        {c.id: c for c in profiles.channels}, localisers, problems)
    renderer.sources = profiles.sources
    return templates, renderer, profiles, inputs


def build(project: Project, selection: Selection = Selection(),
          problems: Problems | None = None, *, reuse_from: Path | None = None,
          profile_languages: Mapping[str, tuple[str, ...]] | None = None,
          stager: Stager | None = None) -> BuildResult:
    """Render everything the selection covers; raise InputError listing every problem.

    ``profile_languages`` renders a channel's profile texts in other languages than its
    own, for ``show`` (a preview of a language the profile does not use yet).

    With ``reuse_from`` (the output folder), an unfiltered build renders only what is stale
    and takes every other file from that folder, so the result is the same as a full
    build's (see :func:`_previous` for when a file counts as current).

    With a ``stager``, rendered files are written to temp files in output/ as they come
    (the caller, ``kanalprofil build``, applies or discards them, see
    :mod:`generator.staging`), and the result holds their paths and hashes, not bytes.
    """
    try:
        return _build(project, selection, problems, reuse_from=reuse_from,
                      profile_languages=profile_languages, stager=stager)
    finally:
        collector.release()


def _build(project: Project, selection: Selection, problems: Problems | None, *,
           reuse_from: Path | None, profile_languages: Mapping[str, tuple[str, ...]] | None,
           stager: Stager | None) -> BuildResult:
    problems = problems if problems is not None else Problems()
    # profiles, the renderer and output/'s files live until the build ends
    with collector.paused(then_settle=True):
        survey = _survey(project, reuse_from) if reuse_from is not None \
            and selection.everything and not profile_languages else None
        previous = None
        if survey is not None and not _check_later(survey):
            previous, survey = _check_output(survey), None
            if previous.unchanged and not _checks_can_fail(project):
                return previous.result(None, Reuse(
                    reused=tuple(sorted(previous.channel_files)), checked=False))
        _, renderer, profiles, inputs = prepare(project, problems)
    problems.raise_if_errors()
    assert renderer is not None and profiles is not None
    if previous is not None and previous.inputs != inputs:
        previous = None  # a file changed while we read it: render everything
    if survey is not None and survey.inputs != inputs:
        survey = None
    result = BuildResult(inputs=inputs, profiles=profiles)
    published = _build_languages(project, profiles)
    languages = tuple(lang for lang in published if selection.language(lang))
    rendered: list[str] = []

    def select(stale: set[str] | None, skip: Collection[str] = ()) -> list[Channel]:
        """The channels to render, in profile order: all (``stale`` None) or the stale."""
        work: list[Channel] = []
        for channel in profiles.channels:
            if not selection.channel(channel.id) or channel.id in skip:
                continue
            if stale is not None and channel.id not in stale:
                continue
            if profile_languages and channel.id in profile_languages:
                channel = replace(channel, languages=profile_languages[channel.id])
            work.append(channel)
        rendered.extend(channel.id for channel in work)
        return work

    def damaged() -> list[Channel]:
        """Check output/ (while the workers render): channels with a file edited or
        deleted by hand are rendered too."""
        nonlocal previous
        assert survey is not None
        with collector.paused(then_settle=True):
            previous = _check_output(survey)
        return select(previous.stale_channels(profiles), skip=set(rendered))

    if survey is not None:
        work = select(_stale(survey.changed, survey.removed, set(), profiles))
    else:
        work = select(previous.stale_channels(profiles) if previous is not None else None)

    # A rebuild after a few channel files changed renders the pages whatever output/
    # holds: with workers, they start on them while this process checks output/.
    pages = survey is not None or (not selection.channels
                                   and not (previous is not None and previous.unchanged))
    from generator import fragments
    from generator.markup import flush, use_cache
    from generator.rendering import Part, merge_part, render_parts

    use_cache(renderer.templates.cache)  # the project's cache folder, or None
    fragments.use_cache(renderer.templates.cache)

    preview = pages and selection.everything
    # Statements keep their HTML only for a preview that shows them in its cards (a
    # filtered build, such as `show`'s, makes no preview and imports none of it).
    inline = False
    if preview:
        from generator.preview import inline_statements

        inline = inline_statements(project.settings.preview_statements,
                                   len(profiles.channels))

    def channels_done(made: dict[str, Part]) -> None:
        """Every channel's files are there: make the preview while the pages render."""
        # every channel's files and texts: no cycles, and kept (for the preview)
        with collector.paused(then_settle=True):
            for channel in profiles.channels:
                if channel.id in made:
                    merge_part(result, made[channel.id], problems)
                elif previous is not None and selection.channel(channel.id):
                    previous.take(result, channel.id, restore=preview)
        if previous is not None and previous.unchanged:
            with collector.paused(then_settle=True):
                previous.take(result, PAGES)
        elif preview:
            from generator.pages import page_tasks
            from generator.preview import add_preview

            result.sort_texts([c.id for c in profiles.channels], languages)
            overviews = {lang for lang, name in page_tasks(renderer, profiles, languages)
                         if name == "overview"}
            add_preview(result, renderer, profiles, languages,
                        project.settings.preview_language, overviews, stager, inline=inline)
            for statement in result.statements:
                statement.forget_html()  # only the preview needed it

    made = render_parts(renderer, profiles, work, languages, selection,
                        project.settings.review_max_age_months, pages=pages, linked=published,
                        on_files=stager.stage if stager is not None else None,
                        on_channels=channels_done,
                        later=damaged if survey is not None else None,
                        statement_html=inline)
    if pages:
        merge_part(result, made[PAGES], problems)
    if stager is not None:
        stager.stage(result.files)  # anything not staged on the way (nothing, normally)
    flush()
    fragments.flush()
    if previous is not None:
        order = {channel.id: index for index, channel in enumerate(profiles.channels)}
        rendered.sort(key=order.__getitem__)
        result.reuse = Reuse(tuple(rendered), tuple(sorted(
            c.id for c in profiles.channels if c.id not in rendered)), pages)
    problems.raise_if_errors(strict=project.settings.strict)
    return result


#: A rebuild after at most this many channel files changed checks output/ while the
#: workers render the pages, and renders those channels in this process meanwhile.
CHECK_LATER_MAX = 16


def _check_later(survey: _Survey) -> bool:
    """Whether a rebuild checks output/ only once the pages are rendering: when a few
    channel files changed (so the pages are rendered anyway, and the channels to render
    are few), not when nothing changed (then the check decides whether anything is
    rendered at all)."""
    return 0 < len(survey.changed | survey.removed) <= CHECK_LATER_MAX


def _checks_can_fail(project: Project) -> bool:
    """Whether a check could fail this build even though no input changed (checks depend
    on today's date): then profiles are read and checked, though nothing is rendered."""
    return project.settings.strict or any(
        setting.severity == "error" for setting in project.settings.checks.values())


def _unit(path: str) -> str:
    """The channel whose rendering makes ``path``, or PAGES."""
    parts = path.split("/", 2)
    return parts[1] if parts[0] == CHANNELS_DIR and len(parts) > 2 else PAGES


@dataclass
class _Previous:
    """output/ as the manifest describes it, with each file checked against its hash."""

    manifest: Manifest
    inputs: dict[str, str]
    #: Files on disk whose bytes match the manifest, by unit (channel id or PAGES); the
    #: bytes of a text or statement if they were read to hash it (None for the others,
    #: which stay on disk, see :mod:`generator.outputfiles`; :meth:`take` reads a text
    #: known by its stat when the result needs its Text or Statement object).
    current: dict[str, dict[str, bytes | None]]
    #: Units with a file that is missing or differs from the manifest (edited by hand).
    damaged: set[str]
    #: Channel ids whose own file is new or changed, and ids whose file is gone.
    changed: set[str]
    removed: set[str]
    #: The output folder, as the paths of files on disk start.
    root: str = ""

    @property
    def channel_files(self) -> set[str]:
        return {unit for unit in self.current if unit != PAGES}

    @property
    def unchanged(self) -> bool:
        return not (self.damaged or self.changed or self.removed)

    def stale_channels(self, profiles: Profiles) -> set[str]:
        return _stale(self.changed, self.removed, self.damaged, profiles)

    def take(self, result: BuildResult, unit: str, *, restore: bool = False) -> None:
        """Give ``result`` the unit's files (once: the bytes read to restore its texts
        and statements are let go of here). With ``restore`` (the preview is made again),
        also their text and statement objects: those known by their stat are read only
        when the preview asks for their words (:class:`~generator.texts.StoredText`).
        """
        files = self.current.get(unit, {})
        for path, data in files.items():
            files[path] = None
            kind = self.manifest.files[path].get("kind")
            result.current.add(path)
            # On disk even when its bytes were read (to restore texts for the preview):
            # a build that stages its files must not write these again.
            sha256 = self.manifest.sha256(path)
            assert sha256 is not None  # checked when the file was read
            result.files.keep_on_disk(path, f"{self.root}/{path}", sha256)
            meta = self.manifest.metadata(path)
            if meta:
                result.metadata[path] = meta
                if data is not None:
                    _restore(result, data, meta)
                elif restore and kind == "slot":  # read only if its card is rendered
                    result.texts.append(_stored_text(meta, result.files))
                elif restore and kind == "statement":  # the same
                    listed = meta.get("commitments")
                    result.statements.append(StoredStatement(
                        str(meta["channel"]), str(meta["language"]),
                        tuple(map(str, listed)) if isinstance(listed, list) else (),
                        result.files))

    def result(self, profiles: Profiles | None, reuse: Reuse) -> BuildResult:
        result = BuildResult(inputs=dict(self.inputs), profiles=profiles, reuse=reuse)
        for unit in self.current:
            self.take(result, unit)
        return result


def _previous(project: Project, output_dir: Path) -> _Previous | None:
    """What output/ holds, if its manifest says it was built from inputs like these.

    None (render everything) when reuse is turned off, there is no usable manifest, it was
    made by another version of kanalprofil, or an input that every file depends on
    (organisation, templates, catalogue, project file) changed. Every file the manifest
    lists is read and hashed, unless its stat shows it was not written since it last was
    (:mod:`generator.statcache`): a file edited or deleted by hand is never taken over,
    its channel (or the pages) is rendered again, so ``check`` still reports it.
    """
    survey = _survey(project, output_dir)
    return None if survey is None else _check_output(survey)


@dataclass
class _Survey:
    """The manifest of output/ and what changed in the inputs since it was written: the
    first half of :func:`_previous`, which looks at no file in output/ yet."""

    project: Project
    output_dir: Path
    manifest: Manifest
    inputs: dict[str, str]
    #: Channel ids whose own file is new or changed, and ids whose file is gone.
    changed: set[str]
    removed: set[str]


def _stale(changed: set[str], removed: set[str], damaged: set[str], profiles: Profiles
           ) -> set[str]:
    """Channels to render: changed or damaged ones, and those that link to one."""
    moved = changed | removed
    stale = changed | (damaged - {PAGES})
    for channel in profiles.channels:
        targets = {channel.response.go_to,
                   channel.retired.successor if channel.retired else None}
        if targets & moved:
            stale.add(channel.id)
    return stale


def _survey(project: Project, output_dir: Path) -> _Survey | None:
    if os.environ.get(NO_REUSE_ENV, "") not in ("", "0"):
        return None
    manifest, raw, _ = load_manifest(output_dir)
    if raw is None or not manifest.files or manifest.tool_version != __version__:
        return None
    inputs = input_digests(project)
    old = manifest.inputs
    org_key = next((k for k in inputs if k.endswith("/" + ORGANISATION_FILE)), None)
    if org_key is None:
        return None
    shared = {"catalogue", "templates", "project", "tool", org_key}
    if any(inputs.get(key) != old.get(key) for key in shared):
        return None
    channel_keys = {_stem(k): k for k in inputs if k not in shared}
    old_keys = {_stem(k): k for k in old if k not in shared}
    changed = {cid for cid, key in channel_keys.items() if old.get(key) != inputs[key]}
    removed = set(old_keys) - set(channel_keys)
    return _Survey(project, output_dir, manifest, inputs, changed, removed)


def _stem(name: str) -> str:
    """``Path(name).stem`` without a Path object (thousands of channel files)."""
    base = name.rpartition("/")[2]
    dot = base.rfind(".")
    return base[:dot] if 0 < dot < len(base) - 1 else base


def _check_output(survey: _Survey) -> _Previous:
    """The second half of :func:`_previous`: every file the manifest lists, checked."""
    manifest = survey.manifest
    current: dict[str, dict[str, bytes | None]] = {}
    damaged: set[str] = set()
    root = str(survey.output_dir)
    from generator.chunkcache import cache_dir
    from generator.statcache import StatCache

    stats = StatCache(cache_dir(survey.project.root), survey.output_dir)
    known = stats.sha256
    for path, entry in manifest.files.items():
        unit = _unit(path)
        sha256 = entry.get("sha256")  # as Manifest.sha256, without a call each
        if not isinstance(sha256, str):
            sha256 = None
        file = f"{root}/{path}"
        if sha256 is not None and known(path, file) == sha256:
            # not written since it was hashed (a text is read if the preview needs it)
            current.setdefault(unit, {})[path] = None
            continue
        restores = entry.get("kind") in _RESTORED_KINDS  # its bytes may be needed
        data = _read_current(file, sha256, path, stats)
        if data is None:
            damaged.add(unit)
        else:
            current.setdefault(unit, {})[path] = data if restores else None
    stats.save()
    return _Previous(manifest, survey.inputs, current, damaged, survey.changed,
                     survey.removed, root)


#: Manifest kinds of the files :func:`_restore` turns back into objects.
_RESTORED_KINDS = ("slot", "statement")


def _restore(result: BuildResult, data: bytes, meta: Mapping[str, Any]) -> None:
    """Text and Statement objects of a file taken from output/, for the preview page."""
    content = data.decode("utf-8")
    if meta.get("kind") == "slot":
        stored = _stored_text(meta, result.files)
        result.texts.append(Text(stored.channel, stored.platform, stored.slot,
                                 stored.languages, content[:-1], stored.commitments,
                                 stored.measures, stored.variant))
    elif meta.get("kind") == "statement":
        result.statements.append(Statement(str(meta["channel"]), str(meta["language"]),
                                           content, tuple(meta.get("commitments", ()))))


def _stored_text(meta: Mapping[str, Any], files: OutputFiles) -> StoredText:
    """A text taken from output/, described by its manifest entry."""
    return StoredText(
        str(meta["channel"]), str(meta["platform"]), str(meta["slot"]),
        tuple(str(meta["language"]).split("+")), tuple(meta.get("commitments", ())),
        tuple((str(m["rule"]), int(m["count"]), int(m["max"]))
              for m in meta.get("limits", ())),
        tuple(int(i) for i in meta.get("variant", ())), files)


def _slot_rank(slot: str) -> tuple[int, int, int]:
    """Catalogue order: name, bio, about, fields (by number, name before value), pinned."""
    from generator.catalogue import SLOTS

    if slot.startswith("field-"):
        _, number, part = slot.split("-")
        return (SLOTS.index("fields"), int(number), 0 if part == "name" else 1)
    return (SLOTS.index(slot) if slot in SLOTS else len(SLOTS), 0, 0)


def _read_current(path: str, sha256: str | None, name: str, stats: StatCache | None = None
                  ) -> bytes | None:
    """The file's bytes if it is a regular file (not a symlink) whose hash is ``sha256``;
    ``stats``, if given, then records it under ``name`` (its path in output/).

    Plain ``os.read`` calls: a rebuild reads tens of thousands of small files, and a
    Python file object costs four times as much as the reading itself.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode):
            return None
        data = os.read(fd, info.st_size + 1)
        if len(data) != info.st_size:  # grown, shrunk or a short read: read to the end
            data += b"".join(iter(lambda: os.read(fd, 1 << 16), b""))
    except OSError:
        return None
    finally:
        os.close(fd)
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    if stats is not None:
        stats.record(name, info, sha256)
    return data


def _build_languages(project: Project, profiles: Profiles) -> tuple[str, ...]:
    wanted = project.settings.languages
    org = profiles.organisation.languages
    return tuple(lang for lang in org if not wanted or lang in wanted)


def add_channel(result: BuildResult, rendered: ChannelTexts, selection: Selection) -> None:
    for text in rendered.texts:
        if not any(selection.language(lang) for lang in text.languages):
            continue
        result.texts.append(text)
        result.add(text.path, text.text, text.metadata())
    for statement in rendered.statements:
        result.statements.append(statement)
        result.add(statement.path, statement.markdown, {
            "kind": "statement", "channel": statement.channel,
            "language": statement.language, "commitments": list(statement.commitments),
        })


def selected_paths(selection: Selection) -> Callable[[str], bool] | None:
    return None if selection.everything else selection.path


def _check_words(lang: str, words: dict[str, Any], templates: Templates,
                 problems: Problems) -> None:
    """A language file must word every built-in rule, action and disclaimer."""
    from generator.model import ACTIONS, DISCLAIMERS, RULE_IDS

    path = templates.find(f"{lang}/language.yml")
    where = Location(templates.display(path) if path else f"templates/{lang}/language.yml")
    for section, ids in (("rules", RULE_IDS), ("actions", ACTIONS),
                         ("disclaimers", DISCLAIMERS)):
        table = words.get(section)
        missing = [i for i in ids if not isinstance(table, dict) or i not in table]
        if missing:
            problems.error(where, f"{section} has no text for: {', '.join(missing)}",
                           f"add them under {section}: in the language file")


def write_output(project: Project, selection: Selection = Selection(),
                 problems: Problems | None = None) -> tuple[Plan, ApplyResult]:
    """Build, then make output/ match (``serve`` rebuilds with this)."""
    return write_result(project, build(project, selection, problems), selection)


def write_result(project: Project, result: BuildResult, selection: Selection = Selection(),
                 stager: Stager | None = None) -> tuple[Plan, ApplyResult]:
    """Make output/ match a build result: only changed files are written (those the
    build's ``stager`` wrote already are only renamed into place)."""
    from generator.chunkcache import cache_dir
    from generator.plan import make_plan
    from generator.statcache import remember_manifest, written_manifest
    from generator.writer import apply_plan

    cache = cache_dir(project.root)
    plan = make_plan(project.output_dir, result.files, result.metadata, result.inputs,
                     selected=selected_paths(selection), current=result.current,
                     staged=stager.staged if stager is not None else None,
                     disk=stager.disk if stager is not None else None,
                     written=written_manifest(cache, project.output_dir))
    with collector.paused():
        applied = apply_plan(plan, project.output_dir)
    remember_manifest(cache, project.output_dir, plan.new_manifest_bytes)
    return plan, applied
