"""Tests for generator.manifest and generator.plan: what a build would change, and safety."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import __version__
from generator.errors import KanalprofilError
from generator.manifest import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    Manifest,
    dump_manifest,
    file_entry,
    load_manifest,
    parse_manifest,
)
from generator.plan import Action, PathGuard, Plan, make_plan
from generator.writer import apply_plan

INPUTS = {"profiles/organisation.yml": "a" * 64, "tool": __version__}
BIO = "channels/fb-main/nb/bio.txt"
STATEMENT = "channels/fb-main/nb/statement.md"
OVERVIEW = "site/nb/overview.html"
INDEX = "index.html"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones too) with its bytes; symlinks as their target."""
    result: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            result[path.relative_to(root).as_posix()] = f"-> {path.readlink()}".encode()
        elif path.is_file():
            result[path.relative_to(root).as_posix()] = path.read_bytes()
        else:
            result[path.relative_to(root).as_posix() + "/"] = b""
    return result


def generated(**overrides: bytes | None) -> dict[str, bytes]:
    files = {
        BIO: "Offisiell side for Bærum kommune.\n".encode(),
        STATEMENT: b"# Forventninger\n\nVi svarer innen to dager.\n",
        OVERVIEW: b"<h1>Oversikt</h1>\n",
        INDEX: b"<a href='site/nb/overview.html'>nb</a>\n",
    }
    for key, value in overrides.items():
        path = {"bio": BIO, "statement": STATEMENT, "overview": OVERVIEW, "index": INDEX}[key]
        if value is None:
            del files[path]
        else:
            files[path] = value
    return files


def bio_meta(count: int) -> dict[str, object]:
    return {
        "platform": "facebook",
        "slot": "bio",
        "language": "nb",
        "count": count,
        "limit": 150,
        "rule": "graphemes",
        "commitments": ["svartid"],
    }


def build(
    root: Path,
    files: Mapping[str, bytes],
    metadata: Mapping[str, Mapping[str, object]] | None = None,
) -> Plan:
    plan = make_plan(root, files, metadata or {}, INPUTS)
    apply_plan(plan, root)
    return plan


# --- manifest ---------------------------------------------------------------------------


def test_dump_manifest_is_deterministic_sorted_json_with_final_newline() -> None:
    manifest = Manifest(
        inputs={"templates/nb/bio.txt.j2": "b" * 64, "catalogue": "c" * 64},
        files={"z.txt": file_entry("d" * 64, None), BIO: file_entry("e" * 64, bio_meta(35))},
        tool_version="0.1.0",
    )
    data = dump_manifest(manifest)
    text = data.decode("utf-8")
    assert text.endswith("}\n") and "\r" not in text
    assert text.startswith('{\n  "files": {\n    "channels/fb-main/nb/bio.txt": {\n')
    assert '      "commitments": [\n        "svartid"\n      ],\n      "count": 35,' in text
    assert list(json.loads(text)) == ["files", "format", "inputs", "tool_version"]
    inputs = {"catalogue": "c" * 64, "templates/nb/bio.txt.j2": "b" * 64}
    assert json.loads(text)["inputs"] == inputs
    assert dump_manifest(parse_manifest(data)[0]) == data


def test_manifest_keeps_non_ascii_as_utf8() -> None:
    data = dump_manifest(Manifest(files={"kanal/æøå.txt": file_entry("0" * 64, {"x": "Ål"})}))
    assert "kanal/æøå.txt".encode() in data and b"\\u" not in data


def test_metadata_may_not_shadow_the_hash() -> None:
    with pytest.raises(ValueError, match="sha256"):
        file_entry("0" * 64, {"sha256": "x"})


def test_missing_manifest_is_empty_without_a_note(tmp_path: Path) -> None:
    assert load_manifest(tmp_path) == (Manifest(), None, [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"format": 1, "files": [], "inputs": {}, "tool_version": "0.1.0"}', "not a kanal"),
        (b'{"format": 0, "files": {}, "inputs": {}, "tool_version": "0.1.0"}', "not a kanal"),
    ],
)
def test_corrupt_manifest_is_treated_as_empty_and_said_so(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / MANIFEST_NAME).write_bytes(content)
    manifest, raw, notes = load_manifest(tmp_path)
    assert manifest == Manifest()
    assert raw == content
    assert len(notes) == 1 and message in notes[0] and "treating it as empty" in notes[0]


def test_malformed_manifest_entry_is_dropped_with_a_note() -> None:
    document = {
        "format": 1,
        "tool_version": "0.0.9",
        "inputs": {},
        "files": {"good.txt": {"sha256": "1" * 64}, "bad.txt": {"sha256": "nothex"}},
    }
    manifest, notes = parse_manifest(json.dumps(document).encode())
    assert list(manifest.files) == ["good.txt"]
    assert manifest.tool_version == "0.0.9"
    assert notes == [f"{MANIFEST_NAME}: ignoring malformed entry for 'bad.txt'"]


def test_newer_manifest_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text('{"format": 2}')
    with pytest.raises(KanalprofilError, match=r"format 2.*upgrade kanalprofil"):
        load_manifest(tmp_path)


# --- classification ---------------------------------------------------------------------


def test_first_build_creates_everything_sorted(tmp_path: Path) -> None:
    out = tmp_path / "output"
    plan = make_plan(out, generated(), {BIO: bio_meta(35)}, INPUTS)
    assert [c.path for c in plan.creates] == [BIO, STATEMENT, INDEX, OVERVIEW]
    assert all(c.action is Action.CREATE and c.old is None for c in plan.creates)
    assert plan.updates == plan.deletes == ()
    assert plan.unchanged == plan.user_owned == ()
    assert plan.has_changes and plan.has_file_changes and plan.manifest_changed
    assert plan.old_manifest_bytes is None and plan.notes == ()
    assert plan.new_manifest.files[BIO] == {**bio_meta(35), "sha256": sha(generated()[BIO])}
    assert plan.new_manifest.inputs == INPUTS
    assert not out.exists()  # planning never writes


def test_create_update_unchanged_delete(tmp_path: Path) -> None:
    build(tmp_path, generated(), {BIO: bio_meta(35)})
    new_bio = "Offisiell side for Bærum kommune – velkommen!\n".encode()
    files = generated(bio=new_bio, overview=None)
    files["site/en/overview.html"] = b"<h1>Overview</h1>\n"
    plan = make_plan(tmp_path, files, {BIO: bio_meta(38)}, INPUTS)

    assert [c.path for c in plan.creates] == ["site/en/overview.html"]
    assert [(c.path, c.old, c.new) for c in plan.updates] == [(BIO, generated()[BIO], new_bio)]
    assert plan.updates[0].old_meta == bio_meta(35) and plan.updates[0].new_meta == bio_meta(38)
    assert [(c.path, c.old, c.new) for c in plan.deletes] == [
        (OVERVIEW, b"<h1>Oversikt</h1>\n", None)
    ]
    assert plan.unchanged == (STATEMENT, INDEX)
    assert [c.path for c in plan.changes] == [BIO, "site/en/overview.html", OVERVIEW]
    assert OVERVIEW not in plan.new_manifest.files


def test_nothing_changed_means_no_changes_and_identical_manifest(tmp_path: Path) -> None:
    build(tmp_path, generated(), {BIO: bio_meta(35)})
    plan = make_plan(tmp_path, generated(), {BIO: bio_meta(35)}, INPUTS)
    assert not plan.has_changes and plan.changes == ()
    assert plan.new_manifest_bytes == (tmp_path / MANIFEST_NAME).read_bytes()
    assert len(plan.unchanged) == 4


def test_only_input_hashes_changed_is_a_manifest_only_change(tmp_path: Path) -> None:
    build(tmp_path, generated())
    plan = make_plan(tmp_path, generated(), {}, {**INPUTS, "catalogue": "f" * 64})
    assert not plan.has_file_changes
    assert plan.manifest_changed and plan.has_changes


def test_disk_bytes_win_over_the_manifest(tmp_path: Path) -> None:
    """A hand edit, or a file lost in a crash, is repaired even if the manifest is current."""
    build(tmp_path, generated())
    (tmp_path / BIO).write_bytes(b"edited by hand\n")
    (tmp_path / INDEX).unlink()
    plan = make_plan(tmp_path, generated(), {}, INPUTS)
    assert [(c.path, c.old) for c in plan.updates] == [(BIO, b"edited by hand\n")]
    assert [c.path for c in plan.creates] == [INDEX]
    assert plan.creates[0].tracked


def test_user_owned_files_are_reported_and_never_deleted(tmp_path: Path) -> None:
    build(tmp_path, generated())
    (tmp_path / "channels/fb-main/nb/notes.txt").write_text("mine\n")
    (tmp_path / "README.md").write_text("mine too\n")
    plan = make_plan(tmp_path, generated(overview=None), {}, INPUTS)
    assert plan.user_owned == ("README.md", "channels/fb-main/nb/notes.txt")
    assert [c.path for c in plan.deletes] == [OVERVIEW]
    assert "README.md" not in plan.new_manifest.files


def test_stale_file_not_on_disk_is_not_a_delete(tmp_path: Path) -> None:
    build(tmp_path, generated())
    (tmp_path / OVERVIEW).unlink()
    plan = make_plan(tmp_path, generated(overview=None), {}, INPUTS)
    assert plan.deletes == ()
    assert plan.manifest_changed  # the entry disappears from the manifest


def test_without_manifest_existing_files_are_user_owned_except_generated_ones(
    tmp_path: Path,
) -> None:
    build(tmp_path, generated())
    (tmp_path / MANIFEST_NAME).unlink()
    (tmp_path / BIO).write_bytes(b"old bio\n")
    plan = make_plan(tmp_path, generated(overview=None), {}, INPUTS)
    assert plan.deletes == ()
    assert plan.user_owned == (OVERVIEW,)
    assert [(c.path, c.tracked) for c in plan.updates] == [(BIO, False)]
    assert plan.unchanged == (STATEMENT, INDEX)
    assert any("no output/.kanalprofil-manifest.json found" in n for n in plan.notes)


def test_corrupt_manifest_note_reaches_the_plan(tmp_path: Path) -> None:
    build(tmp_path, generated())
    (tmp_path / MANIFEST_NAME).write_text("garbage")
    plan = make_plan(tmp_path, generated(overview=None), {}, INPUTS)
    assert plan.deletes == () and plan.user_owned == (OVERVIEW,)
    assert any("not valid JSON" in n for n in plan.notes)


def test_leftover_temp_files_are_not_user_owned(tmp_path: Path) -> None:
    build(tmp_path, generated())
    leftover = "channels/fb-main/nb/.bio.txt.kanalprofil-tmp-0123abcd"
    (tmp_path / leftover).write_bytes(b"half")
    plan = make_plan(tmp_path, generated(), {}, INPUTS)
    assert plan.leftovers == (leftover,)
    assert plan.user_owned == ()


def test_plan_is_frozen(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, generated(), {}, INPUTS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.creates = ()  # type: ignore[misc]


def test_metadata_for_a_path_that_is_not_generated_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not generated"):
        make_plan(tmp_path, generated(), {"nope.txt": {}}, INPUTS)


# --- selection (--channel / --lang) -------------------------------------------------------


def test_filtered_plan_ignores_and_keeps_unselected_paths(tmp_path: Path) -> None:
    files = generated()
    files["channels/ig/nb/bio.txt"] = b"ig bio\n"
    files["channels/ig/nb/name.txt"] = b"ig name\n"
    build(tmp_path, files, {BIO: bio_meta(35)})
    old_manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    (tmp_path / "channels/ig/nb/own.txt").write_text("user\n")

    new = generated(bio=b"new fb bio\n", statement=None)  # ig files no longer generated
    new[INDEX] = b"changed index\n"
    plan = make_plan(
        tmp_path, new, {BIO: bio_meta(11)}, INPUTS, selected=lambda p: "/fb-main/" in p
    )
    assert plan.filtered
    assert [c.path for c in plan.updates] == [BIO]  # INDEX differs but is not selected
    assert [c.path for c in plan.deletes] == [STATEMENT]  # ig files are not selected
    assert plan.creates == () and plan.unchanged == () and plan.user_owned == ()
    files_entry = plan.new_manifest.files
    for path in ("channels/ig/nb/bio.txt", "channels/ig/nb/name.txt", INDEX, OVERVIEW):
        assert files_entry[path] == old_manifest["files"][path]
    assert files_entry[BIO] == {**bio_meta(11), "sha256": sha(b"new fb bio\n")}
    assert STATEMENT not in files_entry


# --- path safety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "../escape.txt",
        "channels/../../escape.txt",
        "/etc/passwd",
        "channels\\x\\bio.txt",
        "channels//bio.txt",
        "./bio.txt",
        "",
        MANIFEST_NAME,
        "channels/.bio.txt.kanalprofil-tmp-abc",
    ],
)
def test_unsafe_generated_paths_are_refused(tmp_path: Path, bad: str) -> None:
    build(tmp_path, generated())
    before = snapshot(tmp_path)
    with pytest.raises(KanalprofilError, match="refusing unsafe generated paths"):
        make_plan(tmp_path, {**generated(), bad: b"x"}, {}, INPUTS)
    assert snapshot(tmp_path) == before


def test_symlinked_directory_pointing_outside_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "output", tmp_path / "outside"
    outside.mkdir()
    (outside / "bio.txt").write_bytes(b"precious\n")
    build(out, generated())
    (out / "channels" / "evil").symlink_to(outside, target_is_directory=True)
    before = snapshot(tmp_path)
    with pytest.raises(KanalprofilError, match="evil is a symlink \\(to outside output/\\)"):
        make_plan(out, {**generated(), "channels/evil/bio.txt": b"pwned\n"}, {}, INPUTS)
    assert snapshot(tmp_path) == before


def test_symlinked_file_pointing_outside_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "output", tmp_path / "secret.txt"
    outside.write_bytes(b"secret\n")
    build(out, generated(bio=None))
    (out / BIO).symlink_to(outside)
    with pytest.raises(KanalprofilError, match="symlink that resolves outside"):
        make_plan(out, generated(), {}, INPUTS)
    assert outside.read_bytes() == b"secret\n"


def test_symlink_to_a_file_inside_is_replaced_by_a_real_file(tmp_path: Path) -> None:
    build(tmp_path, generated(bio=None))
    (tmp_path / BIO).symlink_to(tmp_path / INDEX)
    plan = make_plan(tmp_path, generated(), {}, INPUTS)
    assert [c.path for c in plan.updates] == [BIO]
    apply_plan(plan, tmp_path)
    assert not (tmp_path / BIO).is_symlink()
    assert (tmp_path / BIO).read_bytes() == generated()[BIO]
    assert (tmp_path / INDEX).read_bytes() == generated()[INDEX]


def test_manifest_listing_an_outside_path_never_deletes_it(tmp_path: Path) -> None:
    out, victim = tmp_path / "output", tmp_path / "victim.txt"
    victim.write_bytes(b"keep me\n")
    build(out, generated())
    document = json.loads((out / MANIFEST_NAME).read_text())
    document["files"]["../victim.txt"] = {"sha256": sha(b"keep me\n")}
    (out / MANIFEST_NAME).write_text(json.dumps(document))
    plan = make_plan(out, generated(), {}, INPUTS)
    assert plan.deletes == ()
    assert any("unsafe path '../victim.txt'" in n for n in plan.notes)
    apply_plan(plan, out)
    assert victim.read_bytes() == b"keep me\n"


def test_manifest_entry_behind_a_symlinked_directory_is_not_deleted(tmp_path: Path) -> None:
    out, outside = tmp_path / "output", tmp_path / "outside"
    build(out, {**generated(), "channels/x/bio.txt": b"x\n"})
    outside.mkdir()
    (outside / "bio.txt").write_bytes(b"outside\n")
    (out / "channels/x/bio.txt").unlink()
    (out / "channels/x").rmdir()
    (out / "channels/x").symlink_to(outside, target_is_directory=True)
    plan = make_plan(out, generated(), {}, INPUTS)
    assert plan.deletes == ()
    apply_plan(plan, out)
    assert (outside / "bio.txt").read_bytes() == b"outside\n"


def test_generated_paths_that_conflict_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KanalprofilError, match="'site' is both a file and a directory"):
        make_plan(tmp_path, {**generated(), "site": b"x"}, {}, INPUTS)


def test_directory_in_the_way_of_a_generated_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / BIO).mkdir(parents=True)
    with pytest.raises(KanalprofilError, match="a directory with that name exists"):
        make_plan(tmp_path, generated(), {}, INPUTS)


def test_file_in_the_way_of_a_generated_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("user file\n")
    with pytest.raises(KanalprofilError, match="site is a file, not a directory"):
        make_plan(tmp_path, generated(), {}, INPUTS)


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "output").write_text("oops\n")
    with pytest.raises(KanalprofilError, match="exists but is not a directory"):
        make_plan(tmp_path / "output", generated(), {}, INPUTS)


def test_dump_manifest_is_exactly_what_json_dumps_makes() -> None:
    import json

    from generator.manifest import Manifest, dump_manifest, parse_manifest
    from tests.conftest import ROOT

    def reference(manifest: Manifest) -> bytes:
        document = {"format": manifest.format_version, "tool_version": manifest.tool_version,
                    "inputs": dict(manifest.inputs),
                    "files": {p: dict(e) for p, e in manifest.files.items()}}
        return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False,
                           allow_nan=False) + "\n").encode("utf-8")

    committed = (ROOT / "output" / ".kanalprofil-manifest.json").read_bytes()
    manifest, _ = parse_manifest(committed)
    assert dump_manifest(manifest) == reference(manifest) == committed
    odd = Manifest(inputs={}, files={"a\u2028b/\"ø\".txt": {
        "sha256": "0" * 64, "empty": {}, "none": None, "list": [], "nested": [[1, 2.5], {}],
        "flags": [True, False], "text": "tab\tline\nquote\"\\ \x7f \U0001F600"}})
    assert dump_manifest(odd) == reference(odd)


_JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=6) \
    | st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(_JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=12)


@given(st.dictionaries(st.text(min_size=1, max_size=5),
                       st.dictionaries(st.text(max_size=4), _JSON, max_size=4), max_size=4),
       st.lists(st.sampled_from(["a", "b", "ø"]), max_size=3))
def test_dump_manifest_matches_json_dumps_for_any_entries(
        files: dict[str, dict[str, Any]], shared: list[str]) -> None:
    """Also when the same list of strings recurs at several depths (it is remembered)."""
    entries = {path: {**entry, "sha256": "0" * 64, "same": shared, "deeper": {"same": shared}}
               for path, entry in files.items()}
    document = {"format": FORMAT_VERSION, "tool_version": "0",
                "inputs": {"x": [*shared]}, "files": entries}
    expected = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False,
                          allow_nan=False) + "\n"
    assert dump_manifest(Manifest(inputs={"x": [*shared]}, files=entries,  # type: ignore[dict-item]
                                  tool_version="0")) == expected.encode("utf-8")


@given(st.dictionaries(st.text(min_size=1, max_size=6),
                       st.dictionaries(st.text(max_size=4), _JSON, max_size=4),
                       min_size=1, max_size=5),
       st.data())
def test_entries_copied_from_the_old_manifest_are_spelt_as_dump_spells_them(
        files: dict[str, dict[str, Any]], data: st.DataObject) -> None:
    """Paths with quotes, backslashes, ``": `` or line separators in them too."""
    from generator.manifest import spelt_entries

    old = Manifest(inputs={"x": "1"}, files={
        path: {**entry, "sha256": "0" * 64} for path, entry in files.items()})
    old_bytes = dump_manifest(old)
    parsed = parse_manifest(old_bytes)[0]
    spelt = spelt_entries(old_bytes, parsed)
    assert set(spelt) == set(files)
    changed = data.draw(st.sets(st.sampled_from(sorted(files))))
    added = data.draw(st.dictionaries(st.text(min_size=1, max_size=6),
                                      st.just({"sha256": "1" * 64}), max_size=2))
    new_files = {**{path: ({**entry, "sha256": "2" * 64} if path in changed else entry)
                    for path, entry in parsed.files.items()}, **added}
    new = Manifest(inputs={"x": "2"}, files=new_files)
    assert dump_manifest(new, spelt) == dump_manifest(new)


def test_entries_are_copied_only_from_a_manifest_kanalprofil_wrote(tmp_path: Path) -> None:
    """A manifest reformatted by hand is spelt out again, never copied from."""
    out = tmp_path / "out"
    apply_plan(make_plan(out, generated(), {BIO: bio_meta(35)}, INPUTS))
    canonical = (out / MANIFEST_NAME).read_bytes()
    written = hashlib.sha256(canonical).hexdigest()
    again = make_plan(out, generated(), {BIO: bio_meta(35)}, INPUTS, current={BIO},
                      written=written)
    assert again.new_manifest_bytes == canonical and not again.has_changes
    document = json.loads(canonical)
    (out / MANIFEST_NAME).write_text(json.dumps(document, indent=4, sort_keys=True) + "\n")
    for trusted in (written, None):
        redone = make_plan(out, generated(), {BIO: bio_meta(35)}, INPUTS, current={BIO},
                           written=trusted)
        assert redone.new_manifest_bytes == canonical and redone.manifest_changed


_names = st.sampled_from(["a", "b", "site", "x.txt"])
_paths = st.lists(_names, min_size=1, max_size=4).map("/".join)


def _escape_by_each_ancestor(guard: PathGuard, path: str) -> str:
    """The guard's verdict as it was worked out before folders were memoised: each
    ancestor of each path looked at in turn (the reference for the test below)."""
    parts = path.split("/")
    for depth in range(1, len(parts)):
        ancestor = "/".join(parts[:depth])
        if ancestor in guard.disk.files and ancestor not in guard.disk.symlinks:
            return f"{ancestor} is a file, not a directory"
        if ancestor in guard.disk.symlinks:
            real = os.path.realpath(guard.root / ancestor)
            where = "outside output/" if not guard._inside(real) else "inside output/"
            return f"{ancestor} is a symlink (to {where}); kanalprofil does not follow it"
    if path in guard.disk.symlinks and not guard._inside(
            os.path.realpath(guard.root / path)):
        return "it is a symlink that resolves outside output/"
    if path in guard.disk.dirs:
        return "a directory with that name exists in output/"
    return ""


@settings(deadline=None)
@given(files=st.sets(_paths, max_size=6), dirs=st.sets(_paths, max_size=6),
       links=st.sets(_paths, max_size=3), asked=st.lists(_paths, max_size=12))
def test_path_guard_memoises_folders_without_changing_a_verdict(
        files: set[str], dirs: set[str], links: set[str], asked: list[str]) -> None:
    from generator.plan import DiskWalk, _folders

    guard = PathGuard(Path("/nonexistent/output"),
                      DiskWalk(files=files | links, dirs=dirs, symlinks=links))
    for path in asked:
        assert guard.escape(path) == _escape_by_each_ancestor(guard, path)
    expected = {"/".join(p.split("/")[:depth]) for p in asked
                for depth in range(1, p.count("/") + 1)}
    assert _folders(asked) == expected
