"""The on-disk Markdown cache: used when present, harmless when broken, off when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import markup
from generator.build import BuildResult, build
from generator.chunkcache import CACHE_ENV, ChunkStore, cache_dir, key
from generator.errors import Problems
from generator.project import load_project
from tests.conftest import copy_project


def _build(root: Path) -> BuildResult:
    problems = Problems()
    return build(load_project(root / "kanalprofil.yml", problems), problems=problems)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def counted(cache: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many chunks Python-Markdown really converted, with the in-memory cache empty."""
    markup._CHUNKS.clear()
    calls: list[int] = []
    real = markup._convert_many

    def convert_many(parts: list[str]) -> list[str]:
        calls.append(len(parts))
        return real(parts)

    monkeypatch.setattr(markup, "_convert_many", convert_many)
    return calls


def test_a_second_build_converts_nothing_it_already_converted(
        tmp_path: Path, counted: list[int], cache: Path) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    first = _build(root)
    converted_first = sum(counted)
    folder = cache
    assert (folder / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert converted_first > 0  # the chunks the shortcut declines (fastmarkdown)
    counted.clear()
    markup._CHUNKS.clear()  # as in a new process: only the file remembers
    second = _build(root)
    assert sum(counted) == 0
    assert second.files == first.files


def test_turned_off_it_writes_no_folder(tmp_path: Path, counted: list[int],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    root = copy_project(tmp_path / "project", with_output=False)
    _build(root)
    assert not (tmp_path / "cache").exists()
    assert cache_dir(root) is None
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "elsewhere"))
    assert cache_dir(root) == tmp_path / "elsewhere"


def test_by_default_it_is_in_the_users_cache_folder_one_per_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never inside the project, where a pull request could bring a poisoned cache."""
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    one, two = tmp_path / "a" / "project", tmp_path / "b" / "project"
    first, second = cache_dir(one), cache_dir(two)
    assert first is not None and second is not None and first != second
    assert first.parent == tmp_path / "xdg" / "kanalprofil"
    assert first.name.startswith("project-")
    assert cache_dir(one) == first  # stable
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "relative/home")
    assert cache_dir(one) is None  # never a folder relative to wherever the build runs


def test_a_broken_cache_file_only_costs_time(tmp_path: Path, counted: list[int],
                                             cache: Path) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    expected = _build(root).files
    for path in cache.glob("markdown-*"):
        path.write_bytes(b"this is not a database" * 100)
    markup._CHUNKS.clear()
    assert _build(root).files == expected
    counted.clear()
    markup._CHUNKS.clear()
    assert _build(root).files == expected
    assert sum(counted) == 0  # the broken file was replaced by a working one


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path, counted: list[int],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    root = copy_project(tmp_path / "project", with_output=False)
    assert _build(root).files


def test_files_of_other_versions_are_removed(tmp_path: Path) -> None:
    old = ChunkStore(tmp_path, "an old version")
    old.put_many({key("# A"): "<h1>A</h1>"})
    old.close()
    assert old.path.exists()
    new = ChunkStore(tmp_path, "a new version")
    assert new.get_many([key("# A")]) == {}
    new.close()
    assert not old.path.exists() and new.path.exists()


def test_a_cache_locked_by_another_build_is_left_alone(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Locked is not damaged: this build goes on without it, and deletes nothing."""
    import sqlite3
    from contextlib import closing

    from generator import chunkcache

    monkeypatch.setattr(chunkcache, "_TIMEOUT", 0.05)
    store = ChunkStore(tmp_path, "v")
    tmp_path.mkdir(exist_ok=True)
    with closing(sqlite3.connect(store.path, isolation_level=None)) as other:
        other.execute("CREATE TABLE chunks (key BLOB PRIMARY KEY, html TEXT NOT NULL) "
                      "WITHOUT ROWID")
        other.execute("INSERT INTO chunks VALUES (?, ?)", (key("# A"), "<h1>A</h1>"))
        other.execute("BEGIN EXCLUSIVE")  # e.g. another build, mid-write
        assert store.get_many([key("# A")]) == {}
        store.close()
        other.execute("ROLLBACK")
    assert store.path.exists()
    later = ChunkStore(tmp_path, "v")
    assert later.get_many([key("# A")]) == {key("# A"): "<h1>A</h1>"}
    later.close()


def test_store_round_trip_in_batches_larger_than_sqlite_allows(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path, "v")
    items = {key(f"chunk {n}"): f"<p>chunk {n}</p>" for n in range(2500)}
    store.put_many(items)
    assert store.get_many(items) == items
    store.close()


def test_templates_are_compiled_once_across_builds(tmp_path: Path, cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    root = copy_project(tmp_path / "project", with_output=False)
    compiled: list[str] = []
    real = SandboxedEnvironment.compile

    def compile_counting(self: SandboxedEnvironment, source: object, name: str | None = None,
                         *args: object, **kwargs: object) -> object:
        compiled.append(str(name))
        return real(self, source, name, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(SandboxedEnvironment, "compile", compile_counting)
    first = _build(root)
    assert compiled
    assert any(cache.glob("jinja2-*-text/*.cache"))
    compiled.clear()
    assert _build(root).files == first.files
    assert compiled == []
    # an edited template is compiled again, and only that one
    bio = root / "templates" / "en" / "bio.txt.j2"
    bio.write_text(bio.read_text(encoding="utf-8") + "{# edited #}\n", encoding="utf-8")
    _build(root)
    assert compiled == ["en/bio.txt.j2"]


def test_a_damaged_compiled_template_is_compiled_again(tmp_path: Path, cache: Path) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    first = _build(root).files
    for path in cache.glob("jinja2-*/*.cache"):
        path.write_bytes(b"garbage")
    assert _build(root).files == first


def test_a_cache_file_grown_too_large_starts_again(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import chunkcache

    store = ChunkStore(tmp_path, "v")
    store.put_many({key(f"# {n}"): "<h1>x</h1>" * 100 for n in range(200)})
    store.close()
    size = store.path.stat().st_size
    monkeypatch.setattr(chunkcache, "MAX_BYTES", size - 1)
    again = ChunkStore(tmp_path, "v")
    assert again.get_many([key("# 1")]) == {}
    again.put_many({key("# new"): "<h1>new</h1>"})
    again.close()
    assert again.path.stat().st_size < size


def test_pages_that_list_every_channel_are_not_cached_whole(tmp_path: Path) -> None:
    """Their chunks are; the whole page differs after any change, so it would pile up."""
    import sqlite3
    from contextlib import closing

    root = copy_project(tmp_path / "project", with_output=False)
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    cache = cache_dir(project.root)
    assert cache is not None
    files = build(project, problems=problems).files
    (database,) = cache.glob("markdown-*.sqlite3")
    with closing(sqlite3.connect(database)) as connection:
        stored = {html for (html,) in connection.execute("SELECT html FROM chunks")}
    title = files["site/nb/overview.md"].decode("utf-8").splitlines()[0].lstrip("# ")
    assert not any(html.startswith(f"<h1>{title}</h1>") and "<h2>" in html
                   for html in stored)
    statement = files["channels/facebook/nb/statement.md"].decode("utf-8")
    assert any(html.startswith("<h1>" + statement.splitlines()[0].lstrip("# "))
               and "<h2>" in html for html in stored)  # statements are kept whole


@pytest.mark.parametrize("name", ["jinja2", "markupsafe", "babel", "nh3", "markdown"])
def test_library_versions_are_the_installed_ones(name: str) -> None:
    from importlib.metadata import version

    from generator.chunkcache import library_version

    assert library_version(name) == version(name)


def test_a_library_without_a_version_attribute_is_asked_of_its_metadata(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import types
    from importlib.metadata import version

    from generator.chunkcache import library_version

    monkeypatch.setattr(importlib, "import_module", lambda name: types.ModuleType(name))
    assert library_version("jinja2") == version("jinja2")


def test_a_library_without_a_version_attribute_is_named_by_its_dist_info(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import types

    from generator.chunkcache import library_version

    (tmp_path / "fakelib").mkdir()
    (tmp_path / "fakelib" / "__init__.py").write_text("")
    (tmp_path / "fakelib-1.2.3.dist-info").mkdir()
    (tmp_path / "other_lib-9.dist-info").mkdir()
    module = types.ModuleType("fakelib")
    module.__file__ = str(tmp_path / "fakelib" / "__init__.py")
    monkeypatch.setattr(importlib, "import_module", lambda name: module)
    assert library_version("fakelib") == "1.2.3"
