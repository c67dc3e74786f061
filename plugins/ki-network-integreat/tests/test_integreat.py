"""The Integreat importer against a real HTTP server on loopback, serving a recorded region.

``fixtures/augsburg/`` holds a region in the shape of the Integreat CMS API v3 (written for
these tests): a weekly café in German, English and Arabic across both changes of daylight
saving time, an all-day summer party in two languages, a one-off evening with a meeting URL,
a Monday 00:30 group whose DTSTART falls on Sunday in UTC, an event without a start, and an
English-only event.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

pytest.importorskip("ki_network_integreat", reason="the plugin is not installed: pip install "
                    "-e plugins/ki-network-integreat")
from ki_network_integreat import html_to_text

from ki_network import load
from ki_network.calendar import occurrences
from ki_network.cli import main
from ki_network.testing import write_network

FIXTURES = Path(__file__).parent / "fixtures" / "augsburg"


class Server:
    """A loopback HTTP server answering ``/api/v3/augsburg/<lang>/<what>/`` from the
    fixtures; ``mode`` makes it slow, failing or malformed."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.files = {p.stem: json.loads(p.read_text(encoding="utf-8"))
                      for p in FIXTURES.glob("*.json")}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                parts = urlsplit(self.path).path.strip("/").split("/")
                key = f"{parts[-1]}-{parts[-2]}" if len(parts) >= 5 else ""
                if server.mode == "slow":
                    time.sleep(1.5)
                if server.mode == "fail" or key not in server.files:
                    self.send_response(500 if server.mode == "fail" else 404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if server.mode == "malformed" and parts[-1] == "events" and parts[-2] == "en":
                    body = b'[{"id": 1, "title": "cut off'
                elif server.mode == "not-a-list":
                    body = b'{"error": "region not found"}'
                else:
                    body = json.dumps(server.files[key], ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (the timeout tests) is not an error here

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def network(tmp_path: Path) -> Path:
    directory = write_network(tmp_path / "net")
    (directory / "events.yaml").write_text(
        "# Veranstaltungen\n- id: fest\n  title: Interkulturelles Fest\n  organisers: [ki]\n"
        "  start: 2026-09-19T14:00\n  end: 2026-09-19T18:00\n", encoding="utf-8")
    return directory


def run_import(server: Server, directory: Path, *more: str) -> Result:
    # the test server is on loopback: refused unless allowed, as for any feed
    return CliRunner().invoke(main, ["import", "integreat", "augsburg", "--base-url",
                                     server.url, "--into", str(directory),
                                     "--allow-private-addresses", *more])


def test_a_region_becomes_multilingual_events_and_a_reimport_changes_nothing(
        server: Server, network: Path) -> None:
    result = run_import(server, network)
    assert result.exit_code == 0, result.output
    assert "added actor 'integreat-augsburg'" in result.output
    assert "5 events in 3 languages (ar, de, en), 4 imported with 3 translations, 1 skipped" \
        in result.output
    assert "event 105 ('Ohne Anfang'): skipped: no readable start" in result.output
    assert "event 106 (en): no de version" in result.output
    assert "1 locations are used by no event" in result.output
    net = load(network)
    cafe = net.events["integreat-augsburg-101"]
    assert cafe.title.as_dict() == {"de": "Sprachcafé", "en": "Language café",
                                    "ar": "مقهى اللغة"}
    assert cafe.description is not None
    assert cafe.description.get("de") == ("Deutsch üben bei Tee & Keksen.\n\n"
                                          "• für alle\n• kostenlos")
    assert "alert" not in cafe.description.all_text()
    assert "color" not in cafe.description.all_text()
    assert cafe.organisers == ("integreat-augsburg",)
    assert cafe.location == "Stadtbücherei, Ernst-Reuter-Platz 1, 86150 Augsburg"
    assert cafe.geo is not None and cafe.geo.lat == 48.3668
    assert net.events["fest"].title.get() == "Interkulturelles Fest"  # hand-written: untouched
    events_file = network / "events.yaml"
    assert events_file.read_text(encoding="utf-8").startswith("# Veranstaltungen\n")
    before = {p.name: p.read_bytes() for p in network.iterdir() if p.is_file()}
    again = run_import(server, network)
    assert again.exit_code == 0, again.output
    assert "no change to" in again.output and "4 unchanged" in again.output
    assert {p.name: p.read_bytes() for p in network.iterdir() if p.is_file()} == before


def test_recurrence_stays_at_local_time_across_both_dst_changes(
        server: Server, network: Path) -> None:
    assert run_import(server, network).exit_code == 0
    net = load(network)
    cafe = net.events["integreat-augsburg-101"]
    assert (cafe.schedule.start, cafe.schedule.rrule, cafe.schedule.until) == (
        datetime(2026, 3, 2, 7, 0), "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO", date(2026, 11, 30))
    found = occurrences(net, date(2026, 3, 1), date(2026, 12, 31), items=[cafe])
    assert len(found) == 40  # every Monday from 2 March to 30 November
    berlin = net.config.tz
    assert {o.start.astimezone(berlin).strftime("%a %H:%M") for o in found} == {"Mon 07:00"}
    utc_hours = {o.start.astimezone(UTC).date(): o.start.hour for o in found}
    assert utc_hours[date(2026, 3, 23)] == 6   # before summer time (29 March)
    assert utc_hours[date(2026, 3, 30)] == 5   # summer time
    assert utc_hours[date(2026, 10, 19)] == 5  # before winter time (25 October)
    assert utc_hours[date(2026, 10, 26)] == 6  # winter time
    night = net.events["integreat-augsburg-104"]  # DTSTART on Sunday in UTC, BYDAY local
    nights = occurrences(net, date(2026, 3, 1), date(2026, 7, 1), items=[night])
    assert {o.start.astimezone(berlin).strftime("%a %H:%M") for o in nights} == {"Mon 00:30"}


def test_all_day_events_meeting_urls_and_links(server: Server, network: Path) -> None:
    assert run_import(server, network).exit_code == 0
    net = load(network)
    fest = net.events["integreat-augsburg-102"]
    assert (fest.schedule.start, fest.schedule.end) == (date(2026, 6, 20), date(2026, 6, 21))
    assert fest.title.as_dict() == {"de": "Sommerfest", "en": "Summer party"}
    assert fest.location == "Wittelsbacher Park, Imhofstraße, 86159 Augsburg"
    assert fest.geo is None
    evening = net.events["integreat-augsburg-103"]
    assert evening.description is not None
    assert evening.description.get("de") == (
        "Online und vor Ort. Infos: Schule (https://schule.example/info)\n\n"
        "Online: https://meet.example/eltern")
    assert evening.schedule.start == datetime(2026, 10, 24, 19, 0)
    assert evening.url == "https://integreat.example/augsburg/de/events/e103"


def test_reimport_updates_marks_removed_and_keeps_hand_edits(
        server: Server, network: Path) -> None:
    assert run_import(server, network).exit_code == 0
    events_file = network / "events.yaml"
    text = events_file.read_text(encoding="utf-8")
    # a person enriches one event (a field the import does not own) and corrects another
    text = text.replace("- id: integreat-augsburg-101\n",
                        "- id: integreat-augsburg-101\n  topic: language.informal\n", 1)
    text = text.replace("Nachtcafé", "Nachtcafé (Raum 2)")
    events_file.write_text(text, encoding="utf-8")
    de = server.files["events-de"]
    server.files["events-de"] = [e for e in de if e["event"]["id"] != 103]
    for event in server.files["events-de"]:
        if event["event"]["id"] in (101, 104):
            event["title"] += " (neu)"
    result = run_import(server, network, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["updated"] == ["integreat-augsburg-101"]
    assert report["removed"] == ["integreat-augsburg-103"]
    assert [k["id"] for k in report["kept"]] == ["integreat-augsburg-104"]
    net = load(network)
    assert net.events["integreat-augsburg-101"].title.get("de") == "Sprachcafé (neu)"
    assert net.events["integreat-augsburg-101"].topic == "language.informal"
    assert net.events["integreat-augsburg-103"].status == "cancelled"
    assert net.events["integreat-augsburg-104"].title.get("de") == "Nachtcafé (Raum 2)"


@pytest.mark.parametrize(("mode", "message"), [
    ("slow", "no answer from 127.0.0.1 within 0.5 s"),
    ("fail", "the server answered 500"),
    ("malformed", "/api/v3/augsburg/en/events/?combine_recurring=True: the answer is not "
                  "valid JSON"),
    ("not-a-list", "expected a JSON list, got dict"),
])
def test_a_slow_failing_or_malformed_server_changes_nothing(
        server: Server, network: Path, tmp_path: Path, mode: str, message: str) -> None:
    assert run_import(server, network).exit_code == 0
    before = {p.name: p.read_bytes() for p in network.iterdir() if p.is_file()}
    server.mode = mode
    result = run_import(server, network, "--timeout", "0.5")
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("error: ") and "nothing was changed" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in network.iterdir() if p.is_file()} == before
    fresh = write_network(tmp_path / "fresh")
    before = {p.name: p.read_bytes() for p in fresh.iterdir()}
    assert run_import(server, fresh, "--timeout", "0.5").exit_code == 1
    assert {p.name: p.read_bytes() for p in fresh.iterdir()} == before  # no actor added


def test_an_existing_actor_organises_and_its_visibility_applies(
        server: Server, network: Path) -> None:
    result = run_import(server, network, "--actor", "caritas", "--dry-run")
    assert result.exit_code == 0 and "dry run, nothing written" in result.output
    assert "integreat-augsburg" not in (network / "actors.yaml").read_text(encoding="utf-8")
    result = run_import(server, network, "--actor", "caritas")
    assert result.exit_code == 0, result.output
    assert "added actor" not in result.output
    assert load(network).events["caritas-101"].organisers == ("caritas",)


def test_html_becomes_plain_text_safely() -> None:
    html = ("<h1>Titel</h1><p>Erste&nbsp;Zeile<br/>zweite</p>"
            "<script>document.cookie</script><style>.x{}</style><noscript>nope</noscript>"
            "<p><a href='javascript:alert(1)'>Klick</a> <a href='mailto:a@b.example'>Mail</a>"
            "</p><table><tr><td>a</td><td>b</td></tr></table>\x07")
    assert html_to_text(html) == ("Titel\n\nErste Zeile\nzweite\n\nKlick Mail (a@b.example)"
                                  "\n\na b")
    assert html_to_text("") == ""
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"


def test_the_plugin_adds_its_command_to_import() -> None:
    result = CliRunner().invoke(main, ["import", "--help"])
    assert "integreat" in result.output and "hsds" in result.output
    shutil.which("ki-network")  # the console script is not needed: CliRunner runs main
