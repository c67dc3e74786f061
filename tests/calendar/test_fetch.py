"""Fetching feeds from a real HTTP server on loopback, started by the tests.

Loopback is refused by default (server-side request forgery); these tests opt in with
``allow_private=True``, as a network with a feed server on its own machine would.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ki_network.calendar.ics_import.fetch import FetchError, fetch, normalise_url

FEED = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@test\r\n"
        b"DTSTART:20260310T170000Z\r\nSUMMARY:Elternabend\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
LAST_MODIFIED = "Tue, 10 Mar 2026 12:00:00 GMT"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests look at ``server.requests`` instead."""

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        # The client gives up on purpose in the size and time limit tests.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            getattr(self, "route_" + self.path.strip("/").replace(".", "_").replace("-", "_"),
                    self.route_missing)()

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_feed_ics(self) -> None:  # ETag and Last-Modified
        if self.headers.get("If-None-Match") == '"v1"':
            self._send(304, ETag='"v1"')
        else:
            self._send(200, FEED, ETag='"v1"', Last_Modified=LAST_MODIFIED,
                       Content_Type="text/calendar")

    def route_dated_ics(self) -> None:  # Last-Modified only
        if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self._send(304)
        else:
            self._send(200, FEED, Last_Modified=LAST_MODIFIED)

    def route_moved(self) -> None:
        self._send(302, Location="/feed.ics")

    def route_big(self) -> None:  # no Content-Length: only counting while streaming finds out
        self.send_response(200)
        self.end_headers()
        for _ in range(64):
            self.wfile.write(b"X" * 16384)

    def route_big_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(50_000_000))
        self.end_headers()
        self.wfile.write(b"X" * 1024)

    def route_drip(self) -> None:  # a byte at a time: every read is quick, the whole is not
        self.send_response(200)
        self.end_headers()
        for _ in range(40):
            self.wfile.write(b"X")
            self.wfile.flush()
            time.sleep(0.1)

    def route_silent(self) -> None:
        time.sleep(2)
        self._send(200, FEED)

    def route_missing(self) -> None:
        self._send(404, b"not here")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    requests: list[tuple[str, dict[str, str]]]


@pytest.fixture
def server() -> Iterator[tuple[str, _Server]]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_fetch_returns_the_body(server: tuple[str, _Server]) -> None:
    base, _ = server
    result = fetch(f"{base}/feed.ics", allow_private=True)
    assert result.content == FEED
    assert result.status == "fetched"


def test_conditional_get_with_etag_answers_304_from_the_cache(
        server: tuple[str, _Server], tmp_path: Path) -> None:
    base, httpd = server
    first = fetch(f"{base}/feed.ics", allow_private=True, cache_dir=tmp_path)
    second = fetch(f"{base}/feed.ics", allow_private=True, cache_dir=tmp_path)
    assert (first.status, second.status) == ("fetched", "not-modified")
    assert second.content == FEED
    sent = httpd.requests[1][1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in httpd.requests[0][1]


def test_conditional_get_with_last_modified_only(server: tuple[str, _Server],
                                                 tmp_path: Path) -> None:
    base, httpd = server
    fetch(f"{base}/dated.ics", allow_private=True, cache_dir=tmp_path)
    second = fetch(f"{base}/dated.ics", allow_private=True, cache_dir=tmp_path)
    assert second.status == "not-modified"
    assert second.content == FEED
    assert "If-None-Match" not in httpd.requests[1][1]


def test_no_validators_are_sent_without_a_cached_body(server: tuple[str, _Server],
                                                      tmp_path: Path) -> None:
    base, _ = server
    fetch(f"{base}/feed.ics", allow_private=True, cache_dir=tmp_path)
    for body in tmp_path.glob("*.ics"):
        body.unlink()
    # Without a body the validators are not sent, so the server answers in full again.
    assert fetch(f"{base}/feed.ics", allow_private=True, cache_dir=tmp_path).status == "fetched"


def test_redirects_are_followed(server: tuple[str, _Server]) -> None:
    base, _ = server
    result = fetch(f"{base}/moved", allow_private=True)
    assert result.content == FEED
    assert result.url.endswith("/feed.ics")


def test_size_limit_stops_the_stream(server: tuple[str, _Server]) -> None:
    base, _ = server
    with pytest.raises(FetchError, match="larger than the limit of 100,000 bytes"):
        fetch(f"{base}/big", allow_private=True, max_bytes=100_000)


def test_size_limit_trusts_a_declared_length(server: tuple[str, _Server]) -> None:
    base, _ = server
    with pytest.raises(FetchError, match="50,000,000 bytes, more than the limit"):
        fetch(f"{base}/big-declared", allow_private=True, max_bytes=100_000)


def test_timeout_covers_the_whole_download(server: tuple[str, _Server]) -> None:
    base, _ = server
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 0\.5 s"):
        fetch(f"{base}/drip", allow_private=True, timeout=0.5)
    assert time.monotonic() - started < 2


def test_timeout_when_the_server_does_not_answer(server: tuple[str, _Server]) -> None:
    base, _ = server
    with pytest.raises(FetchError, match=r"no answer from 127\.0\.0\.1 within 0\.3 s"):
        fetch(f"{base}/silent", allow_private=True, timeout=0.3)


def test_error_status_is_reported(server: tuple[str, _Server]) -> None:
    base, _ = server
    with pytest.raises(FetchError, match="answered 404 Not Found"):
        fetch(f"{base}/nothing.ics", allow_private=True)


def test_unreachable_host_is_a_one_line_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=rf"127\.0\.0\.1:{port}/x\.ics: cannot reach 127\.0\.0\.1"
                       ) as caught:
        fetch(f"http://127.0.0.1:{port}/x.ics", allow_private=True, timeout=2)
    assert "\n" not in str(caught.value)


def test_offline_fallback_serves_the_cached_copy(server: tuple[str, _Server],
                                                 tmp_path: Path) -> None:
    base, httpd = server
    url = f"{base}/feed.ics"
    fetch(url, allow_private=True, cache_dir=tmp_path)
    httpd.shutdown()
    httpd.server_close()
    result = fetch(url, allow_private=True, cache_dir=tmp_path, timeout=2, offline_fallback=True)
    assert (result.status, result.content) == ("cached", FEED)
    assert result.error is not None
    assert "cannot reach" in result.error


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.ics",
                                 "javascript:alert(1)", "/local/path.ics", "gopher://x/"])
def test_non_http_schemes_are_refused_without_connecting(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch(url, allow_private=True)


def test_webcal_is_read_as_https() -> None:
    assert normalise_url("webcal://example.org/a.ics") == "https://example.org/a.ics"
    with pytest.raises(FetchError, match="names no host"):
        normalise_url("https:///a.ics")
