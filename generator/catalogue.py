"""The platform catalogue: slots, limits and counting rules, read from data files.

The built-in catalogue is ``generator/data/platforms.yml``; a project may add or override
platforms in ``<profiles>/platforms.yml`` (merged key by key) without touching Python.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import Location, Problems
from generator.schema import (
    MISSING,
    Bool,
    Choice,
    Context,
    Int,
    ListOf,
    OneOf,
    Record,
    Spec,
    Str,
    merge,
    spec_field,
)
from generator.yamlload import LocatedDict, YamlError, load_file

if TYPE_CHECKING:
    from generator.project import Project

BUILTIN = Path(__file__).parent / "data" / "platforms.yml"
COUNT_RULES = ("code_points", "utf16", "graphemes", "utf8_bytes", "x_weighted",
               "mastodon_note", "strictest")
SLOTS = ("name", "bio", "about", "fields", "pinned")
CONFIDENCE = ("documented", "secondary", "unknown")


@dataclass(frozen=True, kw_only=True)
class Limit:
    max: int = spec_field(Int(minimum=1), "The most the platform accepts.")
    count: tuple[str, ...] = spec_field(
        OneOf(Choice(COUNT_RULES), ListOf(Choice(COUNT_RULES), min_items=1),
              wrap_scalar=lambda rule: (rule,)),
        "How the platform counts; a list means the largest of those counts.")

    @property
    def rule_name(self) -> str:
        return " or ".join(self.count) if len(self.count) > 1 else self.count[0]


@dataclass(frozen=True, kw_only=True)
class Slot:
    name: str = spec_field(Str(), "The slot id (the key).", default="")
    limits: tuple[Limit, ...] = spec_field(ListOf(Record(Limit)), "Length limits.",
                                           factory=tuple)
    items: int = spec_field(Int(minimum=1, maximum=20), "How many entries (profile fields).",
                            default=1)
    line_breaks: bool = spec_field(Bool(), "Whether line breaks are kept.", default=False)
    links: bool = spec_field(Bool(), "Whether a URL becomes a link.", default=False)
    confidence: str = spec_field(Choice(CONFIDENCE), "How sure the numbers are.")
    source: str = spec_field(Str(), "Where the numbers come from.")
    note: str = spec_field(Str(), "What a user should know.", default="")

    def with_limit(self, maximum: int) -> Slot:
        """A copy whose first limit is ``maximum``, for a channel's own override."""
        if not self.limits:
            return self
        first = Limit(max=maximum, count=self.limits[0].count)
        return dataclasses.replace(self, limits=(first, *self.limits[1:]))


class _SlotMap(Spec):
    def type_name(self) -> str:
        return "a mapping of slot names (" + ", ".join(SLOTS) + ") to slots"

    def check(self, value: Any, loc: Location, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return self._wrong_type(value, loc, ctx)
        result: dict[str, Slot] = {}
        for key, raw in value.items():
            where = value.key_at(key) if isinstance(value, LocatedDict) else loc
            if Choice(SLOTS).check(key, where, ctx) is MISSING:
                continue
            slot = SLOT.check(raw, value.value_at(key) if isinstance(value, LocatedDict)
                              else loc, ctx)
            if slot is not MISSING:
                result[key] = dataclasses.replace(slot, name=key)
        return {name: result[name] for name in SLOTS if name in result}

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object"}


@dataclass(frozen=True, kw_only=True)
class Platform:
    id: str = spec_field(Str(), "The platform id (the key).", default="")
    name: str = spec_field(Str(), "The platform's name.")
    kind: str = spec_field(
        Choice(("social_network", "microblog", "sharing_media", "blog", "forum", "wiki",
                "other")), "The guide's channel kind.")
    profile_url: str = spec_field(Str(), "Pattern of a profile's address.", default="")
    status: str = spec_field(Choice(("active", "closed", "renamed")),
                             "Whether the platform still exists under this name.",
                             default="active")
    renamed_to: str | None = spec_field(Str(), "The platform's new id, when renamed.",
                                        default=None)
    slots: Mapping[str, Slot] = spec_field(_SlotMap(), "The profile text slots.")


SLOT = Record(Slot)
PLATFORM = Record(Platform)


@dataclass(frozen=True)
class Catalogue:
    platforms: Mapping[str, Platform]
    digest: str

    def get(self, platform_id: str) -> Platform | None:
        return self.platforms.get(platform_id)


def _sources(project_file: Path | None, display: str) -> list[tuple[Path, str]]:
    sources = [(BUILTIN, "<built-in>/platforms.yml")]
    if project_file is not None and project_file.is_file():
        sources.append((project_file, display))
    return sources


def catalogue_digest(project_file: Path | None) -> str:
    """The catalogue's input hash, as :func:`load_catalogue` records it, without parsing."""
    digest = hashlib.sha256()
    for path, _ in _sources(project_file, ""):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def project_catalogue(project: Project, problems: Problems) -> Catalogue:
    """The catalogue a project uses: built-in platforms plus ``<profiles>/platforms.yml``."""
    own = project.profiles_dir / "platforms.yml"
    return load_catalogue(own, project.display(own), problems)


def load_catalogue(project_file: Path | None, display: str, problems: Problems) -> Catalogue:
    """The built-in catalogue merged with a project's own ``platforms.yml``, if any."""
    sources = _sources(project_file, display)
    merged: Any = LocatedDict()
    digest = hashlib.sha256()
    for path, name in sources:
        digest.update(path.read_bytes())
        try:
            raw = load_file(path, name)
        except YamlError as exc:
            problems.extend([exc.problem])
            continue
        if not isinstance(raw, dict):
            problems.error(Location(name, 1, 1), "expected a mapping of platform ids")
            continue
        merged = merge(merged, raw)
    ctx = Context(problems)
    platforms: dict[str, Platform] = {}
    for platform_id in sorted(merged):
        raw = merged[platform_id]
        platform = PLATFORM.check(raw, merged.value_at(platform_id), ctx)
        if platform is not MISSING:
            platforms[platform_id] = dataclasses.replace(platform, id=platform_id)
    return Catalogue(platforms, digest.hexdigest())
