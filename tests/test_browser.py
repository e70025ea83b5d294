"""The preview and the overview pages in a real browser: Chromium through Playwright.

Checks the cards, counts, filters and copy buttons (the clipboard gets exactly the .txt
text), takes screenshots and checks they are not blank, runs axe-core (WCAG 2.1 A/AA and
best practice: zero violations), runs the Nu HTML Checker on every page (no errors), and
shows that ``serve`` reloads an open page after a profile changes.

Set up with ``bash tests/browser/setup.sh``. Locally, missing tools skip these tests with
the reason; in CI (``CI=true``) a missing tool is a failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from generator.build import BuildResult, write_output
from generator.errors import Problems
from generator.project import load_project
from tests.browser.tools import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    SETUP_HINT,
    VNU,
    colour_stats,
    missing_tools,
    static_server,
)
from tests.conftest import copy_project
from tests.serving import running_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="session")
def tools() -> None:
    missing = missing_tools()
    if missing:
        reason = f"browser tests need {', '.join(missing)}: {SETUP_HINT}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true, so a skip is a failure: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tools: None, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Path, str, BuildResult]]:
    """A fresh build of the example, served by a plain static server."""
    from generator.build import build

    root = copy_project(tmp_path_factory.mktemp("site") / "project", with_output=False)
    problems = Problems()
    project = load_project(root / "kanalprofil.yml", problems)
    write_output(project, problems=problems)
    result = build(project, problems=Problems())
    with static_server(root / "output") as url:
        yield root / "output", url, result


@pytest.fixture(scope="module")
def browser(tools: None) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, site: tuple[Path, str, BuildResult]) -> Iterator[Page]:
    """A page that may use the clipboard and records every request it makes."""
    _, url, _ = site
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    requests: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    try:
        yield opened
        local = (url, "data:", "about:")
        outside = [r for r in requests if not r.startswith(local)]
        assert not outside, f"the page made network requests: {outside}"
    finally:
        context.close()


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])}x) e.g. "
                     f"{v['nodes'][0]['html'][:160]}" for v in violations)


def test_preview_cards_counts_and_copy_buttons(
        page: Page, site: tuple[Path, str, BuildResult]) -> None:
    output, url, result = site
    page.goto(url + "index.html")
    expected_cards = {f"{t.channel}-{'-'.join(t.languages)}" for t in result.texts}
    cards = page.locator("article.card")
    assert cards.count() == len(expected_cards)
    assert {cards.nth(i).get_attribute("id") for i in range(cards.count())} == \
        {f"card-{card}" for card in expected_cards}
    for text in result.texts:
        path = f"channels/{text.channel}/{'+'.join(text.languages)}/{text.slot}.txt"
        shown = page.locator(f'[data-text="{path}"]')
        assert shown.count() == 1, path
        meta = result.metadata[path]
        nums = shown.locator("xpath=following-sibling::*[contains(@class,'meta')][1]")
        counts = nums.locator(".nums").all_inner_texts()
        if meta["limit"]:
            assert counts == [f"{m['count']} / {m['max']}" for m in meta["limits"]], path
        else:
            assert counts == [str(len(text.text))], path
        assert not page.locator(".meter.over").count()
    buttons = page.locator("button[data-copy]")
    assert buttons.count() == len(result.texts)
    for i in range(buttons.count()):
        button = buttons.nth(i)
        key = button.get_attribute("data-copy")
        assert key is not None
        button.scroll_into_view_if_needed()
        button.click()
        expected = (output / key).read_text(encoding="utf-8")[:-1]
        assert page.evaluate("navigator.clipboard.readText()") == expected, key
        assert button.inner_text().startswith("Kopiert")  # the example's preview is in nb
    # The keyboard works too: focus a copy button with Tab and press Enter.
    page.evaluate("navigator.clipboard.writeText('')")
    page.locator("#f-status").focus()
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('button[data-copy]')"):
            break
    key = page.evaluate("document.activeElement.dataset.copy")
    page.keyboard.press("Enter")
    page.wait_for_function("k => navigator.clipboard.readText().then(t => t.length > 0)", arg=key)
    assert page.evaluate("navigator.clipboard.readText()") == \
        (output / key).read_text(encoding="utf-8")[:-1]


def test_preview_filters(page: Page, site: tuple[Path, str, BuildResult]) -> None:
    _, url, _ = site
    page.goto(url + "index.html")
    visible = "Array.from(document.querySelectorAll('article.card')).filter(c => !c.hidden)" \
              ".map(c => c.id).sort()"
    total = page.locator("article.card").count()
    assert total == 11  # 8 live profiles, and the retired X profile in nb, nn and en
    page.select_option("#f-platform", "mastodon")
    assert page.evaluate(visible) == ["card-mastodon-nb"]
    assert page.locator("#shown").inner_text() == f"Viser 1 av {total} profiler."
    page.select_option("#f-platform", "")
    page.select_option("#f-language", "en")
    assert page.evaluate(visible) == ["card-bluesky-en", "card-linkedin-nb-en", "card-x-en"]
    page.select_option("#f-language", "")
    page.select_option("#f-status", "pilot")
    assert page.evaluate(visible) == ["card-tiktok-nb"]
    page.select_option("#f-language", "en")
    assert page.evaluate(visible) == []
    assert page.locator("#shown").inner_text() == "Ingen profiler passer til filtrene."


def test_preview_counts_one_profile_in_the_singular(
        browser: Browser, tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", with_output=False)
    for channel in (root / "profiles" / "channels").glob("*.yml"):
        if channel.name != "mastodon.yml":
            channel.unlink()
    problems = Problems()
    write_output(load_project(root / "kanalprofil.yml", problems), problems=problems)
    problems.raise_if_errors()
    context = browser.new_context()
    try:
        with static_server(root / "output") as url:
            opened = context.new_page()
            opened.goto(url + "index.html")
            assert opened.locator("#shown").inner_text() == "Viser 1 av 1 profil."
    finally:
        context.close()


def test_statement_is_rendered_from_markdown_in_the_card(
        page: Page, site: tuple[Path, str, BuildResult]) -> None:
    _, url, _ = site
    page.goto(url + "index.html")
    card = page.locator("#card-facebook-nb")
    summary = card.locator("summary", has_text="Engelsk")
    summary.click()
    statement = card.locator('.statement[lang="en"]')
    assert statement.is_visible()
    assert statement.locator("h3").first.inner_text() == "How we use Facebook"
    assert statement.locator("li").count() > 3


def test_screenshots_are_not_blank(page: Page, site: tuple[Path, str, BuildResult]) -> None:
    _, url, _ = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("preview", "index.html"), ("overview-nb", "site/nb/overview.html")):
        page.goto(url + path)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target))
        colours, inked = colour_stats(target.read_bytes())
        assert colours > 50, f"{target}: only {colours} colours"
        assert inked > 0.02, f"{target}: {inked:.1%} of the pixels differ from the background"


@pytest.mark.parametrize("path", ["index.html", "site/nb/overview.html",
                                  "site/nn/overview.html", "site/en/overview.html",
                                  "channels/mastodon/en/statement.html"])
def test_axe_finds_no_violations(page: Page, site: tuple[Path, str, BuildResult],
                                 path: str) -> None:
    _, url, _ = site
    page.goto(url + path)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = _axe(page)
    assert not violations, _describe(violations)


def test_axe_finds_no_violations_with_filters_and_over_limit(
        page: Page, site: tuple[Path, str, BuildResult]) -> None:
    """The over-limit look (red meter, its label) passes contrast checks too."""
    _, url, _ = site
    page.goto(url + "index.html")
    page.select_option("#f-platform", "facebook")
    page.evaluate("""() => {
        const meter = document.querySelector('#card-facebook-nb .slot-bio .meter');
        meter.classList.add('over');
        meter.insertAdjacentHTML('beforeend', ' <strong class="flag">over limit by 3</strong>');
    }""")
    violations = _axe(page)
    assert not violations, _describe(violations)


def _nu_errors(pages: list[str]) -> list[str]:
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                          *pages], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    return [f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: "
            f"{m['message']}" for m in messages
            if m.get("type") == "error" or m.get("subType") == "fatal"]


def test_nu_html_checker_finds_no_errors(site: tuple[Path, str, BuildResult]) -> None:
    output, _, _ = site
    pages = sorted(str(p) for p in output.rglob("*.html"))
    assert len(pages) > 20
    errors = _nu_errors(pages)
    assert not errors, "\n".join(errors)


def test_linked_statements_lead_to_their_pages_and_pass_axe_and_the_nu_checker(
        browser: Browser, tmp_path: Path) -> None:
    """The preview as a project of more than 200 channels gets it: each card links to
    its statements' own pages instead of showing them."""
    root = copy_project(tmp_path / "project", with_output=False)
    config = root / "kanalprofil.yml"
    config.write_text(config.read_text(encoding="utf-8") + "preview_statements: linked\n",
                      encoding="utf-8")
    problems = Problems()
    write_output(load_project(config, problems), problems=problems)
    output = root / "output"
    statements = sorted(p.relative_to(output).as_posix()
                        for p in output.glob("channels/*/*/statement.html"))
    with static_server(output) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(url + "index.html")
            assert page.locator(".statement").count() == 0
            links = page.locator(".statements a")
            hrefs = sorted({links.nth(i).get_attribute("href") or ""
                            for i in range(links.count())})
            assert hrefs == statements
            first = links.first.get_attribute("href")
            links.first.click()
            page.wait_for_load_state()
            assert page.url == f"{url}{first}"
            assert page.locator("h1").count() == 1  # the statement's own page
            page.goto(url + "index.html")
            violations = _axe(page)
            assert not violations, _describe(violations)
        finally:
            context.close()
    errors = _nu_errors([str(output / "index.html")])
    assert not errors, "\n".join(errors)


def test_serve_reloads_the_open_page_after_a_profile_change(
        browser: Browser, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    profile = project / "profiles/channels/facebook.yml"
    original = profile.read_text(encoding="utf-8")
    with running_server(project) as server:
        context = browser.new_context()
        page = context.new_page()
        loads: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        page.goto(server.url)
        about = page.locator('[data-text="channels/facebook/nb/about.txt"]')
        assert "alle som ror langs kysten" not in about.inner_text()
        profile.write_text(original.replace("alle som bor eller ferdes langs kysten",
                                            "alle som ror langs kysten"), encoding="utf-8")
        page.wait_for_function(
            "() => document.querySelector('[data-text=\"channels/facebook/nb/about.txt\"]')"
            ".textContent.includes('alle som ror langs kysten')", timeout=20_000)
        assert len(loads) >= 2, "the page reloaded itself"
        # A broken profile shows the problem in the page and keeps the last good output.
        profile.write_text(original.replace("platform: facebook", "platform: [facebook"),
                           encoding="utf-8")
        alert = page.locator("[role=alert]")
        alert.wait_for(timeout=20_000)
        assert re.search(r"facebook\.yml:\d+:\d+", alert.inner_text())
        assert "alle som ror langs kysten" in about.inner_text()
        profile.write_text(original, encoding="utf-8")
        page.wait_for_function(
            "() => !document.querySelector('[role=alert]') && document.querySelector("
            "'[data-text=\"channels/facebook/nb/about.txt\"]').textContent"
            ".includes('ferdes langs kysten')", timeout=20_000)
        context.close()
        assert server.stop() == 0
