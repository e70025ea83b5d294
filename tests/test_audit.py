"""``kanalprofil audit``: one case per finding, every format, exit codes, golden reports.

The bundled example is the clean model (audit finds nothing there); the fixture project
``tests/fixtures/audit-findings`` has one channel per check, each with exactly one
problem. "Today" is fixed with SOURCE_DATE_EPOCH, so the reports are golden files:
regenerate them with ``KANALPROFIL_UPDATE_GOLDEN=1 pytest tests/test_audit.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.checks import REGISTRY
from generator.cli import main
from tests.conftest import ROOT, snapshot

FIXTURE = ROOT / "tests/fixtures/audit-findings"
GOLDEN = ROOT / "tests/golden"
#: 2026-12-01, after every review date in the example.
EPOCH = "1796083200"

#: check id -> the fixture channel that has exactly that problem
CASES = {
    "dialogue-without-response": "silent-dialogue",
    "duplicate-handle": "bluesky2",
    "invisible-unicode": "hidden-character",
    "no-owner": "no-owner",
    "pilot-expired": "expired-pilot",
    "pilot-no-end": "open-pilot",
    "platform-closed": "google-plus",
    "removes-criticism": "strict-rules",
    "retired-no-successor": "old-x",
    "review-overdue": "stale-review",
}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def findings_project(tmp_path: Path) -> Path:
    target = tmp_path / "audit-findings"
    shutil.copytree(FIXTURE, target)
    return target


def run(runner: CliRunner, config: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, ["audit", "--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KANALPROFIL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual, \
        f"{path} differs: run KANALPROFIL_UPDATE_GOLDEN=1 pytest tests/test_audit.py"


def test_every_check_but_secrets_has_its_case() -> None:
    assert set(CASES) == set(REGISTRY) - {"secret-in-profile"}


@pytest.mark.parametrize(("check_id", "channel"), sorted(CASES.items()))
def test_each_finding_is_reported_once_on_its_own_channel(runner: CliRunner, check_id: str,
                                                          channel: str) -> None:
    code, out, _ = run(runner, FIXTURE / "kanalprofil.yml", "--format", "json")
    assert code == 0
    report = json.loads(out)
    found = [f for f in report["findings"] if f["check"] == check_id]
    assert len(found) == 1, found
    assert found[0]["channel"] == channel
    assert found[0]["file"] == f"profiles/channels/{channel}.yml"
    row = next(r for r in report["channels"] if r["channel"] == channel)
    assert row["problems"] == [check_id]


def test_the_model_channels_of_the_fixture_are_clean(runner: CliRunner) -> None:
    report = json.loads(run(runner, FIXTURE / "kanalprofil.yml", "--format", "json")[1])
    clean = {r["channel"] for r in report["channels"] if not r["problems"]}
    assert clean == {"good", "bluesky"}
    assert report["summary"]["findings"] == len(CASES)
    assert report["summary"]["by_check"] == dict.fromkeys(sorted(CASES), 1)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "csv"])
def test_findings_report_is_golden(runner: CliRunner, fmt: str) -> None:
    code, out, err = run(runner, FIXTURE / "kanalprofil.yml", "--format", fmt)
    assert code == 0 and not err
    golden(f"audit-findings.{ {'text': 'txt', 'markdown': 'md'}.get(fmt, fmt) }", out)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_example_audit_is_golden_and_clean(runner: CliRunner, fmt: str) -> None:
    code, out, err = run(runner, ROOT / "kanalprofil.yml", "--format", fmt, "--strict")
    assert code == 0, out + err
    assert not err
    golden(f"audit-example.{'txt' if fmt == 'text' else 'md'}", out)
    assert "no problems found" in out
    # every channel, whatever its status: the guide's "check your online identity"
    for channel in ("facebook", "threads", "tiktok", "x"):
        assert channel in out
    for status in ("planned", "pilot", "retired"):
        assert status in out


def test_strict_makes_any_finding_fail(runner: CliRunner, findings_project: Path) -> None:
    config = findings_project / "kanalprofil.yml"
    assert run(runner, config)[0] == 0
    code, out, _ = run(runner, config, "--strict")
    assert code == 1
    assert "10 problems" in out  # the report is printed all the same
    config.write_text(config.read_text(encoding="utf-8") + "strict: true\n", encoding="utf-8")
    assert run(runner, config)[0] == 1


def test_a_check_set_to_error_fails_and_off_is_left_out(runner: CliRunner,
                                                        findings_project: Path) -> None:
    config = findings_project / "kanalprofil.yml"
    base = config.read_text(encoding="utf-8")
    config.write_text(base + "checks: {no-owner: {severity: error}}\n", encoding="utf-8")
    code, out, _ = run(runner, config, "--format", "json")
    assert code == 1
    severities = {f["check"]: f["severity"] for f in json.loads(out)["findings"]}
    assert severities["no-owner"] == "error"
    assert severities["pilot-expired"] == "warning"
    config.write_text(base + "checks: {no-owner: {severity: off}}\n", encoding="utf-8")
    code, out, _ = run(runner, config, "--format", "json")
    assert code == 0
    assert "no-owner" not in {f["check"] for f in json.loads(out)["findings"]}


def test_unknown_check_in_project_file_is_an_error(runner: CliRunner,
                                                   findings_project: Path) -> None:
    config = findings_project / "kanalprofil.yml"
    config.write_text(config.read_text(encoding="utf-8") + "checks: {no-ownr: {}}\n",
                      encoding="utf-8")
    code, _, err = run(runner, config)
    assert code == 1
    assert "unknown check 'no-ownr' under checks (did you mean 'no-owner'?)" in err


def test_review_age_is_configurable(runner: CliRunner, findings_project: Path) -> None:
    config = findings_project / "kanalprofil.yml"

    def overdue(*args: str) -> set[str]:
        out = run(runner, config, "--format", "json", *args)[1]
        return {f["channel"] for f in json.loads(out)["findings"]
                if f["check"] == "review-overdue"}

    assert overdue() == {"stale-review"}
    assert overdue("--review-max-age", "60") == set()
    # good.yml was reviewed 2026-03-01: nine months before the fixed day
    assert overdue("--review-max-age", "8") == {"good", "stale-review", "bluesky", "bluesky2",
                                                "expired-pilot", "google-plus",
                                                "hidden-character", "no-owner", "open-pilot",
                                                "silent-dialogue", "strict-rules"}
    config.write_text(config.read_text(encoding="utf-8").replace(
        "review_max_age_months: 12", "review_max_age_months: 120"), encoding="utf-8")
    assert overdue() == set()
    assert "older than 120 months" in run(runner, config)[1]


def test_never_reviewed_is_overdue(runner: CliRunner, findings_project: Path) -> None:
    good = findings_project / "profiles/channels/good.yml"
    good.write_text(good.read_text(encoding="utf-8").replace('last_reviewed: "2026-03-01"\n',
                                                             ""), encoding="utf-8")
    out = run(runner, findings_project / "kanalprofil.yml")[1]
    assert "good: never reviewed (add last_reviewed: YYYY-MM-DD) [review-overdue]" in out
    assert "good              Facebook   testagency" in out
    assert "never" in next(line for line in out.splitlines() if line.startswith("good "))


def test_a_renamed_platform_names_the_new_one(runner: CliRunner,
                                              findings_project: Path) -> None:
    platforms = findings_project / "profiles/platforms.yml"
    platforms.write_text(platforms.read_text(encoding="utf-8").replace(
        "status: closed", "status: renamed\n  renamed_to: bluesky"), encoding="utf-8")
    out = run(runner, findings_project / "kanalprofil.yml")[1]
    assert "google-plus: Google+ is renamed (now bluesky)" in out


def test_a_retired_profile_still_needs_an_owner(runner: CliRunner,
                                                findings_project: Path) -> None:
    old = findings_project / "profiles/channels/old-x.yml"
    old.write_text(old.read_text(encoding="utf-8").replace("owner: Communications\n", ""),
                   encoding="utf-8")
    report = json.loads(run(runner, findings_project / "kanalprofil.yml", "--format",
                            "json")[1])
    row = next(r for r in report["channels"] if r["channel"] == "old-x")
    assert row["problems"] == ["no-owner", "retired-no-successor"]


def test_json_format(runner: CliRunner) -> None:
    report = json.loads(run(runner, FIXTURE / "kanalprofil.yml", "--format", "json")[1])
    assert report["date"] == "2026-12-01"
    assert report["review_max_age_months"] == 12
    assert [r["channel"] for r in report["channels"]] == sorted(
        p.stem for p in (FIXTURE / "profiles/channels").glob("*.yml"))
    pilot = next(r for r in report["channels"] if r["channel"] == "expired-pilot")
    assert pilot == {
        "channel": "expired-pilot", "platform": "tiktok", "platform_name": "TikTok",
        "handle": "testagency", "url": "https://www.tiktok.com/@testagency",
        "status": "pilot", "owner": "Youth project", "purpose": ["broadcast"],
        "last_reviewed": "2026-03-01", "pilot_ends": "2026-01-31", "retired": None,
        "problems": ["pilot-expired"],
    }
    retired = next(r for r in report["channels"] if r["channel"] == "old-x")
    assert retired["retired"] == {"date": "2025-01-31", "successor": None}
    finding = next(f for f in report["findings"] if f["check"] == "pilot-expired")
    assert finding == {
        "check": "pilot-expired", "severity": "warning", "channel": "expired-pilot",
        "file": "profiles/channels/expired-pilot.yml", "line": 6, "column": 1,
        "message": "expired-pilot: pilot ended 2026-01-31",
        "hint": "set status: active, or retire the channel",
        "explanation": REGISTRY["pilot-expired"].explanation,
    }


def test_csv_format(runner: CliRunner) -> None:
    out = run(runner, FIXTURE / "kanalprofil.yml", "--format", "csv")[1]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["channel", "platform", "handle", "url", "status", "owner",
                             "purpose", "last_reviewed", "pilot_ends", "retired_on",
                             "successor", "problems", "details"]
    by_id = {row["channel"]: row for row in rows}
    assert len(by_id) == 12
    assert by_id["open-pilot"]["owner"] == "Communications, video"  # quoted comma survives
    assert by_id["silent-dialogue"]["purpose"] == "broadcast listen take_part"
    assert by_id["old-x"]["retired_on"] == "2025-01-31"
    assert by_id["good"]["problems"] == "" and by_id["good"]["details"] == ""
    assert by_id["stale-review"]["problems"] == "review-overdue"
    assert by_id["stale-review"]["details"].startswith(
        "profiles/channels/stale-review.yml:6:1: warning: stale-review: last reviewed "
        "2022-09-01, 51 months ago (limit 12)")


def test_findings_in_organisation_yml_get_their_own_row(runner: CliRunner,
                                                        findings_project: Path) -> None:
    org = findings_project / "profiles/organisation.yml"
    org.write_text(org.read_text(encoding="utf-8").replace(
        "name: {en: The Test Agency}", 'name: {en: "The Test\\u202eAgency"}'),
        encoding="utf-8")
    out = run(runner, findings_project / "kanalprofil.yml", "--format", "csv")[1]
    rows = {row["channel"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["(organisation)"]["problems"] == "invisible-unicode"
    assert "profiles/organisation.yml:2:" in rows["(organisation)"]["details"]


def test_build_reports_the_same_findings_from_the_same_registry(
        runner: CliRunner, findings_project: Path) -> None:
    config = findings_project / "kanalprofil.yml"
    built = runner.invoke(main, ["build", "--config", str(config)])
    assert built.exit_code == 0, built.output
    warnings = sorted(line for line in built.stderr.splitlines() if "warning:" in line)
    text = run(runner, config)[1]
    assert warnings == sorted(line for line in text.splitlines() if "warning:" in line)
    assert len(warnings) == len(CASES)


def test_invalid_profiles_fail_like_build(runner: CliRunner, findings_project: Path) -> None:
    good = findings_project / "profiles/channels/good.yml"
    good.write_text(good.read_text(encoding="utf-8") + "status: gone\n", encoding="utf-8")
    code, out, err = run(runner, findings_project / "kanalprofil.yml")
    assert code == 1 and not out
    assert "profiles/channels/good.yml:10:9: 'gone' is not one of: active, pilot, planned, " \
        "retired" in err


def test_audit_writes_nothing_and_stays_out_of_output(in_project: Path,
                                                      runner: CliRunner) -> None:
    before = snapshot(in_project / "output")
    result = runner.invoke(main, ["audit", "--format", "markdown"])
    assert result.exit_code == 0
    assert "Internal: this report names the owner" in result.stdout
    assert snapshot(in_project / "output") == before
    assert not any("audit" in path for path in before)
