"""``kanalprofil serve`` as a real subprocess: rebuilds, errors, live-reload endpoint, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.serving import running_server, wait_for


def test_serves_output_and_injects_reload_only_when_serving(project: Path) -> None:
    with running_server(project) as server:
        served = server.get("/").decode()
        assert "Forhåndsvisning av profilene" in served
        assert 'id="kanalprofil-live-reload"' in served
        assert "kanalprofil-live-reload" not in (project / "output/index.html").read_text()
        statement = server.get("channels/facebook/nb/statement.html").decode()
        assert "kanalprofil-live-reload" in statement
        assert server.get("channels/facebook/nb/bio.txt") == \
            (project / "output/channels/facebook/nb/bio.txt").read_bytes()
        assert server.state() == {"version": 0, "errors": []}
        assert server.stop() == 0
    assert "Stopped." in "".join(server.output)


def test_rebuilds_on_profile_change_and_survives_errors(project: Path) -> None:
    profile = project / "profiles/channels/facebook.yml"
    original = profile.read_text(encoding="utf-8")
    with running_server(project) as server:
        profile.write_text(original.replace(
            "alle som bor eller ferdes langs kysten", "alle som ror langs kysten"),
            encoding="utf-8")
        wait_for(lambda: server.state()["version"] >= 1, what="a rebuild")
        about = (project / "output/channels/facebook/nb/about.txt").read_text()
        assert "alle som ror langs kysten" in about
        assert "alle som ror langs kysten" in server.get("index.html").decode()

        good = (project / "output/index.html").read_bytes()
        profile.write_text(original.replace("platform: facebook", "platform: [facebook"),
                           encoding="utf-8")
        wait_for(lambda: bool(server.state()["errors"]), what="the error to be reported")
        state = server.state()
        assert any("facebook.yml" in line for line in state["errors"])
        assert (project / "output/index.html").read_bytes() == good
        assert server.get("index.html")  # still serving the last good output
        assert "still serving the last good output" in "".join(server.output)

        profile.write_text(original, encoding="utf-8")
        wait_for(lambda: not server.state()["errors"], what="the error to clear")
        assert server.stop() == 0


def test_rebuilds_on_template_change(project: Path) -> None:
    template = project / "templates/en/overview.md.j2"
    with running_server(project) as server:
        template.write_text(template.read_text(encoding="utf-8").replace(
            "# Our social media channels", "# Where to find us"), encoding="utf-8")
        wait_for(lambda: server.state()["version"] >= 1, what="a rebuild")
        assert "Where to find us" in server.get("site/en/overview.html").decode()
        assert server.stop() == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stops_cleanly_on_signal(project: Path, signum: int) -> None:
    with running_server(project) as server:
        assert server.stop(signum) == 0
    assert "Traceback" not in "".join(server.output)


def test_a_port_in_use_is_a_clear_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "generator", "serve", "--port", str(port)],
                             cwd=project, capture_output=True, text=True, timeout=60,
                             env={**os.environ, "PYTHONPATH": str(ROOT)},
                             check=False)
    assert run.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in run.stderr
    assert "Traceback" not in run.stderr
