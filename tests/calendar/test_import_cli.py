"""``ki-network ics import FILE_OR_URL --actor ID DIR``."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ki_network import load
from ki_network.cli import main
from ki_network.testing import bare_plugin_manager, write_network

FEED = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        b"BEGIN:VEVENT\r\nUID:a@google.com\r\nDTSTART:20260310T170000Z\r\n"
        b"DTEND:20260310T183000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20260630\r\n"
        b"SUMMARY:Elternabend\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:b@google.com\r\nSUMMARY:no start\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n")


@pytest.fixture
def network(tmp_path: Path) -> Path:
    directory = write_network(tmp_path / "net")
    (directory / "feeds").mkdir()
    (directory / "feeds" / "caritas.ics").write_bytes(FEED)
    return directory


def invoke(*args: str) -> tuple[int, str, str]:
    """The command, its texts in English (the test network is German)."""
    result = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_file_reports_and_writes(network: Path) -> None:
    code, out, err = invoke("ics", "import", str(network / "feeds" / "caritas.ics"),
                            "--actor", "caritas", str(network))
    assert code == 0
    assert "feeds/caritas.ics: 2 VEVENTs, 1 imported, 1 skipped" in out
    assert "1 added" in out
    assert "feeds/caritas.ics:" in err
    assert "skipped VEVENT (UID b@google.com, 'no start'): no DTSTART" in err
    records = yaml.safe_load((network / "events.yaml").read_text(encoding="utf-8"))
    assert records[-1]["imported"]["feed"] == "feeds/caritas.ics"
    assert records[-1]["start"] == "2026-03-10T18:00"
    assert "caritas-a-google.com-" in next(iter(
        e for e in load(network, bare_plugin_manager()).events if e.startswith("caritas")))


def test_second_import_changes_nothing(network: Path) -> None:
    args = ("ics", "import", str(network / "feeds" / "caritas.ics"), "--actor", "caritas",
            str(network))
    invoke(*args)
    before = (network / "events.yaml").read_bytes()
    code, out, _ = invoke(*args)
    assert code == 0
    assert "0 added, 0 updated, 1 unchanged" in out
    assert (network / "events.yaml").read_bytes() == before


def test_json_output_and_dry_run(network: Path) -> None:
    before = (network / "events.yaml").read_bytes()
    code, out, _ = invoke("ics", "import", str(network / "feeds" / "caritas.ics"),
                          "--actor", "caritas", "--dry-run", "--format", "json", str(network))
    assert code == 0
    report = json.loads(out)
    assert report["dry_run"] is True
    assert (report["vevents"], report["imported"], len(report["added"])) == (2, 1, 1)
    assert report["skipped"][0]["uid"] == "b@google.com"
    assert report["skipped"][0]["reason"].startswith("no DTSTART")
    assert (network / "events.yaml").read_bytes() == before


def test_unknown_actor_is_a_usage_error(network: Path) -> None:
    code, _, err = invoke("ics", "import", str(network / "feeds" / "caritas.ics"),
                          "--actor", "cartias", str(network))
    assert code == 2
    assert "unknown actor 'cartias'" in err
    assert "caritas" in err


def test_missing_file_is_a_clear_error(network: Path) -> None:
    code, _, err = invoke("ics", "import", str(network / "nope.ics"), "--actor", "caritas",
                          str(network))
    assert code == 1
    assert err.startswith("error: cannot read")
    assert "Traceback" not in err


class _Feed(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


@pytest.fixture
def url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/caritas.ics"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_import_url_with_conditional_get(network: Path, url: str) -> None:
    # the test server is on loopback, which must be allowed explicitly
    code, out, _ = invoke("ics", "import", url, "--actor", "caritas",
                          "--allow-private-addresses", str(network))
    assert code == 0
    assert "1 added" in out
    code, out, _ = invoke("ics", "import", url, "--actor", "caritas",
                          "--allow-private-addresses", str(network))
    assert code == 0
    assert "1 unchanged" in out  # the 304 answer was served from .ki-network/feeds/
    records = yaml.safe_load((network / "events.yaml").read_text(encoding="utf-8"))
    assert records[-1]["imported"]["feed"] == url


def test_unreachable_url_is_one_line_and_exit_1(network: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = invoke("ics", "import", f"http://127.0.0.1:{port}/x.ics", "--actor",
                          "caritas", "--timeout", "2", "--allow-private-addresses",
                          str(network))
    assert code == 1
    assert err.startswith(f"error: http://127.0.0.1:{port}/x.ics: cannot reach 127.0.0.1")
    assert err.count("\n") == 1


def test_other_schemes_are_refused(network: Path) -> None:
    code, _, err = invoke("ics", "import", "file:///etc/hosts", "--actor", "caritas",
                          str(network))
    assert code == 1
    assert "only http and https" in err


def test_too_large_file_is_refused(network: Path) -> None:
    code, _, err = invoke("ics", "import", str(network / "feeds" / "caritas.ics"), "--actor",
                          "caritas", "--max-bytes", "100", str(network))
    assert code == 1
    assert "more than the limit of 100" in err


def test_unreachable_live_feed_of_another_actor_does_not_block_the_import(network: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = network / "actors.yaml"
    actors = yaml.safe_load(path.read_text(encoding="utf-8"))
    actors[2]["calendar"] = f"http://127.0.0.1:{port}/verein.ics"
    path.write_text(yaml.safe_dump(actors, allow_unicode=True), encoding="utf-8")
    code, out, _ = invoke("ics", "import", str(network / "feeds" / "caritas.ics"),
                          "--actor", "caritas", str(network))
    assert code == 0
    assert "1 added" in out



def test_an_id_used_by_an_offer_is_not_taken(network: Path) -> None:
    (network / "feeds" / "clash.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:gm\r\nDTSTART:20260310T100000\r\n"
        b"SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    offers = network / "offers.yaml"
    offers.write_text(offers.read_text(encoding="utf-8").replace("id: cafe-gm", "id: caritas-gm"),
                      encoding="utf-8")
    code, out, err = invoke("ics", "import", str(network / "feeds" / "clash.ics"),
                            "--actor", "caritas", str(network))
    assert code == 0
    assert "0 added" in out
    assert "kept caritas-gm: the id is taken" in err
    load(network, bare_plugin_manager())
