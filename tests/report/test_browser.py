"""The report as a person sees it: rendered by a real headless Chromium.

Chromium is started as a person's browser would be, only headless: ``--dump-dom`` gives the
document after parsing and layout, ``--enable-logging=stderr`` writes every message of the
page's console to stderr (``INFO:CONSOLE...``), and ``--screenshot`` saves what it looks
like to ``tests/_artifacts/``.  The report has no scripts and its Content-Security-Policy
forbids every fetch, so any console message at all (a blocked request, a parse error) is a
failure.  A control page with a blocked request shows that the console capture works.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from matplotlib.image import imread

ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)\] (.*)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on this machine: install Debian's package (apt-get install "
                "chromium; .ci/run does so when it runs as root)")


def browse(chromium: str, profile: Path, *args: str) -> tuple[str, list[str]]:
    """Run Chromium headless with ``args``; its stdout and the page's console messages."""
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [m.group(1) for line in done.stderr.splitlines()
               if (m := CONSOLE.search(line))]
    return done.stdout, console


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
