"""The served feeds over real HTTP: bytes, filters, caching headers, errors, audiences."""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import icalendar
import pytest
from click.testing import CliRunner

from ki_network import Network, load
from ki_network.calendar import occurrences
from ki_network.cli import main

from .conftest import INTERNAL_TOKEN, PARTNER_TOKEN, ROOT, Server

LINT = ROOT.parent / "shared" / "checks" / "ics_lint.py"
JS = ROOT / "tests" / "js"
NAME = "Integrationsnetzwerk Oberbergischer Kreis"
IDENTITY = {"Accept-Encoding": "identity"}
YEAR = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")

# served URL → the same feed from the command line (`ki-network calendar DIR -o F ARGS`)
FEEDS: dict[str, list[str]] = {
    "/calendars/joint.ics": [],
    "/calendars/joint.ics?municipality=Waldbr%C3%B6l&target_group=parents":
        ["--municipality", "Waldbröl", "--target-group", "parents"],
    "/calendars/joint.ics?topic=language&language=en": ["--topic", "language", "--language", "en"],
    "/calendars/joint.ics?from=2026-03-01&to=2026-04-01T12:00":
        ["--from", "2026-03-01", "--to", "2026-04-01T12:00"],
    "/calendars/joint.ics?actor=ki-oberberg": ["--actor", "ki-oberberg"],
    "/actors/ki-oberberg.ics":
        ["--actor", "ki-oberberg", "--name",
         f"{NAME}: Kommunales Integrationszentrum Oberbergischer Kreis"],
    "/municipalities/Waldbr%C3%B6l.ics":
        ["--municipality", "Waldbröl", "--name", f"{NAME}: Waldbröl"],
    "/municipalities/05374012.ics":
        ["--municipality", "05374012", "--name", f"{NAME}: Gummersbach"],
    f"/calendars/joint.ics?audience=partners&token={PARTNER_TOKEN}": ["--audience", "partners"],
    f"/calendars/joint.ics?audience=internal&token={INTERNAL_TOKEN}": ["--audience", "internal"],
}


def _get(server: Server, url: str, **headers: str) -> httpx.Response:
    with server.client() as client:
        return client.get(url, headers=headers)


def _cli_export(directory: Path, output: Path, *args: str) -> bytes:
    """``ki-network calendar DIR -o OUTPUT ARGS`` (in this process: it is the same code)."""
    result = CliRunner().invoke(main, ["calendar", str(directory), "-o", str(output), *args])
    assert result.exit_code == 0, result.output
    return output.read_bytes()


@pytest.fixture(scope="module")
def views(served_dir: Path) -> dict[str, Network]:
    net = load(served_dir)
    return {audience: net.for_audience(audience) for audience in ("public", "partners",
                                                                  "internal")}


def _ours(net: Network, uids: set[str]) -> list[list[str]]:
    """Our own expansion in 2026 of the series in ``uids`` (as the calendar tests do it)."""
    start, end = (datetime.fromisoformat(t) for t in YEAR)
    found = []
    for o in occurrences(net, start, end):
        if o.uid not in uids:
            continue
        if o.all_day:
            day = o.start.astimezone(net.config.tz).date().isoformat()
            if start <= datetime.fromisoformat(day).replace(tzinfo=UTC) < end:
                found.append([o.uid, day])
        elif start <= o.start < end:
            found.append([o.uid, o.start.strftime("%Y-%m-%dT%H:%M:%SZ")])
    return sorted(found)


def _lint(*paths: Path) -> None:
    if not LINT.exists():
        return  # the shared linter lives beside the repository; the bytes are checked below
    done = subprocess.run([sys.executable, str(LINT), *map(str, paths)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _ical_js(path: Path) -> list[list[str]]:
    """Occurrences in 2026 as ical.js (Mozilla's parser) expands them, with the calendar
    tests' helper ``tests/js/expand.mjs``."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the independent parser ical.js; not found")
    if not (JS / "node_modules" / "ical.js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True, timeout=300)
    done = subprocess.run(["node", str(JS / "expand.mjs"), str(path), *YEAR],
                          capture_output=True, text=True, check=True, timeout=60)
    parsed: dict[str, Any] = json.loads(done.stdout)
    occurrences: list[list[str]] = parsed["occurrences"]
    return occurrences


# -- the feeds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", list(FEEDS))
def test_feed_is_the_cli_export_and_passes_the_linter(server: Server, served_dir: Path,
                                                      tmp_path: Path, url: str) -> None:
    response = _get(server, url, **IDENTITY)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    served = tmp_path / "served.ics"
    served.write_bytes(response.content)
    _lint(served)
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.get("X-WR-CALNAME")
    # the same filter from the command line, with the same state file: the same bytes
    assert _cli_export(served_dir, tmp_path / "cli.ics", *FEEDS[url]) == response.content


@pytest.mark.node
@pytest.mark.parametrize("url", list(FEEDS))
def test_ical_js_reads_the_feed_with_our_occurrences(server: Server, views: dict[str, Network],
                                                     tmp_path: Path, url: str) -> None:
    # The bytes are the command line's (above); ical.js, an independent parser, expands them
    # to exactly the occurrences we compute for the same series.
    served = tmp_path / "served.ics"
    served.write_bytes(_get(server, url, **IDENTITY).content)
    calendar = icalendar.Calendar.from_ical(served.read_bytes())
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    audience = next((a for a in ("partners", "internal") if f"audience={a}" in url), "public")
    theirs = _ical_js(served)
    assert theirs == _ours(views[audience], uids)
    assert len(theirs) > (50 if "from=" not in url and "municipality" not in url else 5)


def test_filters_narrow_the_feed(server: Server) -> None:
    whole = icalendar.Calendar.from_ical(_get(server, "/calendars/joint.ics").content)
    part = icalendar.Calendar.from_ical(_get(
        server, "/calendars/joint.ics?municipality=Waldbr%C3%B6l&target_group=parents").content)
    uids = {str(e["UID"]) for e in whole.walk("VEVENT")}
    narrow = {str(e["UID"]) for e in part.walk("VEVENT")}
    assert narrow and narrow < uids


# -- HTTP ----------------------------------------------------------------------------------


def test_etag_and_last_modified_revalidate_with_304(server: Server) -> None:
    url = "/calendars/joint.ics?topic=counselling"
    first = _get(server, url, **IDENTITY)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and first.headers["cache-control"] == "public, max-age=300"
    assert "Accept-Encoding" in first.headers["vary"]
    again = _get(server, url, **{"If-None-Match": etag}, **IDENTITY)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert _get(server, url, **{"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert _get(server, url, **{"If-None-Match": '"other"'}).status_code == 200
    assert _get(server, url, **{"If-Modified-Since": modified}).status_code == 304
    assert _get(server, url, **{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
                ).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert _get(server, url, **{"If-None-Match": '"other"', "If-Modified-Since": modified}
                ).status_code == 200
    assert _get(server, url).headers["etag"] == etag[:-1] + '-gz"'  # httpx asks for gzip


def test_head_has_the_headers_and_no_body(server: Server) -> None:
    url = "/actors/ki-oberberg.ics"
    get = _get(server, url, **IDENTITY)
    with server.client() as client:
        head = client.head(url, headers=IDENTITY)
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "content-type", "cache-control"):
        assert head.headers[name] == get.headers[name]
    assert int(head.headers["content-length"]) == len(get.content)


def test_gzip_when_asked_for(server: Server) -> None:
    url = "/calendars/joint.ics"
    plain = _get(server, url, **IDENTITY)
    assert "content-encoding" not in plain.headers
    with server.client() as client, client.stream(
            "GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content) / 3
    refused = _get(server, url, **{"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


def test_healthz(server: Server) -> None:
    body = _get(server, "/healthz").json()
    assert body["status"] == "ok" and body["version"] >= 1 and body["stale"] is False


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "words"), [
    ("/calendars/joint.ics?topic=langauge", ["no topic 'langauge'", "did you mean 'language'",
                                             "allowed:", "counselling"]),
    ("/calendars/joint.ics?target_group=kids", ["no target group 'kids'", "parents"]),
    ("/calendars/joint.ics?municipality=Waldbroel",
     ["no municipality 'Waldbroel'", "did you mean 'Waldbröl'", "Gummersbach"]),
    ("/calendars/joint.ics?actor=ki-oberbreg", ["no actor", "did you mean 'ki-oberberg'"]),
    ("/calendars/joint.ics?language=xx", ["no language 'xx'", "allowed:", "de", "en"]),
    ("/calendars/joint.ics?audience=everyone", ["no audience", "public, partners, internal"]),
    ("/calendars/joint.ics?targetgroup=parents",
     ["unknown parameter 'targetgroup'", "did you mean 'target_group'"]),
    ("/calendars/joint.ics?topic=language&topic=work", ["'topic' is given twice"]),
    ("/calendars/joint.ics?from=March", ["from='March' is no date"]),
    ("/calendars/joint.ics?from=2026-05-01&to=2026-04-01", ["'to' must be after 'from'"]),
    ("/actors/ki-oberberg.ics?actor=vhs", ["given by the path"]),
    ("/report?language=fr", ["no report language 'fr'", "de, en"]),
])
def test_bad_filters_are_400_naming_the_allowed_values(server: Server, url: str,
                                                       words: list[str]) -> None:
    response = _get(server, url)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    for word in words:
        assert word in response.text


@pytest.mark.parametrize("url", [
    "/actors/no-such-actor.ics", "/municipalities/Atlantis.ics", "/municipalities/99999999.ics",
    "/calendars/other.ics", "/actors/ki-oberberg", "/network.yaml", "/offers.yaml",
    # a partner-only actor does not exist for the public
    "/actors/servicestelle-antidiskriminierung.ics",
])
def test_unknown_ids_are_404(server: Server, url: str) -> None:
    assert _get(server, url).status_code == 404


def _raw_get(server: Server, target: str) -> tuple[int, bytes]:
    """A request with exactly this target, unnormalised (clients resolve ``..`` first)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Connection: close\r\n\r\n".encode("ascii"))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer


@pytest.mark.parametrize("target", [
    "/actors/..%2F..%2Fnetwork.yaml.ics", "/actors/../network.yaml", "/actors/%2e%2e.ics",
    "/actors/..%2fnetwork.yaml.ics", "/municipalities/..%5Cnetwork.yaml.ics",
    "/calendars/..%2F..%2Foffers.yaml", "/%2e%2e/%2e%2e/etc/passwd",
    "/calendars/joint.ics/../../network.yaml", "/actors/%2F..%2F..%2Fetc%2Fpasswd.ics",
    "/actors/.%2E%2Factors.yaml.ics", "/municipalities/%00.ics",
])
def test_path_tricks_are_404_and_never_a_file(server: Server, target: str) -> None:
    status, answer = _raw_get(server, target)
    assert status == 404
    for secret in (b"id_namespace", b"root:", b"- id:", b"BEGIN:VCALENDAR"):
        assert secret not in answer


# -- audiences -----------------------------------------------------------------------------


def test_the_public_feed_has_nothing_for_partners_or_internal(server: Server) -> None:
    public = _get(server, "/calendars/joint.ics").content
    internal = _get(server, f"/calendars/joint.ics?audience=internal&token={INTERNAL_TOKEN}"
                    ).content
    for hidden in (b"offer-servicestelle-antidiskriminierung-waldbroel@",  # partners
                   b"offer-ki-intern-fallkonferenz-seiteneinstieg@",  # internal
                   b"event-ki-netzwerktreffen-integration@",  # partners
                   b"nur-intern@obk.example", b"antidiskriminierung@paritaet.example"):
        assert hidden not in public.replace(b"\r\n ", b"")
        assert hidden in internal.replace(b"\r\n ", b"")
    # the public offer with an internal contact is there, its contact is not
    assert b"offer-test-sprechstunde-interner-kontakt@" in public


@pytest.mark.parametrize("url", [
    "/calendars/joint.ics?audience=partners", "/calendars/joint.ics?audience=internal",
    "/actors/no-such-actor.ics?audience=partners",  # no hint whether it exists
    "/actors/servicestelle-antidiskriminierung.ics?audience=partners",
    "/calendars/joint.ics?audience=partners&topic=no-such-topic",
    "/report?audience=partners", "/?audience=internal",
])
def test_protected_feeds_without_a_token_are_401(server: Server, url: str) -> None:
    response = _get(server, url)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert "antidiskriminierung" not in response.text and "topic" not in response.text


@pytest.mark.parametrize(("url", "token"), [
    ("/calendars/joint.ics?audience=partners", "wrong"),
    ("/calendars/joint.ics?audience=partners", PARTNER_TOKEN[:-1]),
    ("/calendars/joint.ics?audience=internal", PARTNER_TOKEN),  # partners is not internal
    ("/actors/no-such-actor.ics?audience=partners", "wrong"),
    ("/actors/servicestelle-antidiskriminierung.ics?audience=partners", "wrong"),
])
def test_a_wrong_token_is_403(server: Server, url: str, token: str) -> None:
    assert _get(server, f"{url}&token={quote(token)}").status_code == 403
    assert _get(server, url, Authorization=f"Bearer {token}").status_code == 403


def test_tokens_open_their_feeds_in_every_form(server: Server) -> None:
    url = "/actors/servicestelle-antidiskriminierung.ics?audience=partners"
    basic = base64.b64encode(f"kalender:{PARTNER_TOKEN}".encode()).decode()
    for response in (_get(server, f"{url}&token={PARTNER_TOKEN}"),
                     _get(server, url, Authorization=f"Bearer {PARTNER_TOKEN}"),
                     _get(server, url, Authorization=f"Basic {basic}"),
                     _get(server, f"{url}&token={INTERNAL_TOKEN}")):  # internal opens partners
        assert response.status_code == 200
        assert response.headers["cache-control"].startswith("private")
        assert b"offer-servicestelle-antidiskriminierung-waldbroel@" in response.content


def test_the_index_page_ignores_parameters_links_get_appended(server: Server) -> None:
    response = _get(server, "/?utm_source=newsletter")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert _get(server, "/calendars/joint.ics?utm_source=newsletter").status_code == 400
