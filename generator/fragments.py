"""Fragments: the per-channel parts of the big pages, rendered once and kept between builds.

The overview, the register, the guidelines and the preview list every channel, so after
one channel changed they used to render a section for each of thousands of channels
whose text could not have changed. A template marks such a section::

    {% for c in channels %}
    {% fragment c %}
    ## {{ c.platform }} …
    {% endfragment %}
    {% endfor %}

and the section's text is looked up in the on-disk cache (:mod:`generator.chunkcache`,
a ``fragments-*.sqlite3`` file next to the Markdown one) before its body is rendered.

The contract: a fragment's text depends only on its arguments and on the page's context
other than its channel lists. The key of a fragment is therefore a hash of

- the *page scope* (:func:`page_scope`, computed by kanalprofil once per page and passed
  in the context as :data:`SCOPE`): the page's template name, every template file and
  language file (their digest), the catalogue, the locale, and every context value other
  than the channel lists (organisation, language, words, ``shared``, the guidelines
  texts, the first channel's view the page context spreads in, ...);
- the tag's place (template name, line, its number in that template);
- the arguments, serialised with :mod:`pickle` (no memo, protocol 5): type and value of
  everything, so a list and a tuple, a string and ``Markup`` never share a key. An
  argument pickle cannot serialise (a macro, a module) means no cache for that fragment.

The cache file's name covers kanalprofil's, Python's, Jinja2's, MarkupSafe's and Babel's
versions. Without a scope in the context (a page kanalprofil does not scope, a custom
use), without a cache (``KANALPROFIL_CACHE_DIR=off``) or with a broken one, the body is
simply rendered: slower, never different.

No query per fragment: each page scope stores the order its fragments were asked for in,
and the next build reads their texts ahead in that order, a few hundred per query (only
a fragment that is not where it was, such as a changed channel's, is looked up alone);
a scope with no stored order (new organisation, template or context) looks nothing up.
New fragments are written in one transaction by :func:`flush`, which the page code
calls when the page is done, also in forked workers (and earlier once they hold a million
characters, so the preview's cards are never all held at once).
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.runtime import Undefined
from markupsafe import Markup

from generator import __version__
from generator.chunkcache import ChunkStore, library_version

if TYPE_CHECKING:
    from jinja2.parser import Parser
    from jinja2.runtime import Context

    from generator.templating import Templates

#: The context variable that holds the page scope (hex); no scope, no cache.
SCOPE = "kanalprofil_fragment_scope"
_KEY_SIZE = 16

#: Under ``scope + ORDER`` a page scope keeps the keys its fragments were asked for in,
#: last time (hex): the next build reads their texts ahead in that order, in batches.
_ORDER = b"\0" * _KEY_SIZE
_READ_AHEAD = 256
#: New fragments are written once they hold this many characters, not only at a page's end
#: (a 12 KB card each on the preview: holding more only raises peak memory).
_PENDING_MAX = 1 << 20

#: The on-disk cache in use, fragments rendered since the last flush (and their size),
#: and the page scopes in use since then.
_STORE: ChunkStore | None = None
_PENDING: dict[bytes, str] = {}
_pending_chars = 0
_SCOPES: dict[bytes, _Scope] = {}
_TEMPLATE_DIGESTS: WeakKeyDictionary[Templates, str] = WeakKeyDictionary()


class Stats:
    """What this process's fragments did since the last :func:`reset_stats` (for tests)."""

    hits = 0
    rendered = 0
    uncached = 0


stats = Stats()


def reset_stats() -> None:
    stats.hits = stats.rendered = stats.uncached = 0


def _fingerprint() -> str:
    """Everything besides the key that shapes a stored fragment's text."""
    return "|".join((
        __version__, f"python {sys.version_info[0]}.{sys.version_info[1]}",
        f"jinja2 {library_version('jinja2')}", f"markupsafe {library_version('markupsafe')}",
        f"babel {library_version('babel')}", f"pickle {pickle.HIGHEST_PROTOCOL}"))


def use_cache(directory: Path | None) -> None:
    """Read and keep fragments in ``directory`` (None: render every fragment's body)."""
    global _STORE
    flush()
    if _STORE is not None:
        _STORE.close()
    _STORE = None if directory is None else ChunkStore(directory, _fingerprint(),
                                                       kind="fragments")


def flush() -> None:
    """Write the fragments rendered since the last flush, and the order each page asked
    for its fragments in, in one transaction, and forget what was read: call it when a
    page is done (a worker's page, too)."""
    for scope in _SCOPES.values():
        if scope.asked != scope.order:
            _PENDING[scope.prefix + _ORDER] = b"".join(scope.asked).hex()
    _SCOPES.clear()
    _write_pending()


def _write_pending() -> None:
    global _pending_chars
    if _STORE is not None and _PENDING:
        _STORE.put_many(_PENDING)
    _PENDING.clear()
    _pending_chars = 0


def _keep(key: bytes, text: str) -> None:
    """Remember a new fragment, written at the next flush or when enough are waiting
    (the preview's cards are large: they are not all held until the page is done)."""
    global _pending_chars
    _PENDING[key] = text
    _pending_chars += len(text)
    if _pending_chars >= _PENDING_MAX:
        _write_pending()


class _Serialiser(threading.local):
    """One pickler and buffer per thread, used again for every key: making them took a
    third of the time of serialising a channel's view."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.pickler = pickle.Pickler(self.buffer, protocol=5)
        self.pickler.fast = True  # no memo: shared and unshared equal values pickle the same


_SERIALISER = _Serialiser()


def _serialised(value: Any) -> bytes:
    """Type and value of ``value``, the same bytes for equal values whatever their
    identity (no pickle memo); raises for what pickle cannot serialise."""
    serialiser = _SERIALISER
    buffer = serialiser.buffer
    buffer.seek(0)
    buffer.truncate()
    try:
        serialiser.pickler.dump(value)
    except BaseException:
        _SERIALISER.__init__()  # type: ignore[misc]  # a dump cut short: start afresh
        raise
    return buffer.getvalue()


def template_digest(templates: Templates) -> str:
    """The digest of every template and language file, once per :class:`Templates`."""
    digest = _TEMPLATE_DIGESTS.get(templates)
    if digest is None:
        digest = _TEMPLATE_DIGESTS[templates] = templates.digest()
    return digest


def page_scope(template: str, context: Mapping[str, Any], *, leave_out: Iterable[str],
               inputs: Mapping[str, str]) -> str | None:
    """The page's part of every fragment key: ``template``, ``inputs`` (digests of what
    made the context's objects, such as templates and catalogue) and every context value
    but ``leave_out`` (the channel lists, and objects ``inputs`` stand for).

    None (no cache for this page) when a value cannot be serialised.
    """
    skip = set(leave_out)
    values = [(name, value) for name, value in context.items() if name not in skip]
    try:
        data = _serialised((template, sorted(inputs.items()), values))
    except Exception:  # whatever pickle refuses: the page renders in full
        return None
    return hashlib.blake2b(data, digest_size=_KEY_SIZE).hexdigest()


class _Scope:
    """A page scope's stored fragments, read ahead in batches in the order the last
    build asked for them (one query per batch, never all texts in memory at once)."""

    def __init__(self, store: ChunkStore, prefix: bytes) -> None:
        self.store = store
        self.prefix = prefix
        stored = store.get_many([prefix + _ORDER]).get(prefix + _ORDER, "")
        size = 2 * len(prefix) + 2 * _KEY_SIZE
        try:
            self.order = [bytes.fromhex(stored[i:i + size])
                          for i in range(0, len(stored), size)]
        except ValueError:  # not ours: read nothing ahead
            self.order = []
        self.ahead = 0  # how much of ``order`` has been read
        self.texts: dict[bytes, str] = {}
        #: The keys asked for in this build, in order.
        self.asked: list[bytes] = []

    def get(self, key: bytes) -> str | None:
        self.asked.append(key)
        found = self.texts.pop(key, None)  # each is used once: let go of it
        if found is None and self.order:
            if self.ahead < len(self.order):
                batch = self.order[self.ahead:self.ahead + _READ_AHEAD]
                self.ahead += len(batch)
                self.texts.update(self.store.get_many(batch))
                found = self.texts.pop(key, None)
            if found is None:  # not where it was last time (a changed channel, say)
                found = self.store.get_many([key]).get(key)
        return found


def _stored(prefix: bytes, key: bytes) -> str | None:
    """The stored text of the fragment ``key``, if any. A page scope without a stored
    order has never been rendered with a cache: nothing is looked up."""
    assert _STORE is not None
    scope = _SCOPES.get(prefix)
    if scope is None:
        scope = _SCOPES[prefix] = _Scope(_STORE, prefix)
    return scope.get(key)


def _body_rendered(tag: str, args: tuple[Any, ...]) -> None:
    """Called for each fragment body rendered: a hook for tests, does nothing."""


class FragmentExtension(Extension):
    """``{% fragment arg, … %}body{% endfragment %}``: the body's text, cached by its
    arguments and the page scope (see the module docstring)."""

    tags = {"fragment"}  # noqa: RUF012 - as Jinja2 declares it

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        args: list[nodes.Expr] = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            args.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        number = getattr(parser, "_kanalprofil_fragments", 0)
        parser._kanalprofil_fragments = number + 1  # type: ignore[attr-defined]
        tag = f"{parser.name}:{lineno}:{number}"
        call = self.call_method("_fragment", [nodes.Const(tag), nodes.ContextReference(),
                                              nodes.Tuple(args, "load")], lineno=lineno)
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, tag: str, context: Context, args: tuple[Any, ...],
                  caller: Callable[[], str]) -> str:
        scope = context.get(SCOPE)
        key = None
        if isinstance(scope, str) and _STORE is not None and not _STORE.broken \
                and not any(isinstance(arg, Undefined) for arg in args):
            try:
                data = _serialised(args)
            except Exception:  # not serialisable: render it, uncached
                stats.uncached += 1
            else:
                prefix = bytes.fromhex(scope)
                key = prefix + hashlib.blake2b(tag.encode("utf-8") + b"\0" + data,
                                               digest_size=_KEY_SIZE).digest()
                found = _stored(prefix, key)
                if found is None:
                    found = _PENDING.get(key)  # the same fragment twice on one page
                if found is not None:
                    stats.hits += 1
                    return Markup(found) if context.eval_ctx.autoescape else found
        text = caller()
        stats.rendered += 1
        _body_rendered(tag, args)
        if key is not None:
            _keep(key, text)
        return text
