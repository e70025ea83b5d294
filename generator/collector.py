"""Python's cycle collector, kept off the objects a build holds until it ends.

A build at thousands of channels holds millions of small, long-lived, acyclic objects
(profiles, texts, manifest entries). Each full collection walks all of them again: at
5,000 channels a few of them cost a tenth of a one-channel rebuild.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, then_settle: bool = False) -> Iterator[None]:
    """No automatic collection inside: for phases that make many objects and no cycles
    (reading profiles and output/, planning). Cycles made meanwhile are collected later.

    ``then_settle`` settles (:func:`settle`) what the process holds on the way out, for
    a phase whose objects live on: else the first collection after it walks all of them
    (they are all still young), a quarter of a second at 5,000 channels.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if then_settle:
            settle()
        if enabled:
            gc.enable()


def settle() -> None:
    """Keep the collector off what the process holds so far (``gc.freeze``); new objects
    are still collected as usual, until :func:`release`."""
    gc.freeze()


def release() -> None:
    """Let what :func:`settle` froze become garbage again (``serve`` builds again)."""
    gc.unfreeze()
