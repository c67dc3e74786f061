"""The real server for the web tests: ``ki-network serve`` (uvicorn) in a child process on a
loopback port, asked with a real HTTP client (httpx); every wait has a deadline."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "oberberg"
PARTNER_TOKEN = "partner-token-for-tests-0123456789"
INTERNAL_TOKEN = "internal-token-for-tests-0123456789"
TOKENS = {"KI_TEST_PARTNER_TOKEN": PARTNER_TOKEN, "KI_TEST_INTERNAL_TOKEN": INTERNAL_TOKEN}
TIMEOUT = httpx.Timeout(20.0)

SERVE_SETTINGS = """
serve:
  tokens:
    partners: {env: KI_TEST_PARTNER_TOKEN}
    internal: {env: KI_TEST_INTERNAL_TOKEN}
"""

# A public actor whose contact data is internal, with a public offer: the calendar names the
# provider's e-mail address as ORGANIZER, which must never reach the public.
SECRET_CONTACT_ACTOR = """
- id: test-beratungsstelle
  name: Beratungsstelle mit internem Kontakt
  kind: provider
  municipalities: [Gummersbach]
  contact: {email: nur-intern@obk.example, phone: "+49 2261 88-4999", visibility: internal}
  visibility: public
"""
SECRET_CONTACT_OFFER = """
- id: test-sprechstunde-interner-kontakt
  title: {de: Sprechstunde mit internem Kontakt, en: Office hour with an internal contact}
  provider: test-beratungsstelle
  topic: counselling
  target_groups: [adults]
  municipality: Gummersbach
  location: Moltkestraße 42, 51643 Gummersbach
  schedule:
    - {start: 2026-03-03T10:00, end: 2026-03-03T12:00, rrule: "FREQ=WEEKLY;BYDAY=TU",
       until: 2026-06-30}
  visibility: public
"""


def copy_example(target: Path) -> Path:
    """The example network with tokens configured and a public actor with internal contact
    data, in ``target``."""
    if not (EXAMPLE / "network.yaml").exists():
        pytest.skip(f"the example network {EXAMPLE} is not there")
    shutil.copytree(EXAMPLE, target)
    with (target / "network.yaml").open("a", encoding="utf-8") as handle:
        handle.write(SERVE_SETTINGS)
    with (target / "actors.yaml").open("a", encoding="utf-8") as handle:
        handle.write(SECRET_CONTACT_ACTOR)
    with (target / "offers.yaml").open("a", encoding="utf-8") as handle:
        handle.write(SECRET_CONTACT_OFFER)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A running ``ki-network serve``; ``url`` is its base URL."""

    def __init__(self, directory: Path, log: Path, *args: str,
                 script: Path | None = None, health: str = "/healthz") -> None:
        """``ki-network serve DIRECTORY ARGS``, or ``python SCRIPT DIRECTORY PORT``."""
        self.directory = directory
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._handle = log.open("wb")
        command = ([sys.executable, str(script), str(directory), str(self.port)] if script
                   else [sys.executable, "-m", "ki_network", "serve", str(directory), "--host",
                         "127.0.0.1", "--port", str(self.port), *args])
        self.process = subprocess.Popen(command, stdout=self._handle, stderr=subprocess.STDOUT,
                                        env={**os.environ, **TOKENS})
        self._wait_until_up(health=health)

    def _wait_until_up(self, seconds: float = 60.0, health: str = "/healthz") -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + health, timeout=2.0).status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not come up in {seconds} s: {self.output()}")

    def output(self) -> str:
        self._handle.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=TIMEOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._handle.close()


@pytest.fixture(scope="session")
def served_dir(tmp_path_factory: pytest.TempPathFactory, oberberg: Path) -> Path:
    return copy_example(tmp_path_factory.mktemp("served") / "oberberg")


@pytest.fixture(scope="session")
def server(served_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that only read (no edits of its directory)."""
    running = Server(served_dir, tmp_path_factory.mktemp("log") / "server.log")
    yield running
    running.stop()


@pytest.fixture
def start_server(tmp_path: Path, oberberg: Path) -> Iterator[Callable[..., Server]]:
    """A server of its own on a fresh copy, for tests that edit the data."""
    started: list[Server] = []

    def start(*args: str, script: Path | None = None, health: str = "/healthz") -> Server:
        directory = copy_example(tmp_path / f"net{len(started)}")
        started.append(Server(directory, tmp_path / f"server{len(started)}.log", *args,
                              script=script, health=health))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def wait_for(condition: Callable[[], bool], seconds: float = 20.0, step: float = 0.1) -> bool:
    """Poll ``condition`` until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
