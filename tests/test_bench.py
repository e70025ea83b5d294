"""Smoke test: the benchmark script runs end to end on a tiny organisation (N = 20).

No timing is asserted here: absolute times depend on the machine, and the targets are
ratios measured by ``bench/run.py`` itself (see README, Performance).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_bench_runs_at_n_20(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "20",
                    "--repeat", "1", "--heavy-repeat", "2", "--out", str(out),
                    "--work", str(tmp_path / "work")],
                   check=True, capture_output=True, text=True, timeout=300)
    document = json.loads(out.read_text(encoding="utf-8"))
    result = document["sizes"]["20"]
    for key in ("reference", "full", "nothing_changed", "one_changed", "check", "diff",
                "help", "import_click"):
        assert result[key]["seconds"] > 0, key
        assert result[key]["max_rss_kb"] > 0, key
    assert result["full"]["runs"] == result["reference"]["runs"] == 2
    assert result["nothing_changed"]["wrote_nothing"] is True
    assert "updated" in result["one_changed"]["output"]
    assert set(result["phases"]) == {"prepare", "render_parallel", "preview", "other",
                                     "plan_and_write", "total"}
    assert set(result["phases_one_changed"]) == {"reuse", *result["phases"]}
    assert set(result["stages"]) >= {"read", "validate", "render", "fit", "markdown_html",
                                     "write"}
    assert {t["target"] for t in document["targets"]} >= {"full build ≤ 1.2× reference"}
    # the output/ folders set aside during the run are deleted once it ends
    assert not (tmp_path / "work" / "trash").exists()
    assert (tmp_path / "work" / "org-20" / "output").is_dir()


def test_set_aside_moves_a_folder_into_the_trash_and_skips_a_missing_one(tmp_path: Path
                                                                         ) -> None:
    from bench.run import set_aside, trash_of

    root = tmp_path / "org-3"
    output = root / "output"
    (output / "channels").mkdir(parents=True)
    (output / "channels" / "a.txt").write_text("a\n", encoding="utf-8")
    trash = trash_of(root)
    assert trash == tmp_path / "trash"
    for _ in range(2):  # the second time, output/ is gone: nothing happens
        set_aside(output, trash)
    assert not output.exists()
    (moved,) = trash.iterdir()
    assert moved.name.startswith("output-")
    assert (moved / "channels" / "a.txt").read_text(encoding="utf-8") == "a\n"
    output.mkdir()
    set_aside(output, trash)
    assert len(list(trash.iterdir())) == 2


def test_synthetic_organisation_is_valid_and_covers_every_platform(tmp_path: Path) -> None:
    from bench.synth import generate, platform_ids
    from generator.build import build
    from generator.errors import Problems
    from generator.project import load_project

    root = generate(tmp_path / "org", 60)
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    result = build(project, problems=problems)
    assert result.profiles is not None
    channels = result.profiles.channels
    assert {c.platform for c in channels} == set(platform_ids())
    assert {c.status for c in channels} == {"active", "pilot", "planned", "retired"}
    assert any(len(c.languages) == 2 for c in channels)
    assert not problems.warnings


def test_help_imports_none_of_the_heavy_libraries() -> None:
    code = ("import sys\nfrom generator.cli import main\n"
            "try:\n    main(['--help'], prog_name='kanalprofil')\nexcept SystemExit:\n    pass\n"
            "heavy = {'jinja2', 'babel', 'markdown', 'yaml', 'nh3', 'regex', 'emoji'}\n"
            "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]"
