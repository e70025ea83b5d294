"""Bad input gives one line per problem with file:line:column, exit 1, output untouched."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import snapshot

#: The owner block of the example's facebook.yml (removed to trigger no-owner).
FACEBOOK_OWNER = ("owner:\n  nb: Kommunikasjonsavdelingen, seksjon for digitale kanaler\n"
                  "  nn: Kommunikasjonsavdelinga, seksjon for digitale kanalar\n"
                  "  en: Communications department, digital channels section\n")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"fixture text {old!r} not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


# Each case: a change to the example project and the exact lines it must produce.
CASES: dict[str, tuple[Callable[[Path], object], list[str]]] = {
    "bad-yaml": (
        lambda p: _append(p / "profiles/channels/facebook.yml", "comments: [open\n"),
        ["profiles/channels/facebook.yml:{line+1:comments: [open}:1: did not find expected ',' "
         "or ']', when parsing a flow sequence at {line:comments: [open}:11 (fix the YAML syntax)"],
    ),
    "unknown-key": (
        lambda p: _append(p / "profiles/channels/facebook.yml", "respons: {}\n"),
        ["profiles/channels/facebook.yml:{line:respons:}:1: unknown key 'respons' (did you mean "
         "'response'?)"],
    ),
    "wrong-type": (
        lambda p: _replace(p / "profiles/channels/tiktok.yml", "{posts: 1, per: week}",
                           "{posts: many, per: week}"),
        ["profiles/channels/tiktok.yml:{line:posts: many}:19: expected a whole number, got "
         "the text 'many'"],
    ),
    "yes-is-not-true": (
        lambda p: _replace(p / "profiles/organisation.yml", "casework: true", "casework: yes"),
        ["profiles/organisation.yml:{line:casework: yes}:11: expected true or false, got the "
         "text 'yes' "
         "(YAML 1.2 reads yes/no as text; write true or false)"],
    ),
    "unknown-platform": (
        lambda p: _replace(p / "profiles/channels/instagram.yml", "platform: instagram",
                           "platform: instagran"),
        ["profiles/channels/instagram.yml:{line:instagran}:11: unknown platform 'instagran' "
         "(did you mean "
         "'instagram'?)"],
    ),
    "http-link": (
        lambda p: _replace(p / "profiles/channels/facebook.yml",
                           "url: https://www.facebook.com", "url: javascript://www.facebook.com"),
        ["profiles/channels/facebook.yml:{line:javascript:}:6: "
         "'javascript://www.facebook.com/fjordetaten' is "
         "not an https:// address (write the full address, starting with https://)"],
    ),
    "missing-language": (
        lambda p: _replace(p / "profiles/channels/facebook.yml",
                           "  en: everyone who lives on or travels along the coast\n", ""),
        ["profiles/channels/facebook.yml:6:3: missing language(s): en (write the text in "
         "every language the organisation uses)"],
    ),
    "time-as-number": (
        lambda p: _replace(p / "profiles/organisation.yml", 'opens: "08:00"', "opens: 800"),
        ["profiles/organisation.yml:{line:opens: 800}:14: expected a time of day (HH:MM), got "
         "the number "
         "800 (write it as \"08:30\")"],
    ),
    "text-too-long": (
        lambda p: _replace(p / "profiles/organisation.yml",
                           "statement_url:\n  nb: https://fjordetaten.example/some",
                           "statement_url:\n  nb: https://fjordetaten.example/" + "x" * 90),
        ["profiles/channels/facebook.yml:1:1: facebook: bio (nb) is 118 long counted as "
         "strictest; Facebook allows 100, and no variant fits (shorten the values the text "
         "uses, add a shorter variant to the template, or set limits in the channel if your "
         "instance allows more)"],
    ),
    "duplicate-key": (
        lambda p: _append(p / "profiles/channels/tiktok.yml", "status: active\n"),
        ["profiles/channels/tiktok.yml:{line+-1:}:1: duplicate key 'status' (first defined on "
         "line {line:status: pilot}); "
         "remove one of them"],
    ),
    "empty-file": (
        lambda p: (p / "profiles/channels/empty.yml").write_text("# nothing yet\n"),
        ["profiles/channels/empty.yml:1:1: file is empty (add the keys or delete the file)"],
    ),
    "utf16-file": (
        lambda p: (p / "profiles/channels/wide.yml").write_bytes("platform: x\n".encode("utf-16")),
        ["profiles/channels/wide.yml:1:1: file is UTF-16, not UTF-8 (save it as UTF-8)"],
    ),
    "bad-file-name": (
        lambda p: (p / "profiles/channels/My Channel.yml").write_text("platform: x\n"),
        ["profiles/channels/My Channel.yml: channel file name 'My Channel' is not a valid id "
         "(rename it with lower-case letters a-z, digits and hyphens)"],
    ),
    "unknown-language": (
        lambda p: _replace(p / "profiles/channels/bluesky.yml", "languages: [en]",
                           "languages: [de]"),
        ["profiles/channels/bluesky.yml:{line:languages: [de]}:13: 'de' is not one of the "
         "organisation's languages "
         "(use one of nb, nn, en)"],
    ),
    "dangling-reference": (
        lambda p: _replace(p / "profiles/channels/youtube.yml", "go_to: facebook",
                           "go_to: facebok"),
        ["profiles/channels/youtube.yml:{line:go_to: facebok}:10: refers to channel 'facebok', "
         "which does not "
         "exist (did you mean 'facebook'?)"],
    ),
    "secret-in-profile": (
        lambda p: _append(p / "profiles/channels/bluesky.yml", "notes: pw abcd-efgh-ijkl-mnop\n"),
        ["profiles/channels/bluesky.yml:{line:notes: pw}:8: this value looks like a Bluesky "
         "app password "
         "(remove it and revoke it; credentials go in environment variables or a "
         "--credentials file outside the project) [secret-in-profile]"],
    ),
    "unknown-check": (
        lambda p: _append(p / "kanalprofil.yml", "checks: {no-ownr: {severity: error}}\n"),
        ["kanalprofil.yml: unknown check 'no-ownr' under checks (did you mean 'no-owner'?)"],
    ),
}


def resolve_lines(project: Path, message: str) -> str:
    """Fill ``{line:text}`` (the line where text stands in the message's file) and
    ``{line+1:text}``; ``{line+-1:}`` is the file's last line. Keeps the expectations
    exact without tying them to the example's line numbers."""
    path = project / message.split(":", 1)[0]
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() \
        if path.is_file() else []

    def find(match: re.Match[str]) -> str:
        offset, needle = int(match.group(1) or 0), match.group(2)
        if offset == -1:
            return str(len(lines))
        number = next(i for i, line in enumerate(lines, start=1) if needle in line)
        return str(number + offset)

    return re.sub(r"\{line(?:\+(-?\d+))?:([^}]*)\}", find, message)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_precisely(case: str, project: Path, runner: CliRunner,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    change, expected = CASES[case]
    change(project)
    monkeypatch.chdir(project)
    before = snapshot(project / "output")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.output
    for line in (resolve_lines(project, message) for message in expected):
        assert line in lines, "\n".join(lines)
    assert lines[-1].startswith("Aborted: ")
    assert snapshot(project / "output") == before


def test_all_errors_of_a_run_are_reported_together(project: Path, runner: CliRunner,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for case in ("unknown-key", "unknown-platform", "yes-is-not-true", "wrong-type"):
        CASES[case][0](project)
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines()
                if re.match(r"^profiles/\S+:\d+:\d+: ", line)]
    assert len(problems) == 4, result.stderr
    assert problems == sorted(problems)


def test_strict_turns_check_warnings_into_errors(project: Path, runner: CliRunner,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _replace(project / "profiles/channels/facebook.yml",
             FACEBOOK_OWNER, "")
    _replace(project / "profiles/channels/instagram.yml", "  en: people who love the coast",
             "  en: people who love the \u202ecoast")
    monkeypatch.chdir(project)
    before = snapshot(project / "output")
    lenient = runner.invoke(main, ["check"])
    assert "warning: facebook: no owner (add owner: <unit or role>) [no-owner]" in \
        lenient.stderr
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in lenient.stderr
    strict = runner.invoke(main, ["build", "--strict"])
    assert strict.exit_code == 1
    assert "profiles/channels/facebook.yml:1:1: facebook: no owner (add owner: <unit or role>) " \
        "[no-owner]" in strict.stderr.splitlines()
    assert snapshot(project / "output") == before
    (project / "kanalprofil.yml").write_text(
        (project / "kanalprofil.yml").read_text() + "checks: {no-owner: {severity: off}}\n")
    quiet = runner.invoke(main, ["check"])
    assert "no-owner" not in quiet.stderr
