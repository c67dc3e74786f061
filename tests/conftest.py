"""Fixtures shared by the tests: a bare plugin manager, the tiny network, the command line."""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pluggy
import pytest
from hypothesis import settings

from ki_network.testing import TINY, bare_plugin_manager, write_network

# Property tests explore new examples on every developer run; in CI they replay a fixed set,
# so a landing never depends on the luck of the draw (a failure prints a reproduction blob).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "oberberg"


@pytest.fixture
def pm() -> pluggy.PluginManager:
    """Built-in plugins only: the tests do not depend on what else is installed."""
    return bare_plugin_manager()


@pytest.fixture
def tiny_files() -> dict[str, Any]:
    """A deep copy of :data:`ki_network.testing.TINY` to change freely."""
    return copy.deepcopy(dict(TINY))


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """The tiny network written to a fresh directory."""
    return write_network(tmp_path / "net")


@attrs.frozen
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> CliResult:
    """``ki-network ARGS`` in a fresh interpreter, exactly as a person would run it."""
    done = subprocess.run([sys.executable, "-m", "ki_network", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd, check=False)
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture(scope="session")
def oberberg() -> Path:
    """The example network; skipped until it and its region plugin are there."""
    if not (EXAMPLE / "actors.yaml").exists():
        pytest.skip("examples/oberberg is not there yet")
    if importlib.util.find_spec("ki_network_oberberg") is None:
        pytest.skip("the region plugin ki-network-oberberg is not installed")
    return EXAMPLE


@contextlib.contextmanager
def time_limit(seconds: float, error: type[Exception] = TimeoutError) -> Iterator[None]:
    """Turn a hang into a failure: raise ``error`` when the block runs past ``seconds``
    (SIGALRM, so the main thread of a POSIX process only — which pytest's is)."""

    def expired(signum: int, frame: object) -> None:
        raise error(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- headless Chromium, for the report and the feed server's pages ---------------------------

#: screenshots the browser tests write for a person to look at
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)\] (.*)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0")

@pytest.fixture(scope="session")
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
