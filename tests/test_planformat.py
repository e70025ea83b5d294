"""Tests for generator.planformat: the exact text people and tools will read."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.manifest import MANIFEST_NAME
from generator.plan import TEMP_MARKER, Plan, make_plan
from generator.planformat import check_report, render_plan, summary
from generator.writer import apply_plan

INPUTS = {"tool": "0.1.0"}
BIO = "channels/fb-main/nb/bio.txt"
NAME = "channels/fb-main/nb/name.txt"
STATEMENT = "channels/fb-main/nb/statement.md"


def meta(slot: str, count: int, limit: int | None = 150) -> dict[str, object]:
    return {
        "platform": "facebook",
        "slot": slot,
        "language": "nb",
        "count": count,
        "limit": limit,
        "rule": "graphemes",
        "commitments": [],
    }


def plan_between(
    root: Path,
    old: Mapping[str, bytes],
    new: Mapping[str, bytes],
    old_meta: Mapping[str, Mapping[str, object]] | None = None,
    new_meta: Mapping[str, Mapping[str, object]] | None = None,
) -> Plan:
    apply_plan(make_plan(root, old, old_meta or {}, INPUTS), root)
    return make_plan(root, new, new_meta or {}, INPUTS)


#: Update a bio, create a statement, delete a name, keep index.html.
OLD = {BIO: "Hei fra Bærum.\n".encode(), NAME: b"Org\n", "index.html": b"<p>i</p>\n"}
OLD_META = {BIO: meta("bio", 14), NAME: meta("name", 3, 30)}
NEW = {
    BIO: "Hei fra Bærum kommune.\n".encode(),
    STATEMENT: b"# Forventninger\n",
    "index.html": b"<p>i</p>\n",
}
NEW_META = {BIO: meta("bio", 22)}


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    return plan_between(tmp_path, OLD, NEW, OLD_META, NEW_META)


def test_summary_lines(tmp_path: Path, plan: Plan) -> None:
    assert summary(plan) == "1 to create, 1 to update, 1 to delete, 1 unchanged"
    files = {BIO: b"x\n"}
    apply_plan(make_plan(tmp_path / "b", files, {}, INPUTS), tmp_path / "b")
    assert summary(make_plan(tmp_path / "b", files, {}, INPUTS)) == "No changes."
    only_manifest = make_plan(tmp_path / "b", files, {}, {"tool": "0.2.0"})
    assert summary(only_manifest) == "No file changes (1 unchanged); the manifest will be updated."


def test_text_is_a_unified_diff_per_file_then_the_summary(plan: Plan) -> None:
    assert render_plan(plan, "text") == (
        "--- a/channels/fb-main/nb/bio.txt\n"
        "+++ b/channels/fb-main/nb/bio.txt\n"
        "@@ -1 +1 @@\n"
        "-Hei fra Bærum.\n"
        "+Hei fra Bærum kommune.\n"
        "--- a/channels/fb-main/nb/name.txt\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-Org\n"
        "--- /dev/null\n"
        "+++ b/channels/fb-main/nb/statement.md\n"
        "@@ -0,0 +1 @@\n"
        "+# Forventninger\n"
        "1 to create, 1 to update, 1 to delete, 1 unchanged\n"
    )


def test_text_colour_only_when_asked(plan: Plan) -> None:
    plain = render_plan(plan, "text", color=False)
    coloured = render_plan(plan, "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m-Hei fra Bærum.\x1b[0m\n" in coloured
    assert "\x1b[32m+Hei fra Bærum kommune.\x1b[0m\n" in coloured
    assert "\x1b[36m@@ -1 +1 @@\x1b[0m\n" in coloured
    assert "\x1b[1m--- a/channels/fb-main/nb/bio.txt\x1b[0m\n" in coloured


def test_text_for_no_changes_and_notes(tmp_path: Path) -> None:
    files = {BIO: b"x\n"}
    apply_plan(make_plan(tmp_path, files, {}, INPUTS), tmp_path)
    (tmp_path / "README.md").write_text("mine\n")
    (tmp_path / "channels/fb-main/nb" / f".bio.txt{TEMP_MARKER}00").write_bytes(b"")
    assert render_plan(make_plan(tmp_path, files, {}, INPUTS), "text") == (
        "note: user-owned (not generated, left alone): README.md\n"
        "note: leftover temporary file from an interrupted build, will be removed: "
        f"channels/fb-main/nb/.bio.txt{TEMP_MARKER}00\n"
        "No changes.\n"
    )


def test_missing_final_newline_is_shown_like_git(tmp_path: Path) -> None:
    plan = plan_between(tmp_path, {BIO: b"a\nb\n"}, {BIO: b"a\nc"})
    assert render_plan(plan, "text").splitlines()[3:7] == [
        " a",
        "-b",
        "+c",
        "\\ No newline at end of file",
    ]


def test_binary_files_are_not_diffed(tmp_path: Path) -> None:
    logo = "site/logo.png"
    plan = plan_between(tmp_path, {logo: b"\x89PNG\xff1"}, {logo: b"\x89PNG\xff2"})
    assert render_plan(plan, "text") == (
        "binary file differs: site/logo.png\n0 to create, 1 to update, 0 to delete, 0 unchanged\n"
    )
    assert "- `site/logo.png` (update, binary file differs)\n" in render_plan(plan, "markdown")
    assert "<details>" not in render_plan(plan, "markdown")
    change = json.loads(render_plan(plan, "json"))["changes"][0]
    assert change["binary"] is True and change["diff"] is None


def test_markdown_pr_comment(plan: Plan) -> None:
    assert render_plan(plan, "markdown") == (
        "## kanalprofil plan\n"
        "\n"
        "**1 to create, 1 to update, 1 to delete, 1 unchanged**\n"
        "\n"
        "### `fb-main` · nb\n"
        "\n"
        "- `bio` 14 → 22 / 150 graphemes\n"
        "\n"
        "<details><summary><code>channels/fb-main/nb/bio.txt</code> (update)</summary>\n"
        "\n"
        "```diff\n"
        "--- a/channels/fb-main/nb/bio.txt\n"
        "+++ b/channels/fb-main/nb/bio.txt\n"
        "@@ -1 +1 @@\n"
        "-Hei fra Bærum.\n"
        "+Hei fra Bærum kommune.\n"
        "```\n"
        "\n"
        "</details>\n"
        "\n"
        "- `name` 3 / 30 graphemes (removed)\n"
        "\n"
        "<details><summary><code>channels/fb-main/nb/name.txt</code> (delete)</summary>\n"
        "\n"
        "```diff\n"
        "--- a/channels/fb-main/nb/name.txt\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-Org\n"
        "```\n"
        "\n"
        "</details>\n"
        "\n"
        "### Other files\n"
        "\n"
        "- `channels/fb-main/nb/statement.md` (create)\n"
        "\n"
        "<details><summary><code>channels/fb-main/nb/statement.md</code> (create)</summary>\n"
        "\n"
        "```diff\n"
        "--- /dev/null\n"
        "+++ b/channels/fb-main/nb/statement.md\n"
        "@@ -0,0 +1 @@\n"
        "+# Forventninger\n"
        "```\n"
        "\n"
        "</details>\n"
    )


def test_markdown_groups_by_channel_and_language_and_flags_over_limit(tmp_path: Path) -> None:
    new = {
        "channels/ig/en/bio.txt": b"too long\n",
        "channels/fb-main/nb/bio.txt": b"ok\n",
        "channels/fb-main/en/bio.txt": b"ok\n",
    }
    plan = plan_between(
        tmp_path,
        {},
        new,
        new_meta={
            "channels/ig/en/bio.txt": meta("bio", 160),
            "channels/fb-main/nb/bio.txt": meta("bio", 2, None),
            "channels/fb-main/en/bio.txt": meta("bio", 2),
        },
    )
    lines = render_plan(plan, "markdown").splitlines()
    headings = [line for line in lines if line.startswith("### ")]
    assert headings == ["### `fb-main` · en", "### `fb-main` · nb", "### `ig` · en"]
    slot_lines = [line for line in lines if line.startswith("- `bio`")]
    assert slot_lines == [
        "- `bio` 2 / 150 graphemes (new)",
        "- `bio` 2 graphemes (new)",
        "- `bio` 160 / 150 graphemes (new) ⚠️ over the limit",
    ]


def test_markdown_fence_survives_backticks_in_content(tmp_path: Path) -> None:
    plan = plan_between(tmp_path, {}, {STATEMENT: b"```python\ncode\n```\n"})
    text = render_plan(plan, "markdown")
    assert "````diff\n--- /dev/null\n" in text
    assert "+```\n````\n" in text


def test_markdown_lists_notes(tmp_path: Path) -> None:
    apply_plan(make_plan(tmp_path, {BIO: b"x\n"}, {}, INPUTS), tmp_path)
    (tmp_path / "own.txt").write_text("mine\n")
    assert render_plan(make_plan(tmp_path, {BIO: b"x\n"}, {}, INPUTS), "markdown") == (
        "## kanalprofil plan\n"
        "\n"
        "**No changes.**\n"
        "\n"
        "### Notes\n"
        "\n"
        "- user-owned (not generated, left alone): own.txt\n"
    )


def test_json_is_stable_and_complete(plan: Plan) -> None:
    text = render_plan(plan, "json")
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert document["summary"] == {
        "create": 1,
        "update": 1,
        "delete": 1,
        "unchanged": 1,
        "manifest_changed": True,
        "has_changes": True,
    }
    assert [(c["path"], c["action"]) for c in document["changes"]] == [
        (BIO, "update"),
        (NAME, "delete"),
        (STATEMENT, "create"),
    ]
    bio = document["changes"][0]
    assert bio["old_metadata"]["count"] == 14 and bio["new_metadata"]["count"] == 22
    assert bio["diff"].endswith("-Hei fra Bærum.\n+Hei fra Bærum kommune.\n")
    assert document["changes"][1]["new_sha256"] is None
    assert document["changes"][2]["old_sha256"] is None
    assert document["user_owned"] == [] and document["filtered"] is False


def test_check_report_lists_missing_stale_extra_and_notes(tmp_path: Path) -> None:
    apply_plan(make_plan(tmp_path, OLD, OLD_META, INPUTS), tmp_path)
    (tmp_path / "mine.txt").write_text("user\n")
    plan = make_plan(tmp_path, NEW, NEW_META, INPUTS)
    assert check_report(plan) == (
        "stale: channels/fb-main/nb/bio.txt\n"
        "extra: channels/fb-main/nb/name.txt\n"
        "missing: channels/fb-main/nb/statement.md\n"
        f"stale: {MANIFEST_NAME}\n"
        "note: user-owned (not generated, left alone): mine.txt\n"
    )


def test_check_report_is_empty_when_up_to_date_and_flags_a_stale_manifest(tmp_path: Path) -> None:
    files = {BIO: b"x\n"}
    apply_plan(make_plan(tmp_path, files, {}, INPUTS), tmp_path)
    assert check_report(make_plan(tmp_path, files, {}, INPUTS)) == ""
    stale_manifest = make_plan(tmp_path, files, {}, {"tool": "0.2.0"})
    assert check_report(stale_manifest) == f"stale: {MANIFEST_NAME}\n"
    assert stale_manifest.has_changes


def test_unknown_format_is_refused(plan: Plan) -> None:
    with pytest.raises(ValueError, match="unknown plan format 'html'"):
        render_plan(plan, "html")  # type: ignore[arg-type]


def _many_changes(root: Path, channels: int) -> Plan:
    new = {f"channels/c{n:03}/nb/bio.txt": ("Vi svarar på hverdagar. " * 40 + f"{n}\n").encode()
           for n in range(channels)}
    new["index.html"] = b"<p>ny</p>\n"
    return plan_between(root, {}, new, new_meta={
        path: meta("bio", 1000) for path in new if path.endswith(".txt")})


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return _many_changes(tmp_path_factory.mktemp("big"), 80)


@given(st.integers(min_value=1_000, max_value=120_000))
def test_a_long_comment_is_shortened_to_fit_and_says_so(big_plan: Plan, limit: int) -> None:
    whole = render_plan(big_plan, "markdown")
    text = render_plan(big_plan, "markdown", max_length=limit)
    assert _utf16_length(text) <= limit
    if _utf16_length(whole) <= limit:
        assert text == whole
        return
    assert text.startswith("## kanalprofil plan\n\n**81 to create, 0 to update")
    note = text.rstrip("\n").splitlines()[-1]
    assert note.startswith("- Shortened to fit a comment: ") and "`kanalprofil diff`" in note
    # what is left out is said in numbers that add up: every file is listed or counted
    listed = text.count("\n- `bio`") + text.count("\n- `index.html`")
    skipped = int(m[1]) if (m := re.search(r"(\d+) more files?", note)) else 0
    assert listed + skipped == 81
    folded = int(m[1]) if (m := re.search(r"diffs of (\d+) files?", note)) else 0
    assert text.count("<details>") + folded == listed


def test_diff_cli_shortens_markdown_to_a_comment_by_default(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main
    from generator.commands.diff import COMMENT_LIMIT
    from generator.planformat import COMMENT_LIMIT as LIMIT
    from tests.conftest import copy_project

    assert COMMENT_LIMIT == LIMIT == 65_536
    root = copy_project(tmp_path / "project")
    shutil.rmtree(root / "output")  # every file is new: a diff far longer than a comment
    config = ["--config", str(root / "kanalprofil.yml")]

    def diff(*args: str) -> str:
        result = CliRunner().invoke(main, ["diff", "--format", "markdown", *args, *config])
        assert result.exit_code == 0, result.output
        return result.output

    whole, default = diff("--max-length", "0"), diff()
    assert _utf16_length(whole) > LIMIT >= _utf16_length(default)
    assert "Shortened to fit a comment" in default and "Shortened" not in whole
    assert default == diff("--max-length", str(LIMIT))
    assert _utf16_length(diff("--max-length", "5000")) <= 5000


def test_a_comment_that_just_fits_is_not_shortened(big_plan: Plan) -> None:
    """The room kept for a note saying what was left out is not taken from a comment
    that needs no note (hypothesis found a limit 400 characters above the length)."""
    whole = render_plan(big_plan, "markdown")
    for limit in (_utf16_length(whole), _utf16_length(whole) + 1):
        assert render_plan(big_plan, "markdown", max_length=limit) == whole
    assert render_plan(big_plan, "markdown", max_length=_utf16_length(whole) - 1) != whole
