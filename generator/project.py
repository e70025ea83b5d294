"""The project file, ``kanalprofil.yml``: what belongs to the project, not to a channel.

Like ``mkdocs.yml`` it holds paths, the languages to build, how strict to be and the
settings of the checks. Every path is relative to the project file's folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Location, Problems
from generator.schema import (
    MISSING,
    Bool,
    Choice,
    Context,
    DictOf,
    Int,
    Language,
    ListOf,
    Record,
    Str,
    spec_field,
)
from generator.yamlload import LocatedDict, YamlError, load_file

PROJECT_FILE = "kanalprofil.yml"


@dataclass(frozen=True, kw_only=True)
class CheckSetting:
    severity: str = spec_field(Choice(("off", "warning", "error")),
                               "How the check reports: off, warning or error.",
                               default="warning")


@dataclass(frozen=True, kw_only=True)
class ProjectSettings:
    profiles_dir: str = spec_field(Str(), "Folder with organisation.yml and channels/.",
                                   default="profiles")
    templates_dir: str | None = spec_field(
        Str(), "Folder with your own templates; any file missing there comes from the "
        "built-in templates.", default=None, example="templates")
    output_dir: str = spec_field(Str(), "Folder the texts are written to.", default="output")
    languages: tuple[str, ...] = spec_field(
        ListOf(Language(), unique=True), "Build only these of the organisation's languages "
        "(default: all).", factory=tuple, example=["nb", "en"])
    preview_language: str | None = spec_field(
        Language(), "The language of the preview page's own words (output/index.html): "
        "labels, buttons, filters. One of the languages built (default: the first).",
        default=None, example="en")
    preview_statements: str = spec_field(
        Choice(("auto", "inline", "linked")), "How the preview page (output/index.html) "
        "shows each channel's statements: in its card (inline, about 8 KB a channel), as "
        "links to their own pages (linked), or inline up to 200 channels and linked above "
        "(auto).", default="auto", example="linked")
    strict: bool = spec_field(Bool(), "Treat warnings as errors (like --strict).",
                              default=False)
    review_max_age_months: int = spec_field(
        Int(minimum=1, maximum=120), "Warn when a channel's last_reviewed is older than "
        "this.", default=12)
    checks: Mapping[str, Any] = spec_field(
        DictOf(Str(), Record(CheckSetting)), "Per-check settings by check id, e.g. "
        "{review-overdue: {severity: error}}.", factory=dict)


PROJECT = Record(ProjectSettings, ignore=("$schema",))


@dataclass(frozen=True)
class Project:
    """A loaded project: settings plus absolute paths and the project file's hash."""

    root: Path
    settings: ProjectSettings
    config_file: Path | None
    digest: str
    #: Where each top-level setting's value is written, for messages about it.
    where: Mapping[str, Location] = field(default_factory=dict)

    def location(self, setting: str) -> Location:
        """The value of ``setting`` in the project file (or the file, if not written)."""
        return self.where.get(setting) or Location(
            self.display(self.config_file or self.root))

    @property
    def profiles_dir(self) -> Path:
        return self.root / self.settings.profiles_dir

    @property
    def output_dir(self) -> Path:
        return self.root / self.settings.output_dir

    @property
    def templates_dir(self) -> Path | None:
        if self.settings.templates_dir is None:
            return None
        return self.root / self.settings.templates_dir

    def display(self, path: Path) -> str:
        """A path as shown in messages: relative to the project when it is inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def load_project(config: Path | None, problems: Problems) -> Project:
    """Read ``config`` (or ``./kanalprofil.yml`` when present; defaults otherwise)."""
    path = config if config is not None else Path(PROJECT_FILE)
    if config is None and not path.is_file():
        return Project(Path.cwd(), ProjectSettings(), None, "")
    root = path.parent.resolve()
    display = path.name if config is None else str(path)
    if not path.is_file():
        problems.error(Location(display), "project file not found",
                       "check --config, or run `kanalprofil init` to create one")
        return Project(root, ProjectSettings(), None, "")
    try:
        raw = load_file(path, display)
    except YamlError as exc:
        problems.extend([exc.problem])
        return Project(root, ProjectSettings(), path, "")
    settings = PROJECT.check(raw, Location(display, 1, 1), Context(problems))
    if settings is MISSING:
        settings = ProjectSettings()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    where = {key: raw.value_at(key) for key in raw} if isinstance(raw, LocatedDict) else {}
    return Project(root, settings, path, digest, where)

