"""``publish`` without a server: secret detection, credentials, plan rendering, Mastodon.

The plan-rendering tests build plans by hand (pure formatting); everything that talks to
Bluesky is in test_publish_pds.py, against the real server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generator.build import build
from generator.cli import main
from generator.errors import Problems
from generator.project import load_project
from generator.publish import exit_code
from generator.publish.bluesky import lexicon_problems
from generator.publish.plan import (
    ChannelPlan,
    FieldPlan,
    Limit,
    Plan,
    State,
    load_reviewed,
    plan_to_json,
    render_plan,
)
from generator.publish.secrets import (
    Credentials,
    CredentialsError,
    bluesky_account,
    check_files_for_secrets,
    env_name,
    load_credentials_file,
)
from generator.secretscan import find_secrets

APP_PASSWORD = "abcd-2efg-hij3-klmn"


@pytest.mark.parametrize(("text", "kind"), [
    (f"password: {APP_PASSWORD}", "a Bluesky app password"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key block"),
    ("-----BEGIN RSA PRIVATE KEY-----", "a private key block"),
    ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "a bearer token"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJlc2lnbmF0dXJl",
     "a JSON web token (an access token)"),
    ("ghp_" + "a1B2" * 9, "a GitHub token"),
    ("glpat-" + "x" * 20, "a GitLab token"),
    ("xoxb-1234567890-abcdefghij", "a Slack token"),
    ("AKIA" + "ABCDEFGHIJKLMNOP", "an AWS access key"),
    ("AIza" + "S" * 35, "a Google API key"),
    ("sk-proj-" + "abc123" * 5, "an API secret key (sk-…)"),
    ("npm_" + "a" * 36, "an npm token"),
    ("pypi-AgEIcHlwaS5vcmc" + "q" * 40, "a PyPI token"),
    ("EAA" + "B" * 40, "a Facebook access token"),
])
def test_find_secrets_names_the_kind_only(text: str, kind: str) -> None:
    found = find_secrets(text)
    assert kind in found
    assert all(text not in item for item in found)


@pytest.mark.parametrize("text", [
    "We answer within 2 working days (Monday to Friday, 08:00 to 15:30).",
    "https://fjordetaten.example/en/social",
    "Ring 22 00 00 00 eller 1234-5678-9012-3456",   # digits only: not an app password
    "123e4567-e89b-12d3-a456-426614174000",         # a UUID
    "last_reviewed: 2026-10-20",
    "A bearer of good news",
    "sk-short",
])
def test_find_secrets_lets_ordinary_text_through(text: str) -> None:
    assert find_secrets(text) == []


_SECRET_PIECES = st.sampled_from([
    APP_PASSWORD, "-----BEGIN RSA PRIVATE KEY-----", "Bearer ", "bearer ", "a" * 16, "eyJ",
    "abcdefgh", ".", "ghp_", "github_pat_", "glpat-", "xoxb-", "AKIA", "ASIA", "AIza",
    "sk-", "sk-ant-", "rk_live_", "npm_", "pypi-AgE", "EAA", "123456789:AA", "A" * 36,
    "x" * 20, "-", "_", " ", "\n", "hei på deg", "Z9",
])


@given(st.lists(_SECRET_PIECES, max_size=8).map("".join))
def test_the_one_search_finds_what_the_patterns_find(text: str) -> None:
    """The combined search only says whether to look closer: never a different answer."""
    from generator.secretscan import _SECRET_PATTERNS

    assert find_secrets(text) == [kind for kind, pattern in _SECRET_PATTERNS
                                  if pattern.search(text)]


def test_secret_in_a_profile_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bluesky.yml"
    path.write_text(f"platform: bluesky\n# app password {APP_PASSWORD}\n", encoding="utf-8")
    problems = Problems()
    check_files_for_secrets([path], {path: "profiles/channels/bluesky.yml"}, problems)
    assert [str(p.location) for p in problems.errors] == ["profiles/channels/bluesky.yml:2:1"]
    assert APP_PASSWORD not in str(problems.errors[0])


def test_publish_refuses_a_profile_holding_a_secret(in_project: Path) -> None:
    channel = in_project / "profiles" / "channels" / "bluesky.yml"
    channel.write_text(channel.read_text(encoding="utf-8")
                       + f"notes: password {APP_PASSWORD}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["publish"])
    assert result.exit_code == 1
    assert "profiles/channels/bluesky.yml:" in result.output
    assert "a Bluesky app password" in result.output
    assert APP_PASSWORD not in result.output


def test_env_name() -> None:
    assert env_name("bluesky", "password") == "KANALPROFIL_BLUESKY_BLUESKY_PASSWORD"
    assert env_name("bluesky-en", "service") == "KANALPROFIL_BLUESKY_BLUESKY_EN_SERVICE"


def test_account_from_environment_wins_over_file() -> None:
    from_file = {"bluesky": {"identifier": "file.bsky.social", "password": "from-file",
                             "service": "https://pds.example"}}
    env = {env_name("bluesky", "password"): "from-env"}
    account = bluesky_account("bluesky", "@fjordetaten.bsky.social", from_file, env)
    assert account.credentials == Credentials("file.bsky.social", "from-env",
                                              "https://pds.example")
    assert "from-env" not in repr(account)


def test_account_defaults_to_handle_and_bsky_social() -> None:
    account = bluesky_account("bluesky", "@fjordetaten.bsky.social", {}, {})
    assert account.identifier == "fjordetaten.bsky.social"
    assert account.service == "https://bsky.social"
    assert account.credentials is None


@pytest.mark.parametrize("suffix", [".toml", ".yml"])
def test_credentials_file_yaml_or_toml(tmp_path: Path, suffix: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = tmp_path / f"credentials{suffix}"
    if suffix == ".toml":
        path.write_text('[bluesky]\nidentifier = "a.test"\npassword = "pw-1"\n')
    else:
        path.write_text("bluesky: {identifier: a.test, password: pw-1}\n")
    assert load_credentials_file(path, project) == {
        "bluesky": {"identifier": "a.test", "password": "pw-1"}}


def test_credentials_file_inside_the_project_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "credentials.toml"
    path.parent.mkdir()
    path.write_text('[bluesky]\npassword = "pw"\n')
    with pytest.raises(CredentialsError, match="inside the project folder"):
        load_credentials_file(path, tmp_path)


def test_credentials_file_errors_do_not_quote_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = tmp_path / "credentials.toml"
    path.write_text('[bluesky]\npassword = "top-secret-value\n')  # unterminated string
    with pytest.raises(CredentialsError) as caught:
        load_credentials_file(path, project)
    assert "top-secret" not in str(caught.value)
    path.write_text('[bluesky]\npasword = "top-secret-value"\n')
    with pytest.raises(CredentialsError, match="unknown key") as caught:
        load_credentials_file(path, project)
    assert "top-secret" not in str(caught.value)


def test_cli_refuses_credentials_inside_the_project(in_project: Path) -> None:
    inside = in_project / "credentials.yml"
    inside.write_text("bluesky: {password: pw}\n")
    result = CliRunner().invoke(main, ["publish", "--credentials", str(inside)])
    assert result.exit_code == 1
    assert "inside the project folder" in result.output


def test_lexicon_problems() -> None:
    assert lexicon_problems("description", "a" * 256) == []
    assert lexicon_problems("description", "a" * 257) == [
        "description is 257 graphemes, the limit is 256"]
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
    assert lexicon_problems("description", family * 103) == [
        "description is 2575 UTF-8 bytes, the limit is 2560"]
    assert lexicon_problems("displayName", "N" * 65) == [
        "displayName is 65 graphemes, the limit is 64"]


def test_exit_codes() -> None:
    assert exit_code(3, 0) == 0
    assert exit_code(0, 0) == 0
    assert exit_code(0, 2) == 1
    assert exit_code(1, 1) == 3


# -- pure formatting, on plans made by hand ------------------------------------------------

def _fake_plan() -> Plan:
    bio = FieldPlan("bio", "description", "New ```bio```\nline two", "Old bio", True,
                    (Limit("graphemes", 22, 256), Limit("utf8_bytes", 22, 2560)))
    name = FieldPlan("name", "displayName", "Etaten", "Etaten", True,
                     (Limit("graphemes", 6, 64),))
    return Plan((
        ChannelPlan("bluesky", "bluesky", "Bluesky", "active", "etaten.bsky.social", ("en",),
                    State.UPDATE, (name, bio), account="did:plc:x", version="bafyold"),
        ChannelPlan("bluesky-nb", "bluesky", "Bluesky", "pilot", "etaten-nb.bsky.social",
                    ("nb",), State.UNCHANGED, (name,)),
        ChannelPlan("bluesky-x", "bluesky", "Bluesky", "active", "x.bsky.social", ("nb",),
                    State.FAILED, message="login failed: AuthenticationRequired"),
    ), not_covered=("facebook",))


def test_render_text() -> None:
    text = render_plan(_fake_plan(), "text")
    assert text == (
        "bluesky (Bluesky, etaten.bsky.social, en): update\n"
        "  name → displayName: unchanged (6/64 graphemes)\n"
        "  bio → description: (22/256 graphemes, 22/2560 utf8_bytes)\n"
        "    - Old bio\n"
        "    + New ```bio```\n"
        "    + line two\n"
        "\n"
        "bluesky-nb (Bluesky, etaten-nb.bsky.social, nb, pilot): unchanged\n"
        "  name → displayName: unchanged (6/64 graphemes)\n"
        "\n"
        "bluesky-x (Bluesky, x.bsky.social, nb): FAILED\n"
        "  login failed: AuthenticationRequired\n"
        "\n"
        "No API adapter (paste from output/): facebook\n"
        "1 profile to update, 1 unchanged, 1 failed to read\n")


def test_render_markdown_fences_texts_safely() -> None:
    markdown = render_plan(_fake_plan(), "markdown")
    assert markdown.startswith("# Publish plan\n\n**1 profile to update, 1 unchanged, "
                               "1 failed to read**\n")
    assert "| bio | `description` | changes | 22/256 graphemes, 22/2560 utf8_bytes |" \
        in markdown
    assert "````text\nNew ```bio```\nline two\n````" in markdown
    assert "## bluesky-x: FAILED" in markdown


def test_render_json_round_trips_to_a_reviewed_plan() -> None:
    data = json.loads(render_plan(_fake_plan(), "json"))
    assert data == plan_to_json(_fake_plan())
    assert data["summary"] == "1 profile to update, 1 unchanged, 1 failed to read"
    first = data["channels"][0]
    assert first["version"] == "bafyold"
    assert first["fields"][1] == {
        "slot": "bio", "field": "description", "old": "Old bio",
        "new": "New ```bio```\nline two", "read": True, "changed": True,
        "limits": [{"rule": "graphemes", "count": 22, "max": 256},
                   {"rule": "utf8_bytes", "count": 22, "max": 2560}],
        "problems": []}
    reviewed = load_reviewed(data)
    assert reviewed["bluesky"].version == "bafyold"
    assert reviewed["bluesky"].new == {"displayName": "Etaten",
                                       "description": "New ```bio```\nline two"}
    with pytest.raises(ValueError, match="not a kanalprofil publish plan"):
        load_reviewed({"channels": []})


# -- Mastodon: a plan and a paste-ready export, no network ----------------------------------

def test_mastodon_plan_and_export(in_project: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--channel", "mastodon"])
    assert result.exit_code == 0, result.output
    out = result.output
    files = build(load_project(in_project / "kanalprofil.yml", Problems())).files
    name = files["channels/mastodon/nb/name.txt"].decode()[:-1]
    assert "mastodon (Mastodon, @fjordetaten@social.example, nb): paste by hand" in out
    assert "  name → display_name: (" in out
    assert f"    + {name}\n" in out
    assert "  paste-ready:\n    display_name:\n" in out
    assert "    fields_attributes:\n      1. " in out
    assert out.rstrip().endswith("0 profiles to update, 0 unchanged, 1 to paste by hand")

    as_json = CliRunner().invoke(main, ["publish", "--channel", "mastodon", "--format",
                                        "json"])
    export = json.loads(as_json.output)["channels"][0]["export"]
    assert export["note"] == files["channels/mastodon/nb/bio.txt"].decode()[:-1]
    assert export["fields_attributes"] == [
        {"name": files[f"channels/mastodon/nb/field-{i}-name.txt"].decode()[:-1],
         "value": files[f"channels/mastodon/nb/field-{i}-value.txt"].decode()[:-1]}
        for i in range(1, 5)]


def test_apply_without_anything_to_apply_for_mastodon_is_not_a_failure(
        in_project: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--apply", "--channel", "mastodon"])
    assert result.exit_code == 0, result.output
    assert "Nothing to apply" in result.output


def test_plan_file_needs_apply(in_project: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    result = CliRunner().invoke(main, ["publish", "--plan", str(plan)])
    assert result.exit_code == 2
    assert "--plan is for --apply" in result.output
