"""Use every core for a large build: fork workers that share the rendering, in fixed order.

A build's time goes to rendering templates, fitting texts and converting Markdown, per
channel and per overview page, and all of it starts from state that is ready before the
first channel renders (compiled templates, checked profiles, one ``Renderer``). Forked
workers inherit that state, so nothing is pickled on the way in; only tasks (small
tuples) go out and results (bytes and small records) come back. :func:`map_ordered`
returns results in task order, whatever order the workers finish in, so a parallel build
is byte-identical to one in a single process (``tests/test_parallel.py`` compares them).

Workers are used only where ``fork`` exists (not on macOS) and the process runs one
thread (forking a threaded process, such as ``serve``'s watcher, can deadlock), and only
when the caller has enough work to pay for starting them. ``KANALPROFIL_JOBS`` overrides
the number of processes: ``1`` renders in this process, a larger number forces that many
workers.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

JOBS_ENV = "KANALPROFIL_JOBS"
#: Fewer units of work than this render in-process: forking costs tens of milliseconds.
PARALLEL_FROM = 48

T = TypeVar("T")
R = TypeVar("R")

#: The work function of the running ``map_ordered`` and the process that runs it; forked
#: workers inherit both.
_WORK: Callable[[Any], Any] | None = None
_PARENT = 0


def jobs_for(units: int) -> int:
    """How many processes to render ``units`` channels and pages with (1: no workers)."""
    wanted = os.environ.get(JOBS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return _possible(int(wanted))
    if units < PARALLEL_FROM:
        return 1
    return _possible(_cores())


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _possible(jobs: int) -> int:
    # macOS has fork, but forking after its system frameworks load may crash the child.
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods() \
            or sys.platform == "darwin" or threading.active_count() != 1:
        return 1
    return jobs


def map_ordered(work: Callable[[T], R], tasks: Sequence[T], jobs: int,
                on_result: Callable[[R], None] | None = None,
                meanwhile: Callable[[Callable[[], bool]], None] | None = None) -> list[R]:
    """``[work(task) for task in tasks]``, spread over ``jobs`` forked processes.

    ``work`` may be any callable (it is inherited, never pickled); tasks and results
    must pickle. An exception in a worker is raised here, as it would be in-process.
    ``on_result`` is called in this process on each result as soon as it is there, in
    the order they finish (to write files while the workers render on). ``meanwhile``
    is called in this process once the workers have their tasks, only if there are
    workers, with a function that says whether they still work: work this process
    would otherwise wait through, to stop when they are done.
    """
    global _WORK, _PARENT
    if jobs <= 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(work(task))
            if on_result is not None:
                on_result(results[-1])
        return results
    _WORK, _PARENT = work, os.getpid()
    pool = ProcessPoolExecutor(min(jobs, len(tasks)), initializer=_worker_started,
                               mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_run, task) for task in tasks]
        if meanwhile is not None:
            meanwhile(lambda: not all(future.done() for future in futures))
        for future in as_completed(futures):
            result = future.result()  # raises a worker's exception
            if on_result is not None:
                on_result(result)
        results = [future.result() for future in futures]
    except BaseException:
        # Tasks are short (a few channels, one page): waiting for the running ones leaves
        # no thread or process behind, so a later build in this process may fork again.
        pool.shutdown(cancel_futures=True)
        raise
    finally:
        _WORK = None
    pool.shutdown()
    return results


def _run(task: Any) -> Any:
    assert _WORK is not None, "map_ordered sets the work before forking"
    return _WORK(task)


def _worker_started() -> None:
    """End with the parent: a killed build must not leave workers rendering on.

    A worker forked while ``build`` turns signals into exceptions (to clean up what it
    staged, see :mod:`generator.staging`) would inherit that handler and live on after
    the parent's death signal: workers take the default ones back.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if os.getppid() != _PARENT:  # pragma: no cover - it died before prctl took effect
        os._exit(1)
