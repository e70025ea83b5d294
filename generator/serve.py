"""``kanalprofil serve``: serve output/ on 127.0.0.1, rebuild on change, reload the browser.

A polling watcher (no extra dependency) looks at the modification times of the project
file, the profiles and the templates every half second. A change rebuilds with exactly the
code ``build`` uses (only changed files are written). A rebuild that fails keeps the old
output/, prints the problems and shows them in the page.

Live reload: HTML responses get a small script injected *by the server* (files on disk
are never changed) that polls ``/__kanalprofil/version`` and reloads when the build
counter moves. Ctrl-C and SIGTERM stop the server cleanly with exit code 0.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlsplit

import click

from generator.errors import InputError, KanalprofilError, Problems
from generator.project import Project

HOST = "127.0.0.1"
VERSION_PATH = "/__kanalprofil/version"
POLL_SECONDS = 0.5

#: Injected before ``</body>`` of every served HTML page (never written to disk).
RELOAD_SCRIPT = """<script id="kanalprofil-live-reload">
(function () {
  "use strict";
  var seen = null, box = null;
  function show(errors) {
    if (!errors.length) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:99;max-height:50vh;" +
        "overflow:auto;margin:0;padding:.75rem 1rem;background:#fff;color:#7a0010;" +
        "border-top:4px solid #a4161a;font:14px/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Rebuild failed; showing the last good output.\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("__VERSION_PATH__", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (state) {
        if (seen !== null && state.version !== seen) { window.location.reload(); return; }
        seen = state.version;
        show(state.errors || []);
      }).catch(function () {}).then(function () { window.setTimeout(poll, 500); });
  }
  poll();
}());
</script>
""".replace("__VERSION_PATH__", VERSION_PATH)


@dataclass
class BuildState:
    """What the version endpoint reports: a counter moved by every change, and errors."""

    version: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "errors": list(self.errors)}

    def update(self, *, changed: bool, errors: list[str]) -> None:
        with self.lock:
            if changed or errors != self.errors:
                self.version += 1
            self.errors = errors


def watched_files(project: Project) -> Iterable[Path]:
    """The project file, every profile and every template file that a build reads."""
    if project.config_file is not None:
        yield project.config_file
    roots = [project.profiles_dir]
    from generator.templating import Templates

    roots.extend(Templates(project.templates_dir).roots)
    for root in roots:
        if root.is_dir():
            yield from (p for p in root.rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts)


def fingerprint(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def rebuild(project: Project, echo: Callable[[str], None]) -> tuple[bool, list[str]]:
    """Build and write output/ as ``build`` does; (whether files changed, error lines)."""
    from generator.build import write_output

    problems = Problems()
    try:
        _, applied = write_output(project, problems=problems)
    except InputError as exc:
        lines = [str(p) for p in exc.problems]
        for line in lines:
            echo(line)
        echo(f"rebuild failed ({len(lines)} problem{'s' if len(lines) != 1 else ''}); "
             "still serving the last good output")
        return False, lines
    except KanalprofilError as exc:
        echo(f"rebuild failed: {exc.message}")
        return False, [exc.message]
    for warning in problems.warnings:
        echo(str(warning))
    if applied.changed:
        echo(f"rebuilt: {len(applied.created)} created, {len(applied.updated)} updated, "
             f"{len(applied.deleted)} deleted")
    else:
        echo("rebuilt: nothing changed")
    return applied.changed, []


class Handler(SimpleHTTPRequestHandler):
    """Static files from output/, HTML with the reload script, and the version endpoint."""

    state: BuildState

    def __init__(self, *args: Any, state: BuildState, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests are not logged (rebuilds and errors are)."""

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == VERSION_PATH:
            self._send(json.dumps(self.state.snapshot()).encode(), "application/json")
            return
        local = Path(self.translate_path(self.path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            html = local.read_bytes().decode("utf-8", "replace")
            marker = html.rfind("</body>")
            html = (html[:marker] + RELOAD_SCRIPT + html[marker:]) if marker >= 0 \
                else html + RELOAD_SCRIPT
            self._send(html.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_server(directory: Path, state: BuildState, port: int) -> ThreadingHTTPServer:
    handler = partial(Handler, state=state, directory=str(directory))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise KanalprofilError(f"cannot serve on {HOST}:{port}: {exc.strerror or exc}; "
                               "choose another --port (0 picks a free one)") from None
    server.daemon_threads = True
    return server


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def serve(load: Callable[[], Project], port: int,
          echo: Callable[[str], None] = _echo_err) -> None:
    """Build, serve and watch until SIGINT or SIGTERM; the project is reloaded per build."""
    from generator.writer import TerminatedError

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    project = load()
    state = BuildState()
    server: ThreadingHTTPServer | None = None
    try:
        # Each fingerprint is taken before the build it describes: an edit made while
        # output/ is built (or just after the address is printed) starts another build.
        seen = fingerprint(watched_files(project))
        changed, errors = rebuild(project, echo)
        state.update(changed=False, errors=errors)
        project.output_dir.mkdir(parents=True, exist_ok=True)
        server = make_server(project.output_dir, state, port)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                  name="kanalprofil-serve", daemon=True)
        thread.start()
        url = f"http://{HOST}:{server.server_address[1]}/"
        click.echo(f"Serving {project.display(project.output_dir)}/ at {url} "
                   "(Ctrl-C to stop)")
        sys.stdout.flush()
        while not stop.wait(POLL_SECONDS):
            now = fingerprint(watched_files(project))
            if now == seen:
                continue
            seen = now
            try:
                project = load()
            except KanalprofilError as exc:
                echo(f"rebuild failed: {exc.message}")
                state.update(changed=False, errors=[exc.message])
                continue
            seen = fingerprint(watched_files(project))  # the project may watch other files
            changed, errors = rebuild(project, echo)
            state.update(changed=changed, errors=errors)
    except TerminatedError:
        pass  # SIGTERM arrived while output/ was being written; it was finished first
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Stopped.")
