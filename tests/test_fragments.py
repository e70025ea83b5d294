"""The fragment cache: the same bytes with it cold, warm, off or broken; used; never stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from bench.synth import generate, touch_one_channel
from generator import fragments
from generator.build import BuildResult, build, write_result
from generator.chunkcache import CACHE_ENV
from generator.errors import Problems
from generator.project import Project, load_project
from tests.conftest import copy_project


def _project(root: Path) -> Project:
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    problems.raise_if_errors()
    return project


def _build(root: Path, *, reuse: bool = False) -> BuildResult:
    project = _project(root)
    return build(project, reuse_from=project.output_dir if reuse else None)


def _uncached(root: Path, monkeypatch: pytest.MonkeyPatch, cache: Path) -> BuildResult:
    """A full build with no cache at all: what every cached build must equal."""
    monkeypatch.setenv(CACHE_ENV, "off")
    try:
        return _build(root)
    finally:
        monkeypatch.setenv(CACHE_ENV, str(cache))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    monkeypatch.setenv("KANALPROFIL_JOBS", "1")  # bodies are counted in this process
    return folder


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """``(template, channel id)`` of every fragment body rendered."""
    seen: list[tuple[str, str]] = []

    def note(tag: str, args: tuple[Any, ...]) -> None:
        first = args[0]
        channel = first["id"] if isinstance(first, dict) else getattr(first, "channel", "?")
        seen.append((tag.split(":")[0], str(channel)))

    monkeypatch.setattr(fragments, "_body_rendered", note)
    fragments.reset_stats()
    yield seen


def _fragment_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("fragments-*.sqlite3"))


@pytest.mark.parametrize("kind", ["example", "synthetic"])
def test_cold_warm_off_and_damaged_caches_give_the_same_bytes(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
        rendered: list[tuple[str, str]], kind: str) -> None:
    if kind == "example":
        root = copy_project(tmp_path / "project", with_output=False)
    else:
        root = tmp_path / "synthetic"
        generate(root, 40)
    expected = _uncached(root, monkeypatch, cache).files
    assert fragments.stats.hits == 0 and fragments.stats.rendered > 20
    fragments.reset_stats()
    cold = _build(root)
    assert cold.files == expected
    cold_renders = fragments.stats.rendered
    assert cold_renders > 20 and _fragment_files(cache)
    fragments.reset_stats()
    warm = _build(root)
    assert warm.files == expected
    assert fragments.stats.rendered == 0 and fragments.stats.hits == cold_renders
    fragments.use_cache(None)  # as a new process would find it
    for file in _fragment_files(cache):
        file.write_bytes(b"this is not a database" * 100)
    fragments.reset_stats()
    assert _build(root).files == expected  # damaged: rendered again
    assert fragments.stats.rendered == cold_renders
    fragments.reset_stats()
    assert _build(root).files == expected  # and the cache works again afterwards
    assert fragments.stats.rendered == 0


def test_unwritable_cache_folder_renders_everything(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    expected = _uncached(root, monkeypatch, cache).files
    cache.write_text("a file where the cache folder should be")
    assert _build(root).files == expected


def test_one_channel_changed_renders_only_its_fragments(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
        rendered: list[tuple[str, str]]) -> None:
    root = tmp_path / "synthetic"
    generate(root, 60)
    project = _project(root)
    write_result(project, build(project))
    assert len({channel for _, channel in rendered}) > 50
    rendered.clear()
    files = sorted((root / "profiles/channels").glob("*.yml"))
    texts = [files[(30 + v) % 60].read_text(encoding="utf-8") for v in range(60)]
    variant = next(v for v, text in enumerate(texts)  # an active channel (the default)
                   if "\nstatus:" not in text and "\naudience:" in text)
    changed = touch_one_channel(root, 60, variant).stem
    incremental = _build(root, reuse=True)
    assert incremental.reuse is not None and incremental.reuse.pages
    # The audience shows in the overview and guidelines (three languages each), and on
    # the preview cards; every other channel's sections come from the cache.
    assert rendered, "the changed channel's sections are rendered"
    assert {channel for _, channel in rendered} == {changed}
    templates = {template for template, _ in rendered}
    assert {"nb/overview.md.j2", "en/guidelines.md.j2", "preview.html.j2"} <= templates
    assert fragments.stats.hits > 500
    assert incremental.files == _uncached(root, monkeypatch, cache).files


def test_the_first_channel_changed_renders_only_its_fragments(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
        rendered: list[tuple[str, str]]) -> None:
    """The pages' context holds no channel of its own, so the first channel (whose view
    it once spread in, and so every key covered) is no different from the others."""
    root = copy_project(tmp_path / "project", with_output=False)
    project = _project(root)
    write_result(project, build(project))
    rendered.clear()
    first = sorted((root / "profiles/channels").glob("*.yml"))[0]
    _edit(first, "  nb: ", "  nb: alle som vil lese om arbeidet vårt, og ")
    incremental = _build(root, reuse=True)
    assert {channel for _, channel in rendered} == {first.stem}
    assert fragments.stats.hits > 20
    assert incremental.files == _uncached(root, monkeypatch, cache).files


def test_workers_fill_and_use_the_cache(tmp_path: Path, cache: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        rendered: list[tuple[str, str]]) -> None:
    root = tmp_path / "synthetic"
    generate(root, 60)
    expected = _uncached(root, monkeypatch, cache).files
    monkeypatch.setenv("KANALPROFIL_JOBS", "2")
    assert _build(root).files == expected  # pages rendered (and flushed) in workers
    monkeypatch.setenv("KANALPROFIL_JOBS", "1")
    rendered.clear()
    assert _build(root).files == expected
    assert rendered == []


@pytest.mark.parametrize(("path", "old", "new", "shows"), [
    # A word from the language file, shown in every row of the register.
    ("templates/nb/language.yml", "active: aktiv", "active: i bruk", "| i bruk |"),
    # A template edit inside the fragment.
    ("templates/en/overview.md.j2", "**How active we are:**", "**How often we post:**",
     "How often we post"),
    # An organisation value shown in a section (by the custom template below).
    ("profiles/organisation.yml", "en: The Norwegian Fjord Agency", "en: The Fjord Office",
     "run by The Fjord Office"),
    # A value of the page context that every channel's guidelines section uses.
    ("kanalprofil.yml", "review_max_age_months: 12", "review_max_age_months: 6",
     "Every 6 months."),
])
def test_a_change_outside_the_channel_renders_the_fragments_again(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, path: str, old: str,
        new: str, shows: str) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    # The register's rows say who runs them: an organisation value inside the fragment.
    _edit(root / "templates/en/channels.md.j2", "| {{ c.last_reviewed or",
          "| run by {{ org.name }} | {{ c.last_reviewed or")
    _edit(root / "templates/en/guidelines.md.j2", "### {{ name(c) }}",
          "### {{ name(c) }}\n\nEvery {{ review_max_age_months }} months.")
    _build(root)
    _edit(root / path, old, new)
    after = _build(root)
    assert after.files == _uncached(root, monkeypatch, cache).files
    pages = b"".join(data for name, data in after.files.items()
                     if name.startswith(("site/", "internal/")))
    assert shows.encode() in pages


def _env(**options: Any) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True, **options)
    env.add_extension(fragments.FragmentExtension)
    return env


@pytest.fixture
def store(tmp_path: Path) -> Iterator[None]:
    fragments.use_cache(tmp_path / "cache")
    fragments.reset_stats()
    yield
    fragments.use_cache(None)


def test_the_tag_leaves_whitespace_as_it_was(store: None) -> None:
    body = "{% for c in items %}\n  {% if c %}\n- {{ c }}\n  {% endif %}\n\n{% endfor %}\nend\n"
    wrapped = body.replace("{% for c in items %}\n", "{% for c in items %}\n{% fragment c %}\n"
                           ).replace("{% endfor %}", "{% endfragment %}\n{% endfor %}")
    context = {"items": ["a", "", "b"], fragments.SCOPE: "00" * 16}
    expected = _env().from_string(body).render(context)
    for _ in range(2):  # rendered, then from the cache
        assert _env().from_string(wrapped).render(context) == expected
        fragments.flush()
    assert fragments.stats.hits == 3


def test_arguments_of_another_type_never_share_a_key(store: None) -> None:
    env = _env(autoescape=True)
    template = env.from_string("{% fragment x %}{{ x }}{% endfragment %}|")
    scope = {fragments.SCOPE: "00" * 16}
    first = template.render(x="<b>", **scope)
    assert template.render(x=Markup("<b>"), **scope) == "<b>|" != first
    assert template.render(x=("a",), **scope) == "(&#39;a&#39;,)|"
    assert template.render(x=["a"], **scope) == "[&#39;a&#39;]|"
    assert template.render(x={1: "a"}, **scope) != template.render(x={"1": "a"}, **scope)


def test_no_scope_or_an_unserialisable_argument_renders_the_body(store: None) -> None:
    env = _env()
    counter = env.from_string(
        "{% set ns = namespace(n=0) %}{% for i in [1, 1, 1] %}{% fragment i %}"
        "{% set ns.n = ns.n + 1 %}{% endfragment %}{% endfor %}{{ ns.n }}")
    assert counter.render() == "3"  # no scope in the context: no cache
    macro = env.from_string(
        "{% for c in 'ab' %}{% macro m() %}{{ c }}{% endmacro %}"
        "{% fragment m %}{{ m() }}{% endfragment %}{% endfor %}")
    scope = {fragments.SCOPE: "00" * 16}
    assert macro.render(**scope) == macro.render(**scope) == "ab"
    assert fragments.stats.hits == 0 and fragments.stats.uncached == 4


def test_same_arguments_in_another_scope_or_place_are_other_fragments(store: None) -> None:
    template = _env().from_string(
        "{% fragment x %}{{ x }}{{ y }}{% endfragment %}{% fragment x %}{{ y }}{% endfragment %}")
    assert template.render(x=1, y="a", **{fragments.SCOPE: "00" * 16}) == "1aa"
    assert template.render(x=1, y="b", **{fragments.SCOPE: "01" * 16}) == "1bb"
    fragments.flush()
    assert template.render(x=1, y="c", **{fragments.SCOPE: "00" * 16}) == "1aa"  # contract


def test_fragments_found_when_the_page_asks_for_them_in_another_order(
        store: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fragments, "_READ_AHEAD", 3)
    template = _env().from_string(
        "{% for c in items %}{% fragment c %}<{{ c }}>{% endfragment %}{% endfor %}")
    scope = {fragments.SCOPE: "00" * 16}
    items = list(range(10))
    for order in (items, items, items[::-1], [*items[3:], 99, *items[:3]]):
        assert template.render(items=order, **scope) == "".join(f"<{i}>" for i in order)
        fragments.flush()
    assert fragments.stats.rendered == 11 and fragments.stats.hits == 30


def test_new_fragments_are_written_before_the_page_ends_when_many(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
        rendered: list[tuple[str, str]]) -> None:
    monkeypatch.setattr(fragments, "_PENDING_MAX", 1000)
    root = tmp_path / "synthetic"
    generate(root, 30)
    expected = _uncached(root, monkeypatch, cache).files
    assert _build(root).files == expected
    fragments.reset_stats()
    assert _build(root).files == expected
    assert fragments.stats.rendered == 0 and fragments.stats.hits > 100


def test_keys_are_serialised_as_a_fresh_pickler_would_whatever_came_before() -> None:
    """The pickler is used again for every key: no state may carry over, not even from
    a value it could not serialise."""
    import io
    import pickle

    from generator.fragments import _serialised

    def fresh(value: object) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.fast = True
        pickler.dump(value)
        return buffer.getvalue()

    shared = ["a rule"] * 3
    values: list[object] = [
        ({"platform": "x", "rules": shared, "owner": None},), ("x" * 70_000,), (1, 2.5),
        (Markup("<b>x</b>"),), ([shared, shared],), ((),)]
    for value in values + values[::-1]:
        assert _serialised(value) == fresh(value)
        with pytest.raises(Exception):  # noqa: B017 - whatever pickle raises
            _serialised((lambda: None,))
