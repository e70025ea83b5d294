"""Nothing internal (owner, review dates, notes) ever appears in a public file."""

from __future__ import annotations

from generator.build import build
from generator.errors import Problems
from generator.project import load_project
from tests.conftest import ROOT


def test_no_internal_value_in_channels_or_site() -> None:
    problems = Problems()
    result = build(load_project(ROOT / "kanalprofil.yml", problems), problems=problems)
    assert result.profiles is not None
    secrets: set[str] = set()
    for channel in result.profiles.channels:
        if channel.owner:
            secrets.update(channel.owner.values())
        if channel.notes:
            secrets.add(channel.notes)
        if channel.last_reviewed:
            secrets.add(channel.last_reviewed.isoformat())
    assert secrets
    public = {p: c.decode() for p, c in result.files.items()
              if p.startswith(("channels/", "site/")) or p == "index.html"}
    assert public
    for path, text in public.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {path}"
    internal = "".join(c.decode() for p, c in result.files.items() if p.startswith("internal/"))
    owners = {name for c in result.profiles.channels if c.owner for name in c.owner.values()}
    assert owners and all(owner in internal for owner in owners)
