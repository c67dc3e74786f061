"""The report as a person sees it: rendered by a real headless Chromium.

Chromium is started as a person's browser would be, only headless: ``--dump-dom`` gives the
document after parsing and layout, ``--enable-logging=stderr`` writes every message of the
page's console to stderr (``INFO:CONSOLE...``), and ``--screenshot`` saves what it looks
like to ``tests/_artifacts/``.  The report has no scripts and its Content-Security-Policy
forbids every fetch, so any console message at all (a blocked request, a parse error) is a
failure.  A control page with a blocked request shows that the console capture works.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from matplotlib.image import imread

from ..conftest import ARTIFACTS, browse

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(report_dir: Path, tmp_path_factory: pytest.TempPathFactory,
           cli_module: Callable[..., Any]) -> Path:
    output = tmp_path_factory.mktemp("browser") / "report.html"
    done = cli_module("report", report_dir, "-o", output, "--today", "2026-03-02")
    assert done.code == 0, done.stderr
    return output


@pytest.fixture(scope="module")
def cli_module() -> Callable[..., Any]:
    """``ki-network ARGS`` in a fresh interpreter, for module-scoped fixtures."""
    def run(*args: str | Path) -> Any:
        done = subprocess.run([sys.executable, "-m", "ki_network", *map(str, args)],
                              capture_output=True, text=True, timeout=300, check=False)
        return SimpleNamespace(code=done.returncode, stdout=done.stdout, stderr=done.stderr)
    return run


def test_console_capture_sees_a_blocked_request(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<title>control</title></head><body><img src="https://example.org/x.png" alt="x">'
        "</body></html>", encoding="utf-8")
    _, console = browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert any("Content Security Policy" in message for message in console), console


def test_report_renders_without_console_messages(chromium: str, report: Path,
                                                 tmp_path: Path) -> None:
    dom, console = browse(chromium, tmp_path / "profile", "--dump-dom", report.as_uri())
    assert console == []
    assert '<html lang="de">' in dom
    for element_id in ("findings", "network-map", "network-map-svg", "coverage-heatmap",
                       "coverage-heatmap-svg", "week-calendar", "subjects"):
        assert f'id="{element_id}"' in dom, element_id
    assert 'aria-labelledby="network-map-svg-title"' in dom
    assert "<title id=\"network-map-svg-title\">Netzwerkkarte: 3 Akteure" in dom
    assert 'aria-label="Tage der Woche"' in dom
    assert "Sprachcafé" in dom and "Elternabend" in dom  # the week
    assert 'href="#subject-verein"' in dom and 'id="subject-verein"' in dom  # findings


def test_screenshot(chromium: str, report: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    _, console = browse(chromium, tmp_path / "profile", f"--screenshot={shot}",
                        "--window-size=1280,2000", "--hide-scrollbars", report.as_uri())
    assert console == []
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    # not a blank page: text, the badges' colours, the map's dots
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 100


def test_example_network_report(chromium: str, oberberg: Path, tmp_path: Path,
                                cli_module: Callable[..., Any]) -> None:
    output = tmp_path / "oberberg.html"
    done = cli_module("report", oberberg, "-o", output, "--today", "2027-01-11")
    assert done.code == 0, done.stderr
    dom, console = browse(chromium, tmp_path / "profile", "--dump-dom", output.as_uri())
    assert console == []
    for element_id in ("network-map-svg", "coverage-heatmap-svg", "week-calendar",
                       "rule-isolated-actor", "subject-eritreischer-verein-bergneustadt"):
        assert f'id="{element_id}"' in dom, element_id
    assert "Morsbach" in dom and "Wohlfahrtsverband" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-oberberg.png"
    _, console = browse(chromium, tmp_path / "profile", f"--screenshot={shot}",
                        "--window-size=1280,2000", "--hide-scrollbars", output.as_uri())
    assert console == [] and shot.stat().st_size > 10_000


# -- the example report as a coordinator meets it: first screen, links, filters ----------------
#
# Driven through the Chrome DevTools protocol by Playwright (the ``playwright`` package of the
# dev extra) with the system's Chromium: nothing is downloaded.  Without either, these tests
# skip and say what to install.

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def playwright_browser(chromium: str) -> Any:
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the browser tests drive Chromium with Playwright: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def example_report(oberberg: Path, tmp_path_factory: pytest.TempPathFactory,
                   cli_module: Callable[..., Any]) -> SimpleNamespace:
    tmp = tmp_path_factory.mktemp("example")
    output, findings = tmp / "oberberg.html", tmp / "findings.json"
    done = cli_module("report", oberberg, "-o", output, "--today", "2027-01-11",
                      "--findings-json", findings)
    assert done.code == 0, done.stderr
    return SimpleNamespace(html=output, findings=json.loads(findings.read_text())["findings"])


def open_page(browser: Any, path: Path, viewport: tuple[int, int]) -> tuple[Any, list[str]]:
    """A fresh page of ``path``; every console message, page error and response from
    anywhere but the file lands in the returned list."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    page.on("response", lambda r: None if r.url.startswith("file:") else
            messages.append(f"response: {r.url}"))
    page.goto(path.as_uri())
    return page, messages


def wait_until(page: Any, expression: str, seconds: float = 5) -> None:
    """Poll ``expression`` until it is true.  Not ``page.wait_for_function``: that evaluates
    a string with ``eval`` inside the page, which the report's policy rightly forbids."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still not true: {expression}"
        page.wait_for_timeout(50)


def visible(page: Any) -> list[dict[str, str]]:
    return list(page.eval_on_selector_all(
        "[data-finding]", "els => els.filter(e => !e.closest('[hidden]')).map(e => "
        "({rule: e.dataset.rule, severity: e.dataset.severity, places: e.dataset.places}))"))


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_first_screen_shows_the_state_of_the_network(playwright_browser: Any,
                                                     example_report: SimpleNamespace,
                                                     device: str) -> None:
    width, height = VIEWPORTS[device]
    page, messages = open_page(playwright_browser, example_report.html, (width, height))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-first-screen-{device}-{width}x{height}.png"))
    page.screenshot(path=str(ARTIFACTS / f"report-{device}-full.png"), full_page=True)
    # key figures and the top findings are in the first viewport, whole
    for selector in ("h1", "#key-figures", "#top-findings", "nav.onward"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0, selector
        assert box["y"] + box["height"] <= height, f"{selector} ends below the first screen"
        assert box["x"] + box["width"] <= width, f"{selector} is wider than the screen"
    figures = page.locator("#key-figures").inner_text()
    for label in ("Akteure", "Angebote", "Termine", "Kommunen mit Angeboten", "Warnungen: 17"):
        assert label in figures
    top = page.locator("#top-findings > li")
    assert 3 <= top.count() <= 5
    severities = [top.nth(i).get_attribute("class") for i in range(top.count())]
    assert severities[0] in ("sev-error", "sev-warning")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    assert messages == []
    page.close()


def test_map_and_heat_map_are_one_link_away(playwright_browser: Any,
                                            example_report: SimpleNamespace) -> None:
    page, messages = open_page(playwright_browser, example_report.html, VIEWPORTS["desktop"])
    page.locator("nav.onward a[href='#network-map']").click()
    wait_until(page, "location.hash === '#network-map'")
    box = page.locator("#network-map-heading").bounding_box()
    assert box is not None and -2 <= box["y"] < 100  # scrolled to the map
    assert page.locator("#network-map-svg").is_visible()
    # the heat map follows right after the map, the next thing when scrolling on
    assert page.evaluate("document.getElementById('network-map').nextElementSibling.id") \
        == "coverage-heatmap"
    assert page.locator("#coverage-heatmap-svg").is_visible()
    assert messages == []
    page.close()


def test_findings_are_collapsed_by_rule_and_filters_work(playwright_browser: Any,
                                                         example_report: SimpleNamespace
                                                         ) -> None:
    findings = example_report.findings
    page, messages = open_page(playwright_browser, example_report.html, VIEWPORTS["desktop"])
    groups = page.locator("details[data-rule-group]")
    rules = sorted({f["rule"] for f in findings})
    assert groups.count() == len(rules)
    for i in range(groups.count()):
        group = groups.nth(i)
        assert group.get_attribute("open") is None  # collapsed
        rule = group.evaluate("d => d.closest('section').id.slice(5)")
        count = group.locator("summary [data-count]").first.inner_text()
        assert int(count) == sum(1 for f in findings if f["rule"] == rule), rule
    assert len(visible(page)) == len(findings)
    status = page.locator("#filter-status")
    assert status.inner_text() == f"{len(findings)} von {len(findings)} Befunden gezeigt"

    page.select_option("#filter-severity", "warning")
    shown = visible(page)
    assert len(shown) == sum(1 for f in findings if f["severity"] == "warning") == 17
    assert {f["severity"] for f in shown} == {"warning"}
    assert status.inner_text() == f"17 von {len(findings)} Befunden gezeigt"
    assert page.locator("#rule-coverage-gap").is_hidden()  # no warnings there

    page.select_option("#filter-place", "05374048")  # Wiehl
    shown = visible(page)
    assert shown and all("05374048" in f["places"].split() for f in shown)
    assert all(f["severity"] == "warning" for f in shown)

    page.locator("#finding-filters button[type=reset]").click()
    page.select_option("#filter-rule", "holiday-collision")
    shown = visible(page)
    assert len(shown) == sum(1 for f in findings if f["rule"] == "holiday-collision")
    assert page.locator("#rule-schedule-conflict").is_hidden()
    assert page.locator("#rule-holiday-collision").is_visible()

    page.locator("#finding-filters button[type=reset]").click()
    wait_until(page, f"document.querySelectorAll('[data-finding]:not([hidden])').length"
                     f" === {len(findings)}")
    assert messages == []
    page.close()


def test_a_top_finding_opens_where_it_stands(playwright_browser: Any,
                                             example_report: SimpleNamespace) -> None:
    page, messages = open_page(playwright_browser, example_report.html, VIEWPORTS["phone"])
    link = page.locator("#top-findings a").first
    target = str(link.get_attribute("href"))[1:]
    assert not page.locator(f"#{target}").is_visible()  # inside a collapsed rule
    link.click()
    finding = page.locator(f"#{target}")
    finding.wait_for(state="visible")
    box = finding.bounding_box()
    assert box is not None and 0 <= box["y"] < VIEWPORTS["phone"][1]
    assert messages == []
    page.close()


def test_the_policy_forbids_every_external_load(playwright_browser: Any,
                                                example_report: SimpleNamespace) -> None:
    """A mistake (or an injected element) that tries to load something is refused by the
    browser before any request leaves: an image, a script, a stylesheet, a fetch."""
    page, messages = open_page(playwright_browser, example_report.html, VIEWPORTS["desktop"])
    assert messages == []
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    violations = page.evaluate("""async () => {
        const seen = [];
        document.addEventListener("securitypolicyviolation", e => seen.push(e.violatedDirective));
        const img = document.createElement("img"); img.src = "https://example.org/x.png";
        const script = document.createElement("script"); script.src = "https://example.org/x.js";
        const css = document.createElement("link"); css.rel = "stylesheet";
        css.href = "https://example.org/x.css";
        const inline = document.createElement("script"); inline.textContent = "window.x = 1";
        document.body.append(img, script, css, inline);
        try { await fetch("https://example.org/y"); } catch (e) { seen.push("fetch refused"); }
        await new Promise(r => setTimeout(r, 300));
        return seen;
    }""")
    assert "fetch refused" in violations
    for directive in ("img-src", "script-src-elem", "style-src-elem", "connect-src"):
        assert directive in violations, (directive, violations)
    assert not [m for m in messages if m.startswith("response:")]  # nothing came back
    assert len(failed) == 3 and all(f.endswith(" csp") for f in failed), failed  # blocked
    assert page.evaluate("window.x") is None  # the injected inline script did not run
    page.close()


def test_what_moved_is_one_click_away(playwright_browser: Any, oberberg: Path,
                                      example_report: SimpleNamespace, tmp_path: Path,
                                      cli_module: Callable[..., Any]) -> None:
    """A week later, one offer changed: the first screen says 1 new, 1 resolved; the new
    finding is among the top ones, and "1 new" filters the list down to it."""
    from .test_since import NEW, changed_copy

    previous = tmp_path / "last.json"
    previous.write_text(json.dumps({"findings": example_report.findings,
                                    "audience": "public", "today": "2027-01-11"}))
    output = tmp_path / "now.html"
    done = cli_module("report", changed_copy(oberberg, tmp_path / "net"), "-o", output,
                      "--today", "2027-01-11", "--since", previous)
    assert done.code == 0, done.stderr
    page, messages = open_page(playwright_browser, output, VIEWPORTS["phone"])
    summary = page.locator("#changes-summary")
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= VIEWPORTS["phone"][1]
    assert "1 neu" in summary.inner_text() and "1 erledigt" in summary.inner_text()
    assert "neu" in page.locator("#top-findings").inner_text()  # what moved ranks higher
    summary.locator("[data-show-change=new]").click()
    wait_until(page, "document.querySelectorAll('[data-finding]:not([hidden])').length === 1")
    [shown] = visible(page)
    assert shown["rule"] == NEW[0]
    assert messages == []
    page.close()
