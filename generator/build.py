"""From a project to every generated file, in memory: ``{path: bytes}`` plus metadata.

Nothing here writes to disk except ``write_output``: ``build``, ``check``, ``diff``,
``show`` and ``serve`` all start from the same in-memory result, so what ``check``
compares is exactly what ``build`` (and every rebuild of ``serve``) writes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.catalogue import load_catalogue
from generator.errors import Location, Problems
from generator.localise import Localiser, make_localiser
from generator.profiles import PLATFORMS_FILE, Profiles, load_profiles
from generator.project import Project
from generator.render import ChannelTexts, Renderer, Statement, Text
from generator.templating import Templates

if TYPE_CHECKING:
    from generator.plan import Plan
    from generator.writer import ApplyResult


@dataclass
class BuildResult:
    files: dict[str, bytes] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    texts: list[Text] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    profiles: Profiles | None = None

    def add(self, path: str, content: str, metadata: dict[str, Any] | None = None) -> None:
        """Store text the deterministic way: NFC, LF, one final newline, UTF-8."""
        text = unicodedata.normalize("NFC", content.replace("\r\n", "\n"))
        if not text.endswith("\n"):
            text += "\n"
        self.files[path] = text.encode("utf-8")
        if metadata is not None:
            self.metadata[path] = metadata


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


def prepare(project: Project, problems: Problems) -> tuple[Templates, Renderer | None,
                                                          Profiles | None, dict[str, str]]:
    """Load catalogue, templates and profiles; the renderer is None when they are invalid."""
    templates = Templates(project.templates_dir)
    catalogue = load_catalogue(project.profiles_dir / PLATFORMS_FILE,
                               project.display(project.profiles_dir / PLATFORMS_FILE),
                               problems)
    profiles = load_profiles(project.profiles_dir, project.root, catalogue,
                             set(templates.languages()), problems)
    inputs = {"catalogue": catalogue.digest, "templates": templates.digest(),
              "project": project.digest, "tool": __version__}
    if profiles is None:
        return templates, None, None, inputs
    inputs.update(profiles.digests)
    from generator.checks import report_checks, run_checks, validate_settings

    validate_settings(project.settings,
                      Location(project.display(project.config_file or project.root)), problems)
    report_checks(run_checks(profiles, catalogue, project.settings), project.settings,
                  problems)
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
          problems: Problems | None = None,
          profile_languages: Mapping[str, tuple[str, ...]] | None = None) -> BuildResult:
    """Render everything the selection covers; raise InputError listing every problem.

    ``profile_languages`` renders a channel's profile texts in other languages than its
    own, for ``show`` (a preview of a language the profile does not use yet).
    """
    problems = problems if problems is not None else Problems()
    _, renderer, profiles, inputs = prepare(project, problems)
    problems.raise_if_errors()
    assert renderer is not None and profiles is not None
    result = BuildResult(inputs=inputs, profiles=profiles)
    languages = tuple(lang for lang in _build_languages(project, profiles)
                      if selection.language(lang))
    from generator.pages import add_pages, add_statement_html

    for channel in profiles.channels:
        if not selection.channel(channel.id):
            continue
        if profile_languages and channel.id in profile_languages:
            channel = replace(channel, languages=profile_languages[channel.id])
        rendered = renderer.render_channel(channel, languages)
        _add_channel(result, rendered, selection)
        for statement in rendered.statements:
            add_statement_html(result, renderer, statement, languages)
    if not selection.channels:
        add_pages(result, renderer, profiles, languages,
                  project.settings.review_max_age_months)
    if selection.everything:
        from generator.preview import add_preview

        add_preview(result, renderer, profiles, languages)
    problems.raise_if_errors(strict=project.settings.strict)
    return result


def _build_languages(project: Project, profiles: Profiles) -> tuple[str, ...]:
    wanted = project.settings.languages
    org = profiles.organisation.languages
    return tuple(lang for lang in org if not wanted or lang in wanted)


def _add_channel(result: BuildResult, rendered: ChannelTexts, selection: Selection) -> None:
    for text in rendered.texts:
        if not any(selection.language(lang) for lang in text.languages):
            continue
        result.texts.append(text)
        path = f"channels/{text.channel}/{'+'.join(text.languages)}/{text.slot}.txt"
        result.add(path, text.text, text.metadata())
    for statement in rendered.statements:
        result.statements.append(statement)
        base = f"channels/{statement.channel}/{statement.language}/statement"
        result.add(f"{base}.md", statement.markdown, {
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


def write_result(project: Project, result: BuildResult,
                 selection: Selection = Selection()) -> tuple[Plan, ApplyResult]:
    """Make output/ match a build result: only changed files are written."""
    from generator.plan import make_plan
    from generator.writer import apply_plan

    plan = make_plan(project.output_dir, result.files, result.metadata, result.inputs,
                     selected=selected_paths(selection))
    return plan, apply_plan(plan, project.output_dir)
