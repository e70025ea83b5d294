"""Templates are sandboxed and strict; profile values are data, escaped in every HTML page."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT, snapshot


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("replacement", "message"), [
    ("{{ org.nmae }}", "templates/en/bio.txt.j2:5:1: undefined in template: 'dict object' has "
     "no attribute 'nmae' (fix the template)"),
    ("{{ ''.__class__.__mro__ }}", "templates/en/bio.txt.j2:5:1: not allowed in templates: "
     "access to attribute '__class__' of 'str' object is unsafe. (fix the template)"),
    ("{% if %}", "templates/en/bio.txt.j2:5:1: Expected an expression, got 'end of statement "
     "block' (fix the template)"),
])
def test_template_errors_name_template_and_line(in_project: Path, runner: CliRunner,
                                                replacement: str, message: str) -> None:
    _edit(in_project / "templates/en/bio.txt.j2", "{{ p.place(channel) }}", replacement)
    before = snapshot(in_project / "output")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1
    assert message in result.stderr.splitlines()
    assert snapshot(in_project / "output") == before


def test_profile_values_are_data_and_html_escapes_them(in_project: Path, runner: CliRunner
                                                       ) -> None:
    channel = in_project / "profiles/channels/facebook.yml"
    _edit(channel, "en: everyone who lives on or travels along the coast",
          'en: "{{ 7 * 7 }} <script>alert(1)</script> & <b>friends</b>"')
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    statement_md = (in_project / "output/channels/facebook/en/statement.md").read_text()
    assert "{{ 7 * 7 }}" in statement_md  # never evaluated
    html = (in_project / "output/channels/facebook/en/statement.html").read_text()
    assert "<script>" not in html and "alert(1)</script>" not in html
    assert "<b>friends</b>" not in html
    assert "{{ 7 * 7 }}" in html


def test_project_templates_override_built_in_ones_file_by_file(in_project: Path,
                                                                runner: CliRunner) -> None:
    own = in_project / "mytemplates" / "en"
    own.mkdir(parents=True)
    (own / "name.txt.j2").write_text("{% block only %}Fjord{% endblock %}\n", encoding="utf-8")
    config = in_project / "kanalprofil.yml"
    _edit(config, "templates_dir: templates", "templates_dir: mytemplates")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert (in_project / "output/channels/bluesky/en/name.txt").read_text() == "Fjord\n"
    # everything else still comes from the built-in templates
    assert (in_project / "output/channels/bluesky/en/bio.txt").read_text() == \
        (ROOT / "output/channels/bluesky/en/bio.txt").read_text()
    assert (in_project / "output/channels/facebook/nb/statement.md").is_file()


def test_tidy_markdown_keeps_a_list_with_a_nested_list_tight() -> None:
    from generator.render import tidy_markdown

    text = "Intro\n- We remove:\n    - spam\n    - threats\n- We are neutral.\n# Next\nText"
    assert tidy_markdown(text) == (
        "Intro\n\n- We remove:\n    - spam\n    - threats\n- We are neutral.\n\n# Next\n\nText\n")


def test_no_generated_page_has_loose_list_items() -> None:
    """A loose item (``<li><p>``) spaces one item apart from its neighbours in a page."""
    from tests.conftest import ROOT

    pages = sorted((ROOT / "output").rglob("*.html"))
    assert pages
    for page in pages:
        assert "<li>\n<p>" not in page.read_text(encoding="utf-8"), page


def test_the_names_a_template_takes_are_kept_with_its_compiled_form(tmp_path: Path) -> None:
    from generator.templating import Templates

    own = tmp_path / "templates"
    own.mkdir()
    page = own / "page.md.j2"
    page.write_text("{% set title = org.name %}{{ title }} {{ channel.id | upper }}\n")
    cache = tmp_path / "cache"
    assert Templates(own, cache).undeclared("page.md.j2") == {"org", "channel"}
    kept = list(cache.glob("jinja2-*-markup/undeclared-*.txt"))
    assert len(kept) == 1
    kept[0].write_text("org\nfrom_the_file")  # a later build reads it, not the template
    assert Templates(own, cache).undeclared("page.md.j2") == {"org", "from_the_file"}
    page.write_text("{{ lang }}\n")  # another source: found again
    assert Templates(own, cache).undeclared("page.md.j2") == {"lang"}
    assert Templates(own, None).undeclared("page.md.j2") == {"lang"}
