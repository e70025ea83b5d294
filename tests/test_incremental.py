"""Incremental builds: what is taken from output/ must be exactly what a full build makes."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import BuildResult, build, input_digests, prepare
from generator.cli import main
from generator.errors import Problems
from generator.manifest import load_manifest
from generator.project import Project, load_project
from tests.conftest import copy_project, snapshot


def _project(root: Path) -> Project:
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    problems.raise_if_errors()
    return project


def _cli(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(root / "kanalprofil.yml")])
    return result.exit_code, result.output


def _built(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "project", with_output=False)
    assert _cli(root, "build")[0] == 0
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _assert_same_as_full(root: Path) -> BuildResult:
    project = _project(root)
    incremental = build(project, reuse_from=project.output_dir)
    full = build(project)
    assert incremental.files == full.files
    assert {p: m for p, m in incremental.metadata.items() if m} == \
        {p: m for p, m in full.metadata.items() if m}
    assert incremental.inputs == full.inputs
    return incremental


def test_input_digests_are_the_ones_prepare_records(tmp_path: Path) -> None:
    project = _project(copy_project(tmp_path / "project"))
    assert input_digests(project) == prepare(project, Problems())[3]


def test_nothing_changed_renders_nothing_and_writes_nothing(tmp_path: Path) -> None:
    root = _built(tmp_path)
    before = snapshot(root / "output")
    project = _project(root)
    result = build(project, reuse_from=project.output_dir)
    assert result.reuse is not None and result.reuse.nothing_rendered
    assert not result.reuse.checked
    assert result.files == build(project).files
    code, output = _cli(root, "build")
    assert code == 0 and "up to date" in output
    assert snapshot(root / "output") == before


def test_strict_projects_still_run_the_checks_when_nothing_changed(tmp_path: Path) -> None:
    root = _built(tmp_path)
    _edit(root / "kanalprofil.yml", "strict: false", "strict: true")
    assert _cli(root, "build")[0] == 0
    project = _project(root)
    result = build(project, reuse_from=project.output_dir)
    assert result.reuse is not None and result.reuse.checked and result.reuse.nothing_rendered


def test_one_channel_changed_renders_it_and_channels_that_link_to_it(tmp_path: Path) -> None:
    root = _built(tmp_path)
    # youtube sends questions to facebook (response.go_to)
    _edit(root / "profiles/channels/facebook.yml", "handle: fjordetaten", "handle: fjordetaten.no")
    result = _assert_same_as_full(root)
    assert result.reuse is not None
    assert set(result.reuse.rendered) == {"facebook", "youtube"}
    assert result.reuse.pages
    assert "linkedin" in result.reuse.reused


def test_successor_changed_renders_the_retired_channel(tmp_path: Path) -> None:
    root = _built(tmp_path)
    _edit(root / "profiles/channels/bluesky.yml", "handle: fjordetaten.bsky.social",
          "handle: fjordetaten.example")
    result = _assert_same_as_full(root)
    assert result.reuse is not None and {"bluesky", "x"} <= set(result.reuse.rendered)


@pytest.mark.parametrize(("path", "old", "new"), [
    ("profiles/organisation.yml", '"+47 22 00 00 00"', '"+47 22 00 00 01"'),
    ("templates/en/bio.txt.j2", "{% block", "{#- edited -#}\n{% block"),
])
def test_shared_input_changed_renders_everything(tmp_path: Path, path: str, old: str,
                                                 new: str) -> None:
    root = _built(tmp_path)
    _edit(root / path, old, new)
    result = _assert_same_as_full(root)
    assert result.reuse is None


def test_channel_added_and_removed(tmp_path: Path) -> None:
    root = _built(tmp_path)
    channels = root / "profiles/channels"
    (channels / "instagram.yml").rename(channels / "instagram-sor.yml")
    _assert_same_as_full(root)
    assert _cli(root, "build")[0] == 0
    assert not (root / "output/channels/instagram").exists()
    assert (root / "output/channels/instagram-sor").is_dir()


def test_cli_build_after_a_change_equals_a_fresh_full_build(tmp_path: Path) -> None:
    root = _built(tmp_path)
    _edit(root / "profiles/channels/linkedin.yml", "activity: {posts: 1, per: week}",
          "activity: {posts: 2, per: week}")
    assert _cli(root, "build")[0] == 0
    fresh = copy_project(tmp_path / "fresh", with_output=False)
    for name in ("profiles", "templates"):
        for path in (root / name).rglob("*"):
            if path.is_file():
                (fresh / path.relative_to(root)).write_bytes(path.read_bytes())
    assert _cli(fresh, "build")[0] == 0
    assert snapshot(root / "output") == snapshot(fresh / "output")


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_check_catches_a_hand_edited_or_deleted_file(tmp_path: Path, damage: str) -> None:
    root = _built(tmp_path)
    target = root / "output/channels/facebook/nb/bio.txt"
    if damage == "edit":
        target.write_text("Hand-edited.\n", encoding="utf-8")
    else:
        target.unlink()
    code, output = _cli(root, "check")
    assert code == 1, output
    assert "channels/facebook/nb/bio.txt" in output
    assert _cli(root, "build")[0] == 0
    assert _cli(root, "check")[0] == 0


def test_a_hand_edited_page_is_rendered_again(tmp_path: Path) -> None:
    root = _built(tmp_path)
    page = root / "output/site/en/overview.html"
    page.write_text("<p>changed</p>\n", encoding="utf-8")
    project = _project(root)
    result = build(project, reuse_from=project.output_dir)
    assert result.reuse is not None and result.reuse.pages and not result.reuse.rendered
    assert _cli(root, "check")[0] == 1


def test_filtered_build_keeps_the_old_input_hashes(tmp_path: Path) -> None:
    root = _built(tmp_path)
    old_inputs = dict(load_manifest(root / "output")[0].inputs)
    _edit(root / "profiles/channels/linkedin.yml", "activity: {posts: 1, per: week}",
          "activity: {posts: 3, per: week}")
    _edit(root / "profiles/channels/facebook.yml", "handle: fjordetaten", "handle: fjordetaten.no")
    assert _cli(root, "build", "--channel", "facebook")[0] == 0
    assert dict(load_manifest(root / "output")[0].inputs) == old_inputs
    code, output = _cli(root, "check")
    assert code == 1 and "linkedin" in output
    assert _cli(root, "build")[0] == 0
    assert _cli(root, "check")[0] == 0


def test_no_reuse_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _built(tmp_path)
    monkeypatch.setenv("KANALPROFIL_NO_REUSE", "1")
    project = _project(root)
    assert build(project, reuse_from=project.output_dir).reuse is None


def test_files_taken_from_output_are_not_read_again_by_the_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.plan
    from generator.build import write_result

    root = _built(tmp_path)
    (root / "output" / "site" / "en" / "overview.md").write_text("edited by hand\n")
    project = _project(root)
    result = build(project, reuse_from=project.output_dir)
    reads: list[str] = []
    real = generator.plan._read

    def counting_read(output_dir: Path, path: str) -> bytes:
        reads.append(path)
        return real(output_dir, path)

    monkeypatch.setattr(generator.plan, "_read", counting_read)
    plan, _ = write_result(project, result)
    assert reads and all(not path.startswith("channels/") for path in reads)
    assert [c.path for c in plan.updates] == ["site/en/overview.md"]


def _settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (tests build in milliseconds)."""
    import generator.statcache

    monkeypatch.setattr(generator.statcache, "SETTLED_NS", 0)


def _reads_of_a_rebuild(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import generator.build

    reads: list[str] = []
    real = generator.build._read_current

    def counting(path: str, *args: object) -> bytes | None:
        reads.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(generator.build, "_read_current", counting)
        project = _project(root)
        build(project, reuse_from=project.output_dir)
    return reads


def test_a_rebuild_does_not_read_files_not_written_since_they_were_hashed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _settled_at_once(monkeypatch)
    root = _built(tmp_path)
    first = _reads_of_a_rebuild(root, monkeypatch)  # hashes every file, and records it
    assert any(path.endswith(".html") for path in first)
    assert _reads_of_a_rebuild(root, monkeypatch) == []  # nothing changed: nothing read
    _edit(root / "profiles/channels/facebook.yml", "handle: fjordetaten", "handle: fjordetaten.no")
    # texts and statements are read back only for a preview card rendered again, and
    # then through the build's files (see test_a_rebuild_reads_..._for_a_card_it_renders)
    assert _reads_of_a_rebuild(root, monkeypatch) == []
    _assert_same_as_full(root)


def _read_back(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements and texts a build reads back from disk (for the preview)."""
    from generator.outputfiles import OutputFiles

    reads: list[str] = []
    real = OutputFiles.__getitem__

    def counting(self: OutputFiles, path: str) -> bytes:
        if path.endswith(("/statement.md", ".txt")) and self.on_disk(path):
            reads.append(path)
        return real(self, path)

    with monkeypatch.context() as patched:
        patched.setattr(OutputFiles, "__getitem__", counting)
        assert _cli(root, "build")[0] == 0
    return reads


def test_a_rebuild_reads_texts_and_statements_back_only_for_a_card_it_renders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preview cards are keyed by their texts' and statements' hashes: a card found in
    the fragment cache needs no text, one rendered again reads its files back."""
    import os

    _settled_at_once(monkeypatch)
    root = _built(tmp_path)
    _reads_of_a_rebuild(root, monkeypatch)  # records every file's stat and hash
    _edit(root / "profiles/channels/facebook.yml", "handle: fjordetaten", "handle: fjordetaten.no")
    assert _read_back(root, monkeypatch) == []
    for fragments in Path(os.environ["KANALPROFIL_CACHE_DIR"]).glob("fragments-*"):
        fragments.unlink()  # every card is rendered again
    _edit(root / "profiles/channels/facebook.yml", "handle: fjordetaten.no", "handle: fjordetaten")
    reads = _read_back(root, monkeypatch)
    assert "channels/linkedin/nb/statement.md" in reads
    assert reads.count("channels/linkedin/nb+en/bio.txt") == 1  # read once, not per use
    assert not any(path.startswith("channels/facebook/") for path in reads)  # rendered now
    monkeypatch.setenv("KANALPROFIL_CACHE_DIR", "off")
    full = build(_project(root))  # every card rendered from statements rendered now
    assert (root / "output/index.html").read_bytes() == full.files["index.html"]


def test_a_hand_edit_that_keeps_size_and_modification_time_is_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    _settled_at_once(monkeypatch)
    root = _built(tmp_path)
    _reads_of_a_rebuild(root, monkeypatch)  # records every file's stat and hash
    page = root / "output/site/en/overview.html"
    info = page.stat()
    data = page.read_bytes()
    page.write_bytes(data.replace(b"<h1>", b"<h2>", 1))
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert page.stat().st_size == info.st_size and page.stat().st_mtime_ns == info.st_mtime_ns
    assert _cli(root, "check")[0] == 1
    assert _cli(root, "build")[0] == 0
    assert page.read_bytes() == data


@pytest.mark.parametrize("content", [
    b"", b"not a cache\n", b"\xff\xfe\x00garbage", b"kanalprofil stat cache 2\n\xff\x00",
    b"kanalprofil stat cache 2\n" + marshal.dumps([1, 2]),
    b"kanalprofil stat cache 2\n" + marshal.dumps({"a": (1, 2, 3, 4)}),
    b"kanalprofil stat cache 2\n" + marshal.dumps({"a": ("1", 2, 3, 4, "x")})])
def test_a_damaged_stat_cache_only_means_reading_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    import os

    _settled_at_once(monkeypatch)
    root = _built(tmp_path)
    _reads_of_a_rebuild(root, monkeypatch)
    caches = list(Path(os.environ["KANALPROFIL_CACHE_DIR"]).glob("output-stat-*.bin"))
    assert len(caches) == 1
    caches[0].write_bytes(content)
    assert any(path.endswith(".html") for path in _reads_of_a_rebuild(root, monkeypatch))
    _assert_same_as_full(root)


def test_a_file_written_just_now_is_not_trusted_by_its_stat(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _built(tmp_path)  # files written a moment ago: their change time is too recent
    _reads_of_a_rebuild(root, monkeypatch)
    assert any(path.endswith(".html") for path in _reads_of_a_rebuild(root, monkeypatch))


def test_a_file_is_taken_from_output_only_as_a_regular_file_with_its_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from generator.build import _read_current
    from generator.statcache import StatCache

    _settled_at_once(monkeypatch)
    data = "Vi svarar på kvardagar.\n".encode() * 5000  # more than one read's worth
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "bio.txt").write_bytes(data)
    (tmp_path / "link.txt").symlink_to(tmp_path / "bio.txt")
    (tmp_path / "folder").mkdir()
    stats = StatCache(tmp_path / "cache", tmp_path)  # files written before count as settled
    assert _read_current(str(tmp_path / "bio.txt"), sha, "bio.txt", stats) == data
    assert _read_current(str(tmp_path / "bio.txt"), "0" * 64, "bio.txt", stats) is None
    for name in ("link.txt", "folder", "missing.txt"):
        assert _read_current(str(tmp_path / name), sha, name, stats) is None, name
    assert stats.sha256("bio.txt", str(tmp_path / "bio.txt")) is None  # not saved yet
    stats.save()
    assert StatCache(tmp_path / "cache", tmp_path).sha256(
        "bio.txt", str(tmp_path / "bio.txt")) == sha


def test_a_rebuild_copies_unchanged_manifest_entries_only_from_its_own_manifest(
        tmp_path: Path) -> None:
    """Entries of the manifest kanalprofil wrote are copied, not spelt again; a manifest
    reformatted by hand is found by ``check`` and written out in full by ``build``."""
    import json

    from generator.manifest import MANIFEST_NAME, dump_manifest

    root = _built(tmp_path)
    full = tmp_path / "full"
    _edit(root / "profiles/channels/facebook.yml", "handle: fjordetaten", "handle: fjordetaten.no")
    assert _cli(root, "build")[0] == 0
    manifest = root / "output" / MANIFEST_NAME
    rebuilt = manifest.read_bytes()
    assert rebuilt == dump_manifest(load_manifest(root / "output")[0])
    full_root = copy_project(full, with_output=False)
    (full_root / "profiles/channels/facebook.yml").write_bytes(
        (root / "profiles/channels/facebook.yml").read_bytes())
    assert _cli(full_root, "build")[0] == 0
    assert (full_root / "output" / MANIFEST_NAME).read_bytes() == rebuilt

    manifest.write_text(json.dumps(json.loads(rebuilt), indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
    assert _cli(root, "check")[0] == 1
    assert _cli(root, "build")[0] == 0
    assert manifest.read_bytes() == rebuilt


def test_unchanged_profiles_are_not_read_and_a_same_size_edit_is_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Profiles are hashed by their stat too: a rebuild reads only the files it parses,
    and an edit that keeps a file's size and modification time is still seen."""
    import hashlib
    import os

    from generator import statcache

    _settled_at_once(monkeypatch)
    root = _built(tmp_path)
    assert _cli(root, "build")[0] == 0  # records every profile's stat and hash
    read: list[str] = []
    real = statcache.StatCache.hashed

    def hashed(self: statcache.StatCache, name: str, file: str) -> tuple[str, bytes | None]:
        found = real(self, name, file)
        if found[1] is not None:
            read.append(name)
        return found

    profile = root / "profiles/channels/facebook.yml"
    info = profile.stat()
    text = profile.read_text(encoding="utf-8")
    assert "handle: fjordetaten\n" in text
    profile.write_text(text.replace("handle: fjordetaten\n", "handle: fjordetatem\n"),
                       encoding="utf-8")
    os.utime(profile, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert profile.stat().st_size == info.st_size
    with monkeypatch.context() as patched:
        patched.setattr(statcache.StatCache, "hashed", hashed)
        assert _cli(root, "check")[0] == 1  # the edit is seen
        assert _cli(root, "build")[0] == 0
    assert read and all(name.endswith("facebook.yml") for name in read), read
    recorded = load_manifest(root / "output")[0].inputs["profiles/channels/facebook.yml"]
    assert recorded == hashlib.sha256(profile.read_bytes()).hexdigest()
    _assert_same_as_full(root)


def test_a_text_edited_while_a_rebuild_runs_stops_it_with_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text known by its stat is read when the preview needs it: if it changed since
    output/ was checked, the build says so instead of showing another text."""
    from generator.build import BuildResult, _previous
    from generator.errors import KanalprofilError
    from generator.texts import StoredText

    _settled_at_once(monkeypatch)
    root = _built(tmp_path)
    _reads_of_a_rebuild(root, monkeypatch)  # records every file's stat and hash
    project = _project(root)
    previous = _previous(project, project.output_dir)
    assert previous is not None
    bio = root / "output/channels/facebook/nb/bio.txt"
    bio.write_text("Edited while the build ran.\n", encoding="utf-8")
    taken = BuildResult()
    previous.take(taken, "facebook", restore=True)  # reads nothing yet
    stored = next(t for t in taken.texts if t.path == "channels/facebook/nb/bio.txt")
    assert isinstance(stored, StoredText)
    with pytest.raises(KanalprofilError, match="changed while kanalprofil was building"):
        stored.text  # noqa: B018 - reading it is the test
    previous = _previous(project, project.output_dir)  # a build started now sees it
    assert previous is not None and "facebook" in previous.damaged
