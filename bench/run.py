"""Benchmark kanalprofil on a synthetic organisation of N channels, as whole processes.

For each N (default 100, 1,000 and 5,000) it generates an organisation (``bench/synth.py``)
in a temporary folder and measures, each as its own process: a full build from an empty
output/, a rebuild with nothing changed, ``check`` and ``diff`` on the up-to-date output,
a rebuild after one channel changed, the bare reference (``bench/reference.py``: only
``yaml.safe_load``, one Jinja2 render and one write per file), ``kanalprofil --help`` and
``python -c "import click"``, and the peak memory of each. A separate, instrumented full
build gives the CPU time per stage (read, validate, render, fit, Markdown to HTML,
write) in one process, and two more the wall time per phase of a real build (whose
rendering is spread over the cores): a cold full build, and a rebuild after one channel
changed.

An output/ folder a measurement needs gone is moved aside into ``trash/`` beside the
organisations, not deleted, and the trash is deleted when the run ends. ext4 without a
journal (as on the machine the results come from) scans past every inode freed in the last 30
seconds each time it makes a file (``recently_deleted`` in ``fs/ext4/ialloc.c``), so
making 42,000 files just after deleting as many took the full build and the reference
each several seconds of kernel time that neither spends on a user's machine. (The
trash holds about 3 GB at N = 5,000 until then.)

Processes are timed with a monotonic clock; their peak RSS comes from ``/usr/bin/time -v``
when it exists, else from ``os.wait4`` (the child's own rusage). The table is printed as
Markdown and everything is written as JSON (``--out``).

Usage::

    python bench/run.py [--sizes 100,1000,5000] [--out bench/results.json] [--repeat 5]
                        [--heavy-repeat 3]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `generator` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.synth import generate, touch_one_channel  # noqa: E402

TIME = Path("/usr/bin/time")
_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")

#: (key, what it measures) in table order.
MEASURES = (
    ("reference", "bare reference (safe_load + render + write)"),
    ("full", "full build, empty output/"),
    ("nothing_changed", "rebuild, nothing changed"),
    ("one_changed", "rebuild, one channel changed"),
    ("check", "check (up to date)"),
    ("diff", "diff (up to date)"),
    ("help", "kanalprofil --help"),
    ("import_click", 'python -c "import click"'),
)
#: (name, numerator, denominator, most allowed)
TARGETS = (
    ("full build ≤ 1.2× reference", "full", "reference", 1.2),
    ("nothing changed ≤ 10% of full build", "nothing_changed", "full", 0.10),
    ("one channel changed ≤ 15% of full build", "one_changed", "full", 0.15),
    ("--help ≤ 1.2× import click", "help", "import_click", 1.2),
)
RSS_TARGET = 2.5


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_kb: int
    returncode: int
    stdout: str


def run(argv: list[str], cwd: Path, env: dict[str, str], timer: str) -> Run:
    """Run one process to its end; wall time and the peak RSS of that process."""
    use_time = timer == "time" or (timer == "auto" and TIME.exists())
    command = [str(TIME), "-v", *argv] if use_time else argv
    start = time.perf_counter()
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        if use_time:
            stdout, stderr = process.communicate()
            seconds = time.perf_counter() - start
            match = _RSS.search(stderr)
            rss = int(match.group(1)) if match else 0
            code = process.returncode
        else:
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            assert process.stdout is not None and process.stderr is not None
            stdout, stderr = process.stdout.read(), process.stderr.read()
            rss, code = int(usage.ru_maxrss), process.returncode
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed ({code}):\n{stdout}\n{stderr}")
    return Run(seconds, rss, code, stdout)


def best(runs: list[Run]) -> dict[str, Any]:
    return {"seconds": round(statistics.median(r.seconds for r in runs), 4),
            "max_rss_kb": max(r.max_rss_kb for r in runs), "runs": len(runs)}


def _timer(spent: dict[str, float]) -> Any:
    """``timed(module, name, key)``: from now on, calls of ``module.name`` add their wall
    time to ``spent[key]``, less the time of timed calls made inside them (the preview is
    made while ``render_parts`` waits for the pages), so the figures add up."""
    inner: list[float] = []  # per running timed call: time of the timed calls inside it

    def timed(module: Any, name: str, key: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            inner.append(0.0)
            try:
                return original(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                spent[key] += took - inner.pop()
                if inner:
                    inner[-1] += took
        setattr(module, name, wrapper)
    return timed


def set_aside(path: Path, trash: Path) -> None:
    """Move ``path`` (if it is there) into ``trash``, to delete once nothing is timed (see
    the module docstring): as deleting it, for what comes next."""
    if not path.exists():
        return
    trash.mkdir(parents=True, exist_ok=True)
    path.rename(tempfile.mkdtemp(prefix=f"{path.name}-", dir=trash))


def trash_of(root: Path) -> Path:
    """Where set-aside folders of the organisation at ``root`` go (beside it)."""
    return root.parent / "trash"


def stages(root: Path) -> dict[str, float]:
    """One full build in this process, timing each stage (called as ``run.py stages``).

    Workers and the Markdown cache are off here, so each figure is the CPU time that
    stage needs (a real build spreads render, fit and Markdown over the cores).
    """
    os.environ["KANALPROFIL_JOBS"] = "1"
    os.environ["KANALPROFIL_CACHE_DIR"] = "off"
    import generator.pages
    import generator.profiles
    import generator.render
    from generator.build import build
    from generator.errors import Problems
    from generator.plan import make_plan
    from generator.project import load_project
    from generator.writer import apply_plan

    spent: dict[str, float] = {"read": 0.0, "fit": 0.0, "markdown_html": 0.0}

    timed = _timer(spent)
    timed(generator.profiles, "_parse", "read")  # YAML to located data (cache off here)
    timed(generator.render, "fit", "fit")
    # every Markdown-to-HTML conversion passes here: statements (to_html), the big pages
    timed(generator.pages, "_sanitised_html", "markdown_html")
    timed(generator.pages, "_page_html", "markdown_html")
    original_load = generator.profiles.load_profiles
    loading = [0.0]

    def load_profiles(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original_load(*args, **kwargs)
        finally:
            loading[0] += time.perf_counter() - start
    setattr(generator.profiles, "load_profiles", load_profiles)  # noqa: B010 - keep mypy calm

    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    set_aside(project.output_dir, trash_of(root))
    start = time.perf_counter()
    result = build(project, problems=problems)
    built = time.perf_counter()
    plan = make_plan(project.output_dir, result.files, result.metadata, result.inputs)
    apply_plan(plan)
    end = time.perf_counter()
    render = built - start - loading[0] - spent["fit"] - spent["markdown_html"]
    return {"read": spent["read"], "validate": loading[0] - spent["read"],
            "render": render, "fit": spent["fit"], "markdown_html": spent["markdown_html"],
            "write": end - built, "total": end - start}


def phases(root: Path, *, one_changed: bool = False) -> dict[str, float]:
    """Wall time per phase of a build as ``kanalprofil build`` runs it (workers on):
    where a user waits, not where the CPU goes. Called as ``run.py phases`` (a cold full
    build) or ``run.py phases-one`` (a rebuild after one more channel changed, with the
    output/ and cache folder the earlier runs left)."""
    import generator.build
    import generator.preview
    import generator.rendering
    from generator.build import build, write_result
    from generator.errors import Problems
    from generator.project import load_project
    from generator.staging import staging

    spent: dict[str, float] = {"prepare": 0.0, "reuse": 0.0, "render_parallel": 0.0,
                               "preview": 0.0}

    timed = _timer(spent)
    timed(generator.build, "prepare", "prepare")
    timed(generator.build, "_survey", "reuse")
    timed(generator.build, "_check_output", "reuse")
    timed(generator.rendering, "render_parts", "render_parallel")
    timed(generator.preview, "add_preview", "preview")
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    if one_changed:
        touch_one_channel(root, len(list((root / "profiles" / "channels").glob("*.yml"))),
                          variant=99)
    else:
        set_aside(project.output_dir, trash_of(root))
        shutil.rmtree(os.environ["KANALPROFIL_CACHE_DIR"], ignore_errors=True)
    start = time.perf_counter()
    with staging(project.output_dir) as stager:  # as `kanalprofil build` does
        result = build(project, problems=problems,
                       reuse_from=project.output_dir if one_changed else None, stager=stager)
        built = time.perf_counter()
        write_result(project, result, stager=stager)
    end = time.perf_counter()
    other = built - start - sum(spent.values())
    if not one_changed:
        del spent["reuse"]
    return {**spent, "other": other, "plan_and_write": end - built, "total": end - start}


def measure(n: int, work: Path, repeat: int, timer: str, heavy: int = 1) -> dict[str, Any]:
    root = generate(work / f"org-{n}", n)
    # As after `pip install`: bytecode compiled once, not on every start of the process.
    compileall.compile_dir(str(REPO / "generator"), quiet=1)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("KANALPROFIL_NO_REUSE", "KANALPROFIL_JOBS"):
        env.pop(name, None)
    env["KANALPROFIL_CACHE_DIR"] = str(work / f"cache-{n}")
    python = sys.executable
    kanalprofil = [python, "-m", "generator"]
    #: What the installed ``kanalprofil`` script runs (``-m`` adds runpy's start-up).
    console_script = [python, "-c", "import sys; from generator.cli import main; "
                      "sys.exit(main(prog_name='kanalprofil'))"]
    output = root / "output"
    results: dict[str, Any] = {"channels": n}

    # Cold: no output/ and no cache (Markdown chunks, compiled templates), as on a new
    # machine; the rebuilds after it find what the last full build left in the cache.
    # Full builds and the reference take turns, so a slow spell of a shared machine
    # (or its disk) falls on both.
    manifest = output / ".kanalprofil-manifest.json"
    reference_out = work / f"reference-{n}"
    reference = [python, str(REPO / "bench" / "reference.py"), str(root), str(reference_out),
                 str(manifest)]
    fulls: list[Run] = []
    references: list[Run] = []
    trash = trash_of(root)
    for _ in range(heavy):
        shutil.rmtree(env["KANALPROFIL_CACHE_DIR"], ignore_errors=True)
        set_aside(output, trash)
        fulls.append(run([*kanalprofil, "build"], root, env, timer))
        set_aside(reference_out, trash)
        references.append(run(reference, root, env, timer))
    set_aside(reference_out, trash)
    # The full builds and references wrote gigabytes at 5,000 channels; left to the
    # kernel, that writing back would slow the rebuilds measured next.
    if hasattr(os, "sync"):
        os.sync()
    results["files"] = sum(1 for p in output.rglob("*") if p.is_file()) - 1
    results["full"] = best(fulls)
    results["reference"] = best(references)
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    nothing = [run([*kanalprofil, "build"], root, env, timer) for _ in range(repeat)]
    after = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    results["nothing_changed"] = best(nothing)
    results["nothing_changed"]["wrote_nothing"] = before == after and all(
        "nothing written" in r.stdout for r in nothing)
    for name, args in (("check", ["check"]), ("diff", ["diff", "--no-color"])):
        runs = [run([*kanalprofil, *args], root, env, timer) for _ in range(repeat)]
        assert all(r.returncode == 0 for r in runs), runs[0].stdout
        results[name] = best(runs)
    changed: list[Run] = []
    for _ in range(repeat):
        touch_one_channel(root, n, variant=len(changed))
        if hasattr(os, "sync"):
            os.sync()  # each rebuild starts with nothing left to write back
        changed.append(run([*kanalprofil, "build"], root, env, timer))
    results["one_changed"] = best(changed)
    results["one_changed"]["output"] = changed[-1].stdout.strip()

    # Start-up takes tens of milliseconds: more runs, interleaved, so noise evens out.
    quick: dict[str, list[Run]] = {"help": [], "import_click": []}
    for _ in range(max(15, repeat)):
        quick["help"].append(run([*console_script, "--help"], root, env, timer))
        quick["import_click"].append(run([python, "-c", "import click"], root, env, timer))
    results.update({name: best(runs) for name, runs in quick.items()})
    staged = subprocess.run([python, str(Path(__file__).resolve()), "stages", str(root)],
                            env=env, check=True, capture_output=True, text=True)
    results["stages"] = {k: round(v, 3) for k, v in json.loads(staged.stdout).items()}
    for key, command in (("phases", "phases"), ("phases_one_changed", "phases-one")):
        phased = subprocess.run([python, str(Path(__file__).resolve()), command, str(root)],
                                env=env, check=True, capture_output=True, text=True)
        results[key] = {k: round(v, 3) for k, v in json.loads(phased.stdout).items()}
    results["ratios"] = {
        name: round(results[top]["seconds"] / results[bottom]["seconds"], 3)
        for name, top, bottom, _ in TARGETS}
    return results


def evaluate(sizes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    verdicts: list[dict[str, Any]] = []
    for n, result in sizes.items():
        for name, _, _, limit in TARGETS:
            ratio = result["ratios"][name]
            met = ratio <= limit
            if name.startswith("nothing"):
                met = met and bool(result["nothing_changed"]["wrote_nothing"])
            verdicts.append({"target": name, "channels": n, "ratio": ratio, "met": met})
    if 1000 in sizes and 5000 in sizes:
        ratio = sizes[5000]["full"]["max_rss_kb"] / sizes[1000]["full"]["max_rss_kb"]
        verdicts.append({"target": "peak RSS at 5,000 ≤ 2.5× at 1,000", "channels": 5000,
                         "ratio": round(ratio, 3), "met": ratio <= RSS_TARGET})
    return verdicts


def table(sizes: dict[int, dict[str, Any]], verdicts: list[dict[str, Any]]) -> str:
    ns = list(sizes)
    head = "| Measure | " + " | ".join(f"N = {n:,}" for n in ns) + " |"
    lines = [head, "|---|" + "---:|" * len(ns)]
    for key, label in MEASURES:
        cells = []
        for n in ns:
            entry = sizes[n][key]
            ratio = entry["seconds"] / sizes[n]["reference"]["seconds"]
            cells.append(f"{entry['seconds']:.2f} s ({ratio:.2f}×) · "
                         f"{entry['max_rss_kb'] / 1024:.0f} MB")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| files written | " + " | ".join(f"{sizes[n]['files']:,}" for n in ns) + " |")
    lines += ["", "| Target | N | Ratio | Met |", "|---|---:|---:|---|"]
    for verdict in verdicts:
        mark = "met" if verdict["met"] else "**missed**"
        lines.append(f"| {verdict['target']} | {verdict['channels']:,} | "
                     f"{verdict['ratio']:.3f} | {mark} |")
    lines += ["", "| Stage of a full build (s) | " + " | ".join(f"N = {n:,}" for n in ns) + " |",
              "|---|" + "---:|" * len(ns)]
    for stage in ("read", "validate", "render", "fit", "markdown_html", "write", "total"):
        lines.append(f"| {stage} | " + " | ".join(
            f"{sizes[n]['stages'][stage]:.2f}" for n in ns) + " |")
    lines += ["", "| Phase of a real full build, wall (s) | "
              + " | ".join(f"N = {n:,}" for n in ns) + " |", "|---|" + "---:|" * len(ns)]
    for phase in ("prepare", "render_parallel", "preview", "other", "plan_and_write",
                  "total"):
        lines.append(f"| {phase} | " + " | ".join(
            f"{sizes[n]['phases'][phase]:.2f}" for n in ns) + " |")
    lines += ["", "| Phase of a rebuild after one channel changed, wall (s) | "
              + " | ".join(f"N = {n:,}" for n in ns) + " |", "|---|" + "---:|" * len(ns)]
    for phase in ("reuse", "prepare", "render_parallel", "preview", "other",
                  "plan_and_write", "total"):
        lines.append(f"| {phase} | " + " | ".join(
            f"{sizes[n]['phases_one_changed'][phase]:.2f}" for n in ns) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sizes", default="100,1000,5000",
                        help="comma-separated channel counts")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each quick measurement (the median is kept)")
    parser.add_argument("--heavy-repeat", type=int, default=3,
                        help="runs of the full build and of the reference, taking turns")
    parser.add_argument("--timer", choices=["auto", "time", "rusage"], default="auto",
                        help="peak RSS from /usr/bin/time -v, or from os.wait4")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the organisations (default: a temporary one)")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="kanalprofil-bench-"))
    results: dict[int, dict[str, Any]] = {}
    try:
        for n in sizes:
            print(f"N = {n:,} …", file=sys.stderr, flush=True)
            results[n] = measure(n, work, max(1, args.repeat), args.timer,
                                 max(1, args.heavy_repeat))
    finally:
        shutil.rmtree(work if args.work is None else work / "trash", ignore_errors=True)
    verdicts = evaluate(results)
    document = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "markdown_cache": "cold for the full build, warm afterwards",
                    "platform": platform.platform(), "timer": args.timer,
                    "time_v": TIME.exists()},
        "sizes": {str(n): r for n, r in results.items()},
        "targets": verdicts,
    }
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(table(results, verdicts), end="")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("stages", "phases", "phases-one"):
        if sys.argv[1] == "stages":
            measured = stages(Path(sys.argv[2]))
        else:
            measured = phases(Path(sys.argv[2]), one_changed=sys.argv[1] == "phases-one")
        print(json.dumps(measured))
        sys.exit(0)
    sys.exit(main())

