"""Nothing non-public reaches a public report, public findings or a public calendar.

The data plants markers where a leak could come from: an internal actor, offer and event
(each would be a finding: a duplicate of a public offer, an isolated actor, a suggested
introduction), partners-only contact data on a public offer, and a relation for partners.
Each output is checked for the markers, and the internal output for their presence, so
that the test would see a leak rather than pass on data that never had them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ki_network.testing import TINY, write_network

SECRET = "zq7f3a"  # in every planted non-public value, found nowhere else
PARTNERS = "pq9k2b"  # in partners-only values


def planted() -> dict[str, Any]:
    files = copy.deepcopy(dict(TINY))
    files["actors.yaml"] += [
        {"id": f"arbeitskreis-{SECRET}", "name": f"Arbeitskreis {SECRET}", "kind": "other",
         "visibility": "internal", "municipalities": ["05374012"],
         "topics": ["cohesion.encounter"], "contact": {"email": f"{SECRET}@ki.example"}},
        {"id": f"beratung-{PARTNERS}", "name": f"Servicestelle {PARTNERS}",
         "kind": "provider", "visibility": "partners", "municipalities": ["05374012"],
         "topics": ["cohesion.encounter"]},
    ]
    cafe = files["offers.yaml"][0]
    cafe["contact"] = {"email": f"leitung-{PARTNERS}@caritas.example", "visibility": "partners"}
    internal_copy = copy.deepcopy(cafe)
    internal_copy.update(id=f"cafe-{SECRET}", visibility="internal",
                         contact={"email": f"{SECRET}@caritas.example"})
    files["offers.yaml"].append(internal_copy)
    files["events.yaml"].append(
        {"id": f"fallkonferenz-{SECRET}", "title": f"INTERN {SECRET}", "organisers": ["ki"],
         "visibility": "internal", "municipality": "05374012", "location": f"Raum {SECRET}",
         "start": "2026-03-03T09:00", "end": "2026-03-03T10:00"})
    files["relations.yaml"].append(
        {"source": "ki", "target": "verein", "kind": "funds", "programme": f"Programm {SECRET}",
         "visibility": "internal"})
    return files


def unfolded(ics: Path) -> str:
    """The calendar's text with folded lines joined: a marker may span a fold (RFC 5545)."""
    return ics.read_bytes().decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")


@pytest.fixture(scope="module")
def secret_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_network(tmp_path_factory.mktemp("privacy") / "net", planted())


def test_public_report(secret_dir: Path, tmp_path: Path, cli: Callable[..., Any]) -> None:
    outputs = {}
    for audience in ("public", "partners", "internal"):
        output = tmp_path / f"{audience}.html"
        done = cli("report", secret_dir, "-o", output, "--audience", audience,
                   "--today", "2026-03-02", "--week", "2026-03-02")
        assert done.code == 0, done.stderr
        outputs[audience] = output.read_text(encoding="utf-8")
    assert SECRET not in outputs["public"] and PARTNERS not in outputs["public"]
    assert SECRET not in outputs["partners"] and PARTNERS in outputs["partners"]
    # the markers are there to be leaked: the internal report has each of them
    internal = outputs["internal"]
    for leak in (f"Arbeitskreis {SECRET}", f"{SECRET}@ki.example", f"cafe-{SECRET}",
                 f"INTERN {SECRET}", f"leitung-{PARTNERS}@caritas.example"):
        assert leak in internal, leak


def test_public_findings(secret_dir: Path, cli: Callable[..., Any]) -> None:
    internal = cli("check", secret_dir, "--format", "json", "--today", "2026-03-02")
    public = cli("check", secret_dir, "--format", "json", "--today", "2026-03-02",
                 "--audience", "public")
    assert f'"cafe-{SECRET}"' in internal.stdout  # a duplicate of the public café
    assert SECRET not in public.stdout and PARTNERS not in public.stdout


def test_public_calendar(secret_dir: Path, tmp_path: Path, cli: Callable[..., Any]) -> None:
    public, internal = tmp_path / "public.ics", tmp_path / "internal.ics"
    assert cli("calendar", secret_dir, "-o", public).code == 0
    assert cli("calendar", secret_dir, "-o", internal, "--audience", "internal").code == 0
    assert SECRET in unfolded(internal)
    data = unfolded(public)
    assert SECRET not in data and PARTNERS not in data


#: what examples/oberberg/README.md lists as internal or partners-only
EXAMPLE_MARKERS = ("geheim-intern@ki-oberberg.example", "ki-intern-fallkonferenz-seiteneinstieg",
                   "INTERN: Fallkonferenz", "ak-fallkonferenz-seiteneinstieg",
                   "servicestelle-antidiskriminierung")


def test_example_network(oberberg: Path, tmp_path: Path, cli: Callable[..., Any]) -> None:
    report, calendar = tmp_path / "public.html", tmp_path / "public.ics"
    internal = tmp_path / "internal.html"
    assert cli("report", oberberg, "-o", report, "--today", "2027-01-11").code == 0
    assert cli("report", oberberg, "-o", internal, "--today", "2027-01-11",
               "--audience", "internal").code == 0
    assert cli("calendar", oberberg, "-o", calendar).code == 0
    public_text = report.read_text(encoding="utf-8") + unfolded(calendar)
    internal_text = internal.read_text(encoding="utf-8")
    for marker in EXAMPLE_MARKERS:
        assert marker not in public_text, marker
    assert "ki-intern-fallkonferenz-seiteneinstieg" in internal_text
