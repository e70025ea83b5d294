"""Jinja2's sandbox with a shorter way to a plain dict's keys.

Templates read their data as ``channel.name``; for a dict, the stock sandbox first asks
for an attribute, catches the ``AttributeError`` and only then looks the key up: the
most frequent operation of a build, paid with an exception each time. For an exact
``dict`` whose attribute name is not one of ``dict``'s own, that attribute lookup can
only fail, so the key is looked up at once. Every other object, and any name ``dict``
has (``items``, ``__class__``, …), goes the stock, checked way.
"""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment

#: Every attribute a dict instance has (dicts have no per-instance attributes).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class Sandbox(SandboxedEnvironment):
    """``SandboxedEnvironment`` with the same answers, found faster for dict keys."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)
