"""A small Bluesky (AT Protocol) client over plain HTTP XRPC, for the profile record only.

Reads and writes ``app.bsky.actor.profile`` record ``self`` with compare-and-swap:
``putRecord`` carries ``swapRecord`` = the CID that was read (``null`` when there was no
record), so a profile edited by someone else since it was read is never overwritten.
Every request has an explicit timeout; no token or password ever appears in an error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import regex

PROFILE_COLLECTION = "app.bsky.actor.profile"
PROFILE_RKEY = "self"
DEFAULT_TIMEOUT = 20.0

#: The profile lexicon's limits (lexicons/app/bsky/actor/profile.json): field →
#: (maxGraphemes, maxLength in UTF-8 bytes). The server checks the same ones.
PROFILE_LIMITS: Mapping[str, tuple[int, int]] = {
    "displayName": (64, 640),
    "description": (256, 2560),
}

_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def lexicon_problems(field_name: str, text: str) -> list[str]:
    """Why ``text`` breaks the profile lexicon for ``field_name``; empty when it fits."""
    limits = PROFILE_LIMITS.get(field_name)
    if limits is None:
        return []
    max_graphemes, max_bytes = limits
    problems = []
    if (count := graphemes(text)) > max_graphemes:
        problems.append(f"{field_name} is {count} graphemes, the limit is {max_graphemes}")
    if (size := len(text.encode("utf-8"))) > max_bytes:
        problems.append(f"{field_name} is {size} UTF-8 bytes, the limit is {max_bytes}")
    return problems


class BlueskyError(Exception):
    """A request failed: network, authentication, or refused by the server."""

    def __init__(self, message: str, *, status: int | None = None, error: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error = error


class SwapError(BlueskyError):
    """The record changed since it was read (``InvalidSwap``)."""


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str

    def __repr__(self) -> str:
        return f"Session(did={self.did!r}, handle={self.handle!r})"


@dataclass(frozen=True)
class ProfileRecord:
    """The profile record as read: its value (None when there is none) and CID."""

    did: str
    value: dict[str, Any] | None
    cid: str | None


class BlueskyClient:
    """XRPC calls against one service (a PDS or the bsky.social entryway)."""

    def __init__(self, service: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.service = service.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, nsid: str, *, params: Mapping[str, str] | None = None,
              body: Mapping[str, Any] | None = None, token: str | None = None
              ) -> dict[str, Any]:
        url = f"{self.service}/xrpc/{nsid}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json", "User-Agent": "kanalprofil"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise _server_error(nsid, exc) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BlueskyError(f"cannot reach {self.service} ({nsid}): {reason}") from None
        try:
            result = json.loads(payload) if payload else {}
        except json.JSONDecodeError:
            raise BlueskyError(f"{self.service} answered {nsid} with something that is "
                               "not JSON") from None
        if not isinstance(result, dict):
            raise BlueskyError(f"{self.service} answered {nsid} with unexpected JSON")
        return result

    def login(self, identifier: str, password: str) -> Session:
        """``com.atproto.server.createSession`` with a handle (or DID) and app password."""
        result = self._call("POST", "com.atproto.server.createSession",
                            body={"identifier": identifier, "password": password})
        return Session(str(result["did"]), str(result.get("handle", identifier)),
                       str(result["accessJwt"]))

    def resolve_handle(self, handle: str) -> str:
        """The DID of ``handle`` (``com.atproto.identity.resolveHandle``; no login)."""
        if handle.startswith("did:"):
            return handle
        result = self._call("GET", "com.atproto.identity.resolveHandle",
                            params={"handle": handle})
        return str(result["did"])

    def get_profile(self, did: str) -> ProfileRecord:
        """The ``self`` profile record, or value None when the account has none yet."""
        try:
            result = self._call("GET", "com.atproto.repo.getRecord", params={
                "repo": did, "collection": PROFILE_COLLECTION, "rkey": PROFILE_RKEY})
        except BlueskyError as exc:
            if exc.error == "RecordNotFound":
                return ProfileRecord(did, None, None)
            raise
        value = result.get("value")
        if not isinstance(value, dict):
            raise BlueskyError(f"{self.service}: the profile record of {did} is not an object")
        return ProfileRecord(did, value, str(result["cid"]) if result.get("cid") else None)

    def put_profile(self, session: Session, record: Mapping[str, Any], swap: str | None
                    ) -> str:
        """Write the profile record if it is still ``swap`` (None: if there is none yet).

        Returns the new CID; raises SwapError when someone else changed it meanwhile.
        """
        body = {"repo": session.did, "collection": PROFILE_COLLECTION, "rkey": PROFILE_RKEY,
                "record": dict(record), "swapRecord": swap}
        result = self._call("POST", "com.atproto.repo.putRecord", body=body,
                            token=session.access_jwt)
        return str(result.get("cid", ""))


def _server_error(nsid: str, exc: urllib.error.HTTPError) -> BlueskyError:
    """The server's own error name and message, e.g. ``AuthenticationRequired: …``."""
    error, message = "", ""
    try:
        body = json.loads(exc.read() or b"{}")
        if isinstance(body, dict):
            error = str(body.get("error") or "")
            message = str(body.get("message") or "")
    except (json.JSONDecodeError, OSError, ValueError):
        pass
    detail = ": ".join(part for part in (error, message) if part) or str(exc.reason)
    text = f"{nsid} refused (HTTP {exc.code}): {detail}"
    if error in ("InvalidSwap",):
        return SwapError(text, status=exc.code, error=error)
    return BlueskyError(text, status=exc.code, error=error)
