"""How channel files are listed and named in messages and input hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.profiles import _displayed_channel_files, _displayer


def _layout(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    """(profiles folder, project root) for each way a project may lay its files out."""
    root = tmp_path / "project"
    profiles = root / "profiles"
    channels = profiles / "channels"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "linked folder":
        (elsewhere / "channels").mkdir()
        profiles.mkdir(parents=True)
        channels.symlink_to(elsewhere / "channels", target_is_directory=True)
    elif kind == "outside the project":
        root.mkdir()
        profiles = elsewhere / "profiles"
        channels = profiles / "channels"
        channels.mkdir(parents=True)
    elif kind == "profiles are the root":
        root = profiles
        channels.mkdir(parents=True)
    else:
        channels.mkdir(parents=True)
    for name in ("b.yml", "a.yml", "c.yaml", "notes.txt"):
        (channels / name).write_text("platform: x\n", encoding="utf-8")
    (elsewhere / "shared.yml").write_text("platform: x\n", encoding="utf-8")
    (channels / "linked.yml").symlink_to(elsewhere / "shared.yml")
    return profiles, root


@pytest.mark.parametrize("kind", ["plain", "linked folder", "outside the project",
                                  "profiles are the root"])
def test_channel_files_are_named_as_each_path_would_be(tmp_path: Path, kind: str) -> None:
    profiles, root = _layout(tmp_path, kind)
    listed = _displayed_channel_files(profiles, root)
    display = _displayer(profiles, root)
    assert [path.name for path, _ in listed] == ["a.yml", "b.yml", "c.yaml", "linked.yml"]
    assert [name for _, name in listed] == [display(path) for path, _ in listed]
    if kind == "plain":
        assert listed[0][1] == "profiles/channels/a.yml"
        # a link out of the project is named by its own path, not its target's
        assert listed[-1][1] == str(profiles / "channels" / "linked.yml")


@pytest.mark.parametrize("name", [
    "profiles/channels/facebook.yml", "channels/a.b.yml", "profiles/organisation.yml",
    ".hidden", "x", "dir.d/x", "..yml", "a.", ".a.yml", "...", "a/b.", "/abs/path/c.yaml"])
def test_stems_of_input_names_are_as_pathlib_gives_them(name: str) -> None:
    from pathlib import PurePosixPath

    from generator.build import _stem

    assert _stem(name) == PurePosixPath(name).stem
