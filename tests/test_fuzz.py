"""Whatever a channel file holds, kanalprofil answers with a result or clear lines, never a
traceback, and a failed run leaves output/ exactly as it was."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import copy_project, snapshot

keys = st.sampled_from(["platform", "url", "handle", "languages", "status", "purpose",
                        "activity", "response", "comments", "moderation", "limits",
                        "retired", "pilot_ends", "owner", "last_reviewed", "audience",
                        "crisis", "display_name", "plattform", "<<", "1"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6),
                    st.text(max_size=30), st.sampled_from(
                        ["facebook", "https://example.org", "no", "15:30", "2026-02-30",
                         "active", "pilot", "retired", "\u202e", "{{ 7*7 }}", "nb"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
documents = st.one_of(
    st.dictionaries(keys, values, max_size=8).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(max_size=200),
    st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=documents)
def test_any_channel_file_gives_a_clean_answer(tmp_path_factory: pytest.TempPathFactory,
                                               document: str) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    project = copy_project(base / "p")
    (project / "profiles/channels/fuzzed.yml").write_text(document, encoding="utf-8")
    before = snapshot(project / "output")
    result = CliRunner().invoke(main, ["build", "--config", str(project / "kanalprofil.yml")],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert snapshot(project / "output") == before
        assert result.stderr.strip().splitlines()[-1].startswith("Aborted: ")
    shutil.rmtree(base)
