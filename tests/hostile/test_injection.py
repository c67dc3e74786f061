"""Injection: what a partner can write into a record must not forge output for others.

A line break in a link or an e-mail address would end an iCalendar content line and let the
rest of the value add properties or whole events to the public feed; control and bidi
characters make GraphML, GEXF and SVG malformed or make a text read differently; a
``javascript:`` link in a published calendar runs when clicked.  ``validate`` refuses all of
them with their position, and the writers never emit them even for objects made in Python.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import pytest

from ki_network.calendar.ics_export.contentlines import fold, prop_line
from ki_network.calendar.ics_export.writer import export_calendar
from ki_network.testing import bare_plugin_manager, tiny_network

from .conftest import problems, run, tiny, write

FORGED = "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged@evil\r\nSUMMARY:Forged\r\nX-A:"

# -- validate refuses --------------------------------------------------------------------------

BREAKS = [pytest.param(FORGED, id="crlf-vevent"), pytest.param("\nX-FORGED:1", id="lf"),
          pytest.param("\rX-FORGED:1", id="cr"), pytest.param("\u2028X:1", id="line-sep")]


@pytest.mark.parametrize("suffix", BREAKS)
@pytest.mark.parametrize(("file", "change", "line", "message"), [
    ("events", lambda s: {"url": "https://ki.example/fest" + s}, 10,
     "'url' 'https://ki.example/fest"),
    ("offers", lambda s: {"url": "https://caritas.example/" + s}, 19,
     "'url' 'https://caritas.example/"),
    ("actors", lambda s: {"contact": {"email": "ki@ki.example" + s}}, 7,
     "contact email 'ki@ki.example"),
    ("actors", lambda s: {"contact": {"phone": "+49 1" + s}}, 7, "contact phone '+49 1"),
    ("actors", lambda s: {"contact": {"website": "https://ki.example" + s}}, 7,
     "contact website 'https://ki.example"),
], ids=["event-url", "offer-url", "email", "phone", "website"])
def test_line_breaks_in_one_line_values_are_refused(  # noqa: PLR0917 - parametrized
        tmp_path: Path, suffix: str, file: str, change: Any, line: int, message: str) -> None:
    directory = write(tmp_path / "net", tiny(**{file: change(suffix)}))
    result = run("validate", directory)
    assert result.exit_code == 1
    [problem] = problems(result)
    assert re.match(rf"^{re.escape(str(directory / file))}\.yaml:{line}:\d+: ", problem), problem
    assert message in problem


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f",
                                  "\x9b", "\u202a", "\u202b", "\u202d", "\u202e", "\u2066",
                                  "\u2067", "\u2068", "\u2069"])
@pytest.mark.parametrize(("file", "field"), [
    ("actors", "name"), ("actors", "address"), ("offers", "title"), ("offers", "location"),
    ("offers", "description"), ("events", "title"), ("offers", "programme"),
])
def test_control_and_bidi_characters_are_refused(tmp_path: Path, char: str, file: str,
                                                 field: str) -> None:
    directory = write(tmp_path / "net", tiny(**{file: {field: f"Ein{char}Name"}}))
    result = run("validate", directory)
    assert result.exit_code == 1, result.output
    [problem] = problems(result)
    assert problem.startswith(f"{directory / file}.yaml:")
    assert f"'{field}' holds the control character U+{ord(char):04X}; remove it" in problem


@pytest.mark.parametrize("char", ["\u202e", "\x00"])
def test_control_characters_in_a_translation_are_refused(tmp_path: Path, char: str) -> None:
    directory = write(tmp_path / "net", tiny(offers={"title": {"de": "Café", "ar": f"x{char}"}}))
    result = run("validate", directory)
    assert result.exit_code == 1
    assert "'title' holds the control character" in result.stderr


@pytest.mark.parametrize("text", ["Zeile 1\nZeile 2", "Tab\tgetrennt", "عربي", "Café ‎LRM",
                                  "A $\\foo$ B", "<b>&amp;</b>"])
def test_ordinary_text_is_accepted(tmp_path: Path, text: str) -> None:
    directory = write(tmp_path / "net", tiny(offers={"description": text},
                                             actors={"name": text}))
    result = run("validate", directory)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>x",
    "vbscript:msgbox", "file:///etc/passwd", "ftp://x.example/", "www.example.org",
    "//evil.example/", "https://a.example/ b",
])
@pytest.mark.parametrize(("file", "change", "where"), [
    ("events", lambda link: {"url": link}, "'url'"),
    ("offers", lambda link: {"url": link}, "'url'"),
    ("actors", lambda link: {"contact": {"website": link}}, "contact website"),
], ids=["event-url", "offer-url", "website"])
def test_links_other_than_http_mailto_tel_are_refused(tmp_path: Path, link: str, file: str,
                                                      change: Any, where: str) -> None:
    directory = write(tmp_path / "net", tiny(**{file: change(link)}))
    result = run("validate", directory)
    assert result.exit_code == 1
    [problem] = problems(result)
    assert f"{where} {link!r}" in problem and problem.startswith(f"{directory / file}.yaml:")


@pytest.mark.parametrize("link", ["https://ki.example/a?b=c#d", "http://ki.example",
                                  "mailto:ki@ki.example", "tel:+4922610000"])
def test_http_mailto_and_tel_links_are_accepted(tmp_path: Path, link: str) -> None:
    directory = write(tmp_path / "net", tiny(events={"url": link}))
    assert run("validate", directory).exit_code == 0


@pytest.mark.parametrize("email", ["no-at-sign", "a@b c", "<a@b>", "a@b,c@d", "a@b;x=1",
                                   "mailto:a@b"])
def test_malformed_email_addresses_are_refused(tmp_path: Path, email: str) -> None:
    directory = write(tmp_path / "net", tiny(actors={"contact": {"email": email}}))
    result = run("validate", directory)
    assert result.exit_code == 1
    assert f"contact email {email!r}" in result.stderr


def test_jsonl_records_are_checked_like_yaml(tmp_path: Path) -> None:
    files = tiny()
    event = dict(files.pop("events.yaml")[0], url="https://x.example/" + FORGED)
    files["events.jsonl"] = json.dumps(event) + "\n"
    directory = write(tmp_path / "net", files)
    result = run("validate", directory)
    assert result.exit_code == 1
    [problem] = problems(result)
    assert problem.startswith(f"{directory / 'events.jsonl'}:1:1: 'url'")


# -- writers never emit them -------------------------------------------------------------------

def _vevents(data: bytes) -> list[bytes]:
    assert b"\r\n" in data
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        assert b"\r" not in line and b"\n" not in line, line
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), line
    return [line for line in lines if line == b"BEGIN:VEVENT"]


@pytest.mark.parametrize("url", [FORGED, "https://x.example/" + FORGED, "a\rb", "a\nb",
                                 "x\x00y", "x\u2028y"])
def test_the_calendar_writer_never_emits_a_raw_line_break(url: str) -> None:
    """Objects made in Python are not validated: the writer itself encodes what is left."""
    net = tiny_network(bare_plugin_manager())
    items = [attrs.evolve(net.offers["cafe-gm"], url=url),
             attrs.evolve(net.events["fest"], url=url, location=url)]
    data = export_calendar(net, items).data
    assert len(_vevents(data)) == 2
    assert b"forged@evil" not in data.replace(b"\r\n ", b"").split(b"UID:")[1][:20]
    assert data.count(b"\r\nUID:") == 2


@pytest.mark.parametrize(("name", "params", "value"), [
    ("URL", {}, FORGED), ("ORGANIZER", {"CN": "Evil" + FORGED}, "mailto:a@b" + FORGED),
    ("ATTENDEE", {}, "mailto:x" + FORGED), ("RRULE", {}, "FREQ=DAILY" + FORGED),
    ("SUMMARY", {}, FORGED), ("LOCATION", {"ALTREP": "x" + FORGED}, "y"),
    ("CATEGORIES", {}, ["a" + FORGED, "b"]), ("X-CUSTOM", {}, "\x00\x01\x1f"),
])
def test_every_property_is_one_content_line(name: str, params: dict[str, str],
                                            value: Any) -> None:
    line = prop_line(name, params, value)
    unfolded = line.replace(b"\r\n ", b"")
    assert unfolded.endswith(b"\r\n") and unfolded.count(b"\r\n") == 1
    assert b"\n" not in unfolded[:-2] and b"\r" not in unfolded[:-2]


def test_fold_is_the_last_guard() -> None:
    assert fold("URL:a\r\nBEGIN:VEVENT") == b"URL:a  BEGIN:VEVENT\r\n"


# -- other outputs -----------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_graph_export_stays_well_formed(tmp_path: Path, suffix: str) -> None:
    directory = write(tmp_path / "net", tiny(actors={"name": "K & <I> \"Z\" 'x' ]]>"}))
    out = tmp_path / f"net{suffix}"
    result = run("graph", directory, "-o", out)
    assert result.exit_code == 0, result.output
    ET.parse(out)  # noqa: S314 - our own output


def test_report_draws_dollar_signs_as_text(tmp_path: Path) -> None:
    names = ["A $\\foo$ B", "$x^2$", "$", "a $ b $ c \\", "$\\frac{1}{0}$", "\\$"]
    actors = [dict(a, name=n) for a, n in zip(tiny()["actors.yaml"], names, strict=False)]
    directory = write(tmp_path / "net", tiny(actors=actors))
    out = tmp_path / "report.html"
    result = run("report", directory, "-o", out, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "A $\\foo$ B" in html


def test_plots_strip_characters_xml_cannot_hold() -> None:
    import networkx as nx

    from ki_network.report.plots import heat_map, network_map
    graph = nx.Graph()
    graph.add_node("a", name="A\x01B $\\foo$", kind="provider")
    graph.add_node("b", name="C\x1fD", kind="school")
    graph.add_edge("a", "b", kind="cooperates")
    svg = network_map(graph, kind_labels={}, relation_labels={}, isolated_label="x",
                      title="T\x02")
    ET.fromstring(svg)  # noqa: S314 - our own output
    assert "A\x01B" not in svg and "AB $\\foo$" in svg
    ET.fromstring(heat_map(["r\x00$\\x$"], ["c\x07"], [[1]], title="t", zero_label="z"))  # noqa: S314
