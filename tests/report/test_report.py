"""The HTML report as a document: structure, links, languages, determinism, audiences."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ki_network import load
from ki_network.report import render_report, week_of
from ki_network.testing import bare_plugin_manager, write_network

TODAY = date(2026, 3, 2)  # a Monday; the tiny network's café meets on Tuesdays


class Document(HTMLParser):
    """What a browser would index: ids, links, attributes of tags, the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def by_tag(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def render(report_dir: Path) -> Callable[..., str]:
    net = load(report_dir, bare_plugin_manager())

    def make(**options: Any) -> str:
        return render_report(net, today=TODAY, **options)
    return make


def test_sections_are_there_with_headings_and_labels(render: Callable[..., str]) -> None:
    doc = Document(render(language="en"))
    assert {"findings", "network-map", "coverage-heatmap", "week-calendar", "subjects"} <= \
        set(doc.ids)
    [html] = doc.by_tag("html")
    assert html["lang"] == "en"
    assert len(doc.by_tag("h1")) == 1
    for section in doc.by_tag("section"):
        assert section.get("aria-labelledby") in doc.ids
    svgs = doc.by_tag("svg")
    assert [s["id"] for s in svgs] == ["network-map-svg", "coverage-heatmap-svg"]
    for svg in svgs:
        assert svg["role"] == "img"
        assert svg["aria-labelledby"] == f"{svg['id']}-title"
        assert f"{svg['id']}-title" in doc.ids  # the <title> element of the SVG


def test_every_link_points_into_the_file(render: Callable[..., str]) -> None:
    html = render(language="en")
    doc = Document(html)
    assert len(doc.ids) == len(set(doc.ids)), "ids are unique"
    assert doc.links
    for link in doc.links:
        assert link.startswith("#"), link
        assert link[1:] in doc.ids, f"dangling link {link}"
    # nothing that a browser would fetch: no stylesheets or images, one inline script that
    # the Content-Security-Policy admits by its hash (and nothing else may run or load)
    assert not doc.by_tag("link") and not doc.by_tag("img")
    [script] = doc.by_tag("script")
    assert "src" not in script
    body = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    [meta] = [m for m in doc.by_tag("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in str(meta["content"]).split(";"))
    assert policy == {"default-src": "'none'", "style-src": "'unsafe-inline'",
                      "img-src": "data:", "script-src": f"'sha256-{digest}'"}
    for forbidden in ("fetch(", "XMLHttpRequest", "import(", "eval(", "innerHTML"):
        assert forbidden not in body
    for _tag, attrs in doc.tags:
        for name in ("src", "href", "xlink:href"):
            assert not str(attrs.get(name) or "").startswith(("http:", "https:", "//"))


def test_findings_link_to_their_subjects(render: Callable[..., str]) -> None:
    doc = Document(render(language="en"))
    assert "#subject-verein" in doc.links  # isolated-actor and suggested-introduction
    assert "#subject-cafe-gm" in doc.links  # missing-contact
    assert "rule-isolated-actor" in doc.ids
    text = " ".join(doc.text)
    assert "Kulturverein (verein) has no ties to anyone in the network" in text


def test_week_view_shows_the_occurrences_of_the_week(render: Callable[..., str]) -> None:
    doc = Document(render(language="en", week=date(2026, 3, 4)))
    days = [t["datetime"] for t in doc.by_tag("time")]
    assert days == [f"2026-03-0{d}" for d in range(2, 9)]
    text = " ".join(" ".join(doc.text).split())
    assert "09:30–11:00 Language café , Talweg 1" in text
    assert "18:00–20:00 Parents' evening , Rathaus" in text
    assert week_of(date(2026, 3, 8)) == date(2026, 3, 2)


def test_german_labels_for_a_german_network(render: Callable[..., str]) -> None:
    html = render()  # the tiny network says language: de
    doc = Document(html)
    assert doc.by_tag("html")[0]["lang"] == "de"
    text = " ".join(doc.text)
    for label in ("Befunde", "Netzwerkkarte", "Versorgung", "Akteure, Angebote und Termine",
                  "Die Woche ab 2. März 2026", "Montag, 2. März"):
        assert label in text, label
    assert "Akteure ohne Verbindungen" in text  # the map's isolated-actor list
    assert "Ohne Verbindungen" in html  # legend of the map (SVG text)
    assert "Network map" not in text


def test_the_same_data_gives_the_same_bytes(render: Callable[..., str]) -> None:
    assert render(language="en") == render(language="en")


def test_public_report_leaves_out_what_is_not_public(render: Callable[..., str]) -> None:
    assert "Interner Arbeitskreis" in render(audience="internal")
    public = render(audience="public")
    assert "Interner Arbeitskreis" not in public and "arbeitskreis" not in public


def test_command_writes_the_file(report_dir: Path, tmp_path: Path,
                                 cli: Callable[..., Any]) -> None:
    output = tmp_path / "out" / "report.html"
    done = cli("report", report_dir, "-o", output, "--lang", "en", "--today", "2026-03-02")
    assert done.code == 0, done.stderr
    html = output.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="network-map-svg"' in html
    assert cli("report", report_dir).code == 2  # -o is required


def test_an_empty_network_gives_a_report(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "empty", {
        "network.yaml": {"name": "Leer"}, "actors.yaml": [], "offers.yaml": [],
        "events.yaml": [], "relations.yaml": []})
    html = render_report(load(directory, bare_plugin_manager()), today=TODAY)
    doc = Document(html)
    assert "network-map-svg" in doc.ids and "coverage-heatmap-svg" not in doc.ids
    assert "Noch keine Kommunen oder Themen zu zeigen." in html
    assert "Keine Befunde." in html


def test_the_first_screen_leads_with_the_state_of_the_network(render: Callable[..., str]
                                                              ) -> None:
    html = render(language="en")
    doc = Document(html)
    ids = doc.ids
    # the overview comes first, then the map, coverage and the week, then all findings
    order = [ids.index(x) for x in ("overview", "key-figures", "top-findings", "network-map",
                                    "coverage-heatmap", "week-calendar", "findings",
                                    "subjects")]
    assert order == sorted(order)
    text = " ".join(" ".join(doc.text).split())
    assert "Actors 3 Offers 1 Events 2 Municipalities with offers 1 of 1" in text
    assert "Findings Errors: 0 Warnings: 2 Notes: 1" in text
    top = html.split('id="top-findings"', 1)[1].split("</ol>", 1)[0]
    assert top.count("<li") == 3  # all three findings of the tiny network, warnings first
    # ranked by what acting on them is worth, not in rule order
    assert top.index("Isolated actors") < top.index("Public offers without contact") \
        < top.index("Suggested introductions")
    assert {"#network-map", "#week-calendar", "#findings"} <= set(doc.links)


def test_all_findings_are_collapsed_by_rule_with_counts_and_filter_data(
        render: Callable[..., str]) -> None:
    doc = Document(render(language="en"))
    groups = [t for t in doc.by_tag("details") if "data-rule-group" in t]
    assert len(groups) == 3 and not any("open" in t for t in groups)
    findings = [t for _, t in doc.tags if "data-finding" in t]
    assert len(findings) == 3
    for finding in findings:
        assert finding["data-rule"] and finding["data-severity"] in ("info", "warning", "error")
    places = {f["data-rule"]: f["data-places"] for f in findings}
    assert places["missing-contact"] == "05374012"  # the café's municipality
    form = [t for t in doc.by_tag("form") if t.get("id") == "finding-filters"]
    assert form and "hidden" in form[0]  # shown by the script only: no dead controls
    assert [t["name"] for t in doc.by_tag("select")] == ["place", "severity", "rule"]


def test_long_runs_of_similar_hints_fold_into_one_line_per_actor(oberberg: Path) -> None:
    from ki_network import load as load_network

    html = render_report(load_network(oberberg), today=date(2027, 1, 11), language="en")
    section = html.split('id="rule-holiday-collision"', 1)[1].split("</section>", 1)[0]
    doc = Document(section)
    folds = [t for t in doc.by_tag("li") if "fold" in str(t.get("class"))]
    assert folds
    findings = [t for t in doc.by_tag("li") if "data-finding" in t]
    assert len(findings) == 30  # all are still there, behind their summary line
    text = " ".join(" ".join(doc.text).split())
    assert "offers and events on holidays (" in text
    # the notes fold into one line per actor; the warning (a public holiday) stands alone
    nested = section.split('class="fold', 1)[1]
    assert nested.count("data-finding") == len(findings) - 1 == 29
    assert len(folds) == 21 < len(findings)
    assert "Kreisjugendamt Oberberg: 4 offers and events on holidays (" in text
