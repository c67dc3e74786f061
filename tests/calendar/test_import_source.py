"""The built-in ICS source: actors' ``calendar:`` feeds read when the network is loaded."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ki_network import DataError, Visibility, load
from ki_network.calendar.ics_import.merge import merge_into
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.testing import TINY, bare_plugin_manager, write_network

FEED = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        b"BEGIN:VEVENT\r\nUID:beratung-1\r\nDTSTART;TZID=Europe/Berlin:20260310T100000\r\n"
        b"DTEND;TZID=Europe/Berlin:20260310T120000\r\nSUMMARY:Beratung\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:broken\r\nSUMMARY:without a start\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n")


#: network.yaml of a network whose feed server is on loopback, which must be allowed explicitly
LOOPBACK_ALLOWED = {**TINY["network.yaml"], "feeds": {"allow_private_addresses": True}}


def actors(calendar: str, visibility: str = "partners") -> list[dict[str, object]]:
    listed = [dict(a) for a in TINY["actors.yaml"]]  # type: ignore[union-attr]
    listed[1].update(calendar=calendar, visibility=visibility)  # caritas
    return listed


class _Feeds(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("ETag", '"1"')
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


@pytest.fixture
def feed_server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_feed_file_events_are_loaded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_network(tmp_path, actors=actors("feeds/caritas.ics"))
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "caritas.ics").write_bytes(FEED)
    with caplog.at_level(logging.INFO, logger="ki_network.ics"):
        net = load(tmp_path, bare_plugin_manager())
    event = net.events["caritas-beratung-1"]
    assert event.organisers == ("caritas",)
    assert event.visibility is Visibility.PARTNERS  # the actor's, for a CLASS:PUBLIC event
    assert event.uid == "beratung-1"
    assert str(net.origins["caritas-beratung-1"]).endswith("caritas.ics:3")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "skipped VEVENT (UID broken, 'without a start'): no DTSTART" in warnings[0]


def test_missing_feed_file_is_a_data_problem_at_the_actor(tmp_path: Path) -> None:
    write_network(tmp_path, actors=actors("feeds/nope.ics"))
    with pytest.raises(DataError) as caught:
        load(tmp_path, bare_plugin_manager())
    assert "actors.yaml:" in str(caught.value)
    assert "calendar of actor 'caritas': file 'feeds/nope.ics' not found" in str(caught.value)


def test_feed_url_is_fetched_and_cached(tmp_path: Path, feed_server: ThreadingHTTPServer,
                                        caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{feed_server.server_address[1]}/caritas.ics"
    write_network(tmp_path, actors=actors(url), network=LOOPBACK_ALLOWED)
    assert "caritas-beratung-1" in load(tmp_path, bare_plugin_manager()).events
    assert list((tmp_path / ".ki-network" / "feeds").glob("*.ics"))
    feed_server.shutdown()
    feed_server.server_close()
    with caplog.at_level(logging.WARNING, logger="ki_network.ics"):
        net = load(tmp_path, bare_plugin_manager())
    assert "caritas-beratung-1" in net.events
    assert any("using the copy fetched earlier" in r.getMessage() for r in caplog.records)


def test_unreachable_feed_without_a_copy_is_a_data_problem(tmp_path: Path,
                                                            feed_server: ThreadingHTTPServer
                                                            ) -> None:
    port = feed_server.server_address[1]
    feed_server.shutdown()
    feed_server.server_close()
    write_network(tmp_path, actors=actors(f"http://127.0.0.1:{port}/caritas.ics"),
                  network=LOOPBACK_ALLOWED)
    with pytest.raises(DataError, match=r"cannot reach 127\.0\.0\.1"):
        load(tmp_path, bare_plugin_manager())


def test_events_file_wins_over_the_live_feed(tmp_path: Path) -> None:
    """A feed also imported into events.yaml is not read twice (no duplicate ids)."""
    write_network(tmp_path, actors=actors("feeds/caritas.ics"))
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "caritas.ics").write_bytes(FEED)
    feed = read_ics(FEED, actor="caritas", source="feeds/caritas.ics")
    merge_into(tmp_path, feed, feed_name="feeds/caritas.ics", today=date(2026, 11, 1))
    path = tmp_path / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Beratung", "title: Beratung (bitte anmelden)"), encoding="utf-8")
    net = load(tmp_path, bare_plugin_manager())
    assert net.events["caritas-beratung-1"].title.get() == "Beratung (bitte anmelden)"
    assert len(net.events) == 2


def test_the_source_is_a_default_plugin() -> None:
    names = {name for name, _ in bare_plugin_manager().list_name_plugin()}
    assert "ki_network.builtin.ics" in names


def test_imported_transparent_event_does_not_block_time(tmp_path: Path) -> None:
    from ki_network.calendar.series import is_transparent

    write_network(tmp_path, actors=actors("feeds/caritas.ics"))
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "caritas.ics").write_bytes(FEED.replace(
        b"SUMMARY:Beratung", b"SUMMARY:Beratung\r\nTRANSP:TRANSPARENT"))
    net = load(tmp_path, bare_plugin_manager())
    assert is_transparent(net.events["caritas-beratung-1"])
    assert not is_transparent(net.events["fest"])
