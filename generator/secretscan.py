"""What looks like a secret pasted into a profile: a credential must never be published.

Used by the build's ``secret-in-profile`` check and by ``publish``; kept apart from the
publishing code, so a build does not import it (and its HTTP client).
"""

from __future__ import annotations

import re

# What a secret looks like, by kind. The kinds, never the matches, are reported.
_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Bluesky app password",
     re.compile(r"(?<![A-Za-z0-9-])(?=[a-z0-9-]*[a-z])[a-z0-9]{4}(?:-[a-z0-9]{4}){3}"
                r"(?![A-Za-z0-9-])")),
    ("a private key block", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*", re.IGNORECASE)),
    ("a JSON web token (an access token)",
     re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("an API secret key (sk-…)", re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}")),
    ("a Stripe secret key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("a PyPI token", re.compile(r"\bpypi-AgE[A-Za-z0-9_-]{40,}")),
    ("a Facebook access token", re.compile(r"\bEAA[A-Za-z0-9]{30,}")),
    ("a Telegram bot token", re.compile(r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b")),
)


#: Any of the patterns, in one search: almost no text has a secret, and one search of
#: each of the build's 250,000 values (at 5,000 channels) costs a fifteenth of fifteen.
_ANY_SECRET = re.compile("|".join(
    f"(?{'i' if pattern.flags & re.IGNORECASE else ''}:{pattern.pattern})"
    for _, pattern in _SECRET_PATTERNS))


def find_secrets(text: str) -> list[str]:
    """The kinds of secret-looking values in ``text`` (e.g. "a bearer token"), in order.

    The values themselves are never returned, so a caller cannot print them by mistake.
    """
    if _ANY_SECRET.search(text) is None:
        return []
    return [kind for kind, pattern in _SECRET_PATTERNS if pattern.search(text)]


__all__ = ["find_secrets"]
