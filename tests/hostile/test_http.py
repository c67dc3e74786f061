"""Hostile feed servers (issue #10, 5, and server-side request forgery).

A real HTTP server on 127.0.0.1, started by the tests, that trickles its headers, lies about
gzip, answers with a login page or redirects to addresses that are not public.  Loopback
itself is refused by default, so every test that wants an answer from it opts in
(``allow_private=True``, ``feeds: allow_private_addresses`` or ``--allow-private-addresses``)
— except those that check the refusal.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ki_network import DataError, load
from ki_network.calendar.ics_import.fetch import FetchError, fetch, refused_address
from ki_network.cli import main
from ki_network.testing import TINY, bare_plugin_manager, write_network

from ..conftest import time_limit

FEED = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@test\r\n"
        b"DTSTART:20260310T170000Z\r\nSUMMARY:Elternabend\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
#: the module (the package exports the function under the same name)
fetch_module = importlib.import_module("ki_network.calendar.ics_import.fetch")
LOGIN_PAGE = b"<!DOCTYPE html>\n<html><body><form>Bitte anmelden</form></body></html>\n"
EVENT_ID = "caritas-1-test-3d44fbd77f"  # the id of FEED's event for actor caritas
BUDGET = 10  # seconds for any one case; the limits under test are 1 s




class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path.split("?")[0], _missing)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            route(self)


def _missing(handler: _Handler) -> None:
    _send(handler, 404, b"not here")


def _send(handler: _Handler, status: int, body: bytes = b"", **headers: str) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    requests: list[str]
    routes: dict[str, Callable[[_Handler], None]]


@pytest.fixture
def server() -> Iterator[tuple[str, _Server]]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests = []
    httpd.routes = {"/feed.ics": lambda h: _send(h, 200, FEED, ETag='"1"')}
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


# --------------------------------------------------------------------------------------------
# One deadline from the connection to the last byte
# --------------------------------------------------------------------------------------------


def _trickle_headers(handler: _Handler) -> None:
    """A status line, then a header a byte every 0.1 s, for a minute: every read is quick."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    handler.wfile.flush()
    for byte in b"X-Slow: " + b"a" * 600:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.1)


def test_trickled_headers_end_at_the_deadline(server: tuple[str, _Server]) -> None:
    base, httpd = server
    httpd.routes["/trickle.ics"] = _trickle_headers
    started = time.monotonic()
    with time_limit(BUDGET), pytest.raises(FetchError) as caught:
        fetch(f"{base}/trickle.ics", timeout=1, allow_private=True)
    assert time.monotonic() - started < 3
    assert str(caught.value) == f"{base}/trickle.ics: no answer from 127.0.0.1 within 1 s"


def test_trickled_headers_do_not_hang_a_live_feed(server: tuple[str, _Server],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    base, httpd = server
    httpd.routes["/trickle.ics"] = _trickle_headers
    monkeypatch.setattr(fetch_module, "TIMEOUT", 1.0)
    monkeypatch.setattr(fetch_module.fetch, "__kwdefaults__",
                        {**fetch_module.fetch.__kwdefaults__, "timeout": 1.0})
    directory = _live_network(tmp_path, f"{base}/trickle.ics")
    started = time.monotonic()
    with time_limit(BUDGET), pytest.raises(DataError) as caught:
        load(directory, bare_plugin_manager())
    assert time.monotonic() - started < 4
    assert "calendar of actor 'caritas'" in str(caught.value)
    assert "no answer from 127.0.0.1 within 1 s" in str(caught.value)


def test_trickled_body_ends_at_the_same_deadline(server: tuple[str, _Server]) -> None:
    base, httpd = server

    def body_drip(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(0.05)

    httpd.routes["/drip.ics"] = body_drip
    started = time.monotonic()
    with time_limit(BUDGET), pytest.raises(FetchError, match=r"took longer than 1 s"):
        fetch(f"{base}/drip.ics", timeout=1, allow_private=True)
    assert time.monotonic() - started < 3


# --------------------------------------------------------------------------------------------
# Bodies that cannot be decoded, and bodies that are not calendars
# --------------------------------------------------------------------------------------------


def _gzip_liar(handler: _Handler) -> None:
    _send(handler, 200, FEED, Content_Encoding="gzip")


def test_a_body_that_claims_gzip_but_is_not_is_a_feed_error(server: tuple[str, _Server]) -> None:
    base, httpd = server
    httpd.routes["/liar.ics"] = _gzip_liar
    with time_limit(BUDGET), pytest.raises(FetchError) as caught:
        fetch(f"{base}/liar.ics", allow_private=True)
    message = str(caught.value)
    assert message.startswith(f"{base}/liar.ics: the server's answer cannot be decoded "
                              "(it says Content-Encoding: gzip)")
    assert "\n" not in message


def test_real_gzip_is_still_read(server: tuple[str, _Server]) -> None:
    base, httpd = server
    httpd.routes["/zipped.ics"] = lambda h: _send(h, 200, gzip.compress(FEED),
                                                  Content_Encoding="gzip")
    with time_limit(BUDGET):
        assert fetch(f"{base}/zipped.ics", allow_private=True).content == FEED


def test_ics_import_of_a_gzip_liar_is_one_line_and_exit_1(server: tuple[str, _Server],
                                                          tmp_path: Path) -> None:
    base, httpd = server
    httpd.routes["/liar.ics"] = _gzip_liar
    directory = write_network(tmp_path / "net")
    with time_limit(BUDGET):
        result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                           f"{base}/liar.ics", "--actor",
                                           "caritas", "--allow-private-addresses",
                                           str(directory)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {base}/liar.ics: the server's answer cannot be "
                                    "decoded")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def _live_network(tmp_path: Path, url: str) -> Path:
    actors = [dict(a) for a in TINY["actors.yaml"]]  # type: ignore[union-attr]
    actors[1]["calendar"] = url
    return write_network(tmp_path / "net", actors=actors, network={
        **TINY["network.yaml"], "feeds": {"allow_private_addresses": True}})


@pytest.mark.parametrize(("route", "reason"), [
    (_gzip_liar, "cannot be decoded (it says Content-Encoding: gzip)"),
    (lambda h: _send(h, 200, LOGIN_PAGE, Content_Type="text/html"),
     "an HTML page (a login or error page?), not an iCalendar feed"),
    (lambda h: _send(h, 200, b""), "the file is empty, not an iCalendar feed"),
], ids=["gzip-liar", "login-page", "empty"])
def test_live_feed_falls_back_to_the_cached_copy(server: tuple[str, _Server], tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture,
                                                 route: Callable[[_Handler], None],
                                                 reason: str) -> None:
    base, httpd = server
    directory = _live_network(tmp_path, f"{base}/feed.ics")
    with time_limit(BUDGET):
        assert EVENT_ID in load(directory, bare_plugin_manager()).events
    httpd.routes["/feed.ics"] = route  # the partner's server goes bad
    with time_limit(BUDGET), caplog.at_level(logging.WARNING, logger="ki_network.ics"):
        net = load(directory, bare_plugin_manager())
    assert EVENT_ID in net.events  # the copy fetched earlier
    warnings = [r.getMessage() for r in caplog.records]
    assert any(reason in w and "using the copy fetched earlier" in w and "actors.yaml:" in w
               for w in warnings), warnings
    # ... and the bad answer did not replace the good copy
    with time_limit(BUDGET):
        assert EVENT_ID in load(directory, bare_plugin_manager()).events


def test_live_feed_gzip_liar_without_a_copy_is_a_problem_at_the_actor(
        server: tuple[str, _Server], tmp_path: Path) -> None:
    base, httpd = server
    httpd.routes["/liar.ics"] = _gzip_liar
    directory = _live_network(tmp_path, f"{base}/liar.ics")
    with time_limit(BUDGET), pytest.raises(DataError) as caught:
        load(directory, bare_plugin_manager())
    assert "actors.yaml:" in str(caught.value)
    assert "calendar of actor 'caritas'" in str(caught.value)
    assert "cannot be decoded" in str(caught.value)


# --------------------------------------------------------------------------------------------
# Server-side request forgery
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "why"), [
    ("127.0.0.1", "a loopback address"), ("::1", "a loopback address"),
    ("10.1.2.3", "a private address"), ("192.168.0.1", "a private address"),
    ("172.16.5.4", "a private address"), ("169.254.169.254", "a link-local address"),
    ("fe80::1", "a link-local address"), ("224.0.0.1", "a multicast address"),
    ("0.0.0.0", "an unspecified address"),  # noqa: S104 - an address checked, not bound ("::ffff:127.0.0.1", "a loopback address"),
    ("fc00::1", "a private address"), ("100.64.0.1", "not a public address"),
])
def test_addresses_refused_by_default(address: str, why: str) -> None:
    assert refused_address(address) == why


def test_public_addresses_are_not_refused() -> None:
    assert refused_address("93.184.215.14") is None
    assert refused_address("2a00:1450:4001:80b::200e") is None


def test_loopback_is_refused_by_default(server: tuple[str, _Server]) -> None:
    base, httpd = server
    with time_limit(BUDGET), pytest.raises(FetchError) as caught:
        fetch(f"{base}/feed.ics")
    assert str(caught.value).startswith(
        f"{base}/feed.ics: 127.0.0.1 is a loopback address (127.0.0.1); feeds are fetched "
        "from public addresses only")
    assert httpd.requests == []  # no connection was made


def test_a_name_is_checked_on_the_address_it_resolves_to(server: tuple[str, _Server]) -> None:
    _, httpd = server
    port = httpd.server_address[1]
    with time_limit(BUDGET), pytest.raises(FetchError,
                                           match=r"localhost is a loopback address"):
        fetch(f"http://localhost:{port}/feed.ics")
    assert httpd.requests == []


def _only_first_loopback(address: str) -> str | None:
    """The policy with 127.0.0.1 (the test server) allowed, as if it were public."""
    return None if address == "127.0.0.1" else refused_address(address)


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]:{port}/",
    "http://127.0.0.2:{port}/feed.ics"])
def test_redirects_are_checked_again(server: tuple[str, _Server], target: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    base, httpd = server
    port = httpd.server_address[1]
    httpd.routes["/moved.ics"] = lambda h: _send(h, 302, Location=target.format(port=port))
    monkeypatch.setattr(fetch_module, "refused_address", _only_first_loopback)
    with time_limit(BUDGET), pytest.raises(FetchError, match=r"feeds are fetched from public "
                                           r"addresses only") as caught:
        fetch(f"{base}/moved.ics", timeout=2)
    assert "is a " in str(caught.value)
    assert httpd.requests == ["/moved.ics"]


def test_redirect_to_an_allowed_address_is_followed(server: tuple[str, _Server],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    base, httpd = server
    httpd.routes["/moved.ics"] = lambda h: _send(h, 302, Location="/feed.ics")
    monkeypatch.setattr(fetch_module, "refused_address", _only_first_loopback)
    with time_limit(BUDGET):
        assert fetch(f"{base}/moved.ics").content == FEED


def test_live_feed_on_a_private_address_is_a_problem_unless_allowed(
        server: tuple[str, _Server], tmp_path: Path) -> None:
    base, _ = server
    directory = _live_network(tmp_path, f"{base}/feed.ics")
    network_yaml = directory / "network.yaml"
    network_yaml.write_text(yaml.safe_dump(dict(TINY["network.yaml"])), encoding="utf-8")
    with time_limit(BUDGET), pytest.raises(DataError) as caught:
        load(directory, bare_plugin_manager())
    assert "calendar of actor 'caritas'" in str(caught.value)
    assert "127.0.0.1 is a loopback address" in str(caught.value)
    network_yaml.write_text(yaml.safe_dump({**TINY["network.yaml"], "feeds": {
        "allow_private_addresses": True}}), encoding="utf-8")
    with time_limit(BUDGET):
        assert EVENT_ID in load(directory, bare_plugin_manager()).events


def test_ics_import_refuses_loopback_unless_the_flag_is_given(server: tuple[str, _Server],
                                                              tmp_path: Path) -> None:
    base, _ = server
    directory = write_network(tmp_path / "net")
    args = ["ics", "import", "--lang", "en",
            f"{base}/feed.ics", "--actor", "caritas", str(directory)]
    with time_limit(BUDGET):
        refused = CliRunner().invoke(main, args)
        allowed = CliRunner().invoke(main, [*args, "--allow-private-addresses"])
    assert refused.exit_code == 1
    assert "127.0.0.1 is a loopback address" in refused.stderr
    assert allowed.exit_code == 0, allowed.output
    assert "1 added" in allowed.stdout


# --------------------------------------------------------------------------------------------
# What an import leaves behind: the cache, the feed's name
# --------------------------------------------------------------------------------------------


def test_dry_run_does_not_write_the_cache(server: tuple[str, _Server], tmp_path: Path) -> None:
    base, _ = server
    directory = write_network(tmp_path / "net")
    with time_limit(BUDGET):
        result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                           f"{base}/feed.ics", "--actor",
                                           "caritas", "--allow-private-addresses", "--dry-run",
                                           str(directory)])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.stdout
    assert not (directory / ".ki-network" / "feeds").exists()


def test_password_in_the_url_is_neither_stored_nor_shown(server: tuple[str, _Server],
                                                         tmp_path: Path) -> None:
    base, httpd = server
    secret = base.replace("http://", "http://anna:geheim@")
    directory = write_network(tmp_path / "net")
    args = ["ics", "import", "--lang", "en", f"{secret}/feed.ics", "--actor", "caritas",
            "--allow-private-addresses", str(directory)]
    with time_limit(BUDGET):
        first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    events = (directory / "events.yaml").read_text(encoding="utf-8")
    assert "geheim" not in events
    assert "geheim" not in first.output
    imported = yaml.safe_load(events)[-1]["imported"]
    assert imported["feed"] == f"{base}/feed.ics"
    httpd.routes["/feed.ics"] = lambda h: _send(h, 500, b"oops")
    with time_limit(BUDGET):
        failed = CliRunner().invoke(main, args)
    assert failed.exit_code == 1
    assert "geheim" not in failed.output
    assert failed.stderr.startswith(f"error: {base}/feed.ics: the server answered 500")


def test_records_imported_under_a_password_url_are_matched_and_renamed(
        server: tuple[str, _Server], tmp_path: Path) -> None:
    """Records written before userinfo was stripped still belong to the feed."""
    base, _ = server
    secret = f"{base.replace('http://', 'http://anna:geheim@')}/feed.ics"
    directory = write_network(tmp_path / "net")
    events = directory / "events.yaml"
    args = ["ics", "import", "--lang", "en",
            secret, "--actor", "caritas", "--allow-private-addresses",
            str(directory)]
    with time_limit(BUDGET):
        CliRunner().invoke(main, args)
    # as the old version wrote it
    events.write_text(events.read_text(encoding="utf-8").replace(f"{base}/feed.ics", secret),
                      encoding="utf-8")
    with time_limit(BUDGET):
        again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "0 added" in again.stdout
    assert "1 unchanged" in again.stdout
    assert "geheim" not in events.read_text(encoding="utf-8")
