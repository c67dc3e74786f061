"""``ki-network report --since``: a weekly report says what moved.

The example network is reported once (its findings kept with ``--findings-json``, or taken
from ``check --format json``); then one offer changes — the Lesepaten record where they meet,
and it is the Diakonie's counselling room at the same hour — and the next report marks
exactly one finding new (the room booked twice) and one resolved (the missing location).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ki_network.report.changes import Key, key_of

from .test_report import Document

TODAY = "2027-01-11"
OFFER = "sprachpaten-lesepaten-gummersbach"
NEW = ("location-double-booked", ("diakonie-fluechtlingsberatung-gummersbach", OFFER), ())
RESOLVED = ("missing-location", (OFFER,), ())


def changed_copy(oberberg: Path, target: Path) -> Path:
    shutil.copytree(oberberg, target)
    offers = target / "offers.yaml"
    text = offers.read_text(encoding="utf-8")
    anchor = f"- id: {OFFER}\n"
    head, tail = text.split(anchor, 1)
    old = "  municipality: Gummersbach\n"
    assert old in tail.split("\n- id:", 1)[0]
    tail = tail.replace(old, old + "  location: Diakonisches Werk, Reininghauser Straße 1, "
                        "51643 Gummersbach\n", 1)
    offers.write_text(head + anchor + tail, encoding="utf-8")
    return target


def keys(path: Path) -> set[Key]:
    """The findings' identities; every finding has its own."""
    findings = json.loads(path.read_text(encoding="utf-8"))["findings"]
    found = {key_of(f) for f in findings}
    assert len(found) == len(findings)
    return found


@pytest.fixture(scope="module")
def weeks(oberberg: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from ..conftest import run_cli

    tmp = tmp_path_factory.mktemp("since")
    last = tmp / "last-week.json"
    done = run_cli("report", oberberg, "-o", tmp / "last-week.html", "--today", TODAY,
                   "--findings-json", last)
    assert done.code == 0, done.stderr
    changed = changed_copy(oberberg, tmp / "net")
    now = tmp / "this-week.html"
    done = run_cli("report", changed, "-o", now, "--today", TODAY, "--since", last,
                   "--findings-json", tmp / "this-week.json")
    assert done.code == 0, done.stderr
    return {"last": last, "html": now, "json": tmp / "this-week.json", "changed": changed}


def test_one_changed_offer_gives_one_new_and_one_resolved_finding(weeks: dict[str, Path]
                                                                    ) -> None:
    before, after = keys(weeks["last"]), keys(weeks["json"])
    assert after - before == {NEW} and before - after == {RESOLVED}
    html = weeks["html"].read_text(encoding="utf-8")
    doc = Document(html)
    marked = [t for _, t in doc.tags if "data-change" in t]
    assert sum(1 for t in marked if t["data-change"] == "new") == 1
    assert sum(1 for t in marked if t["data-change"] == "unchanged") == len(after) - 1
    [new] = [t for t in marked if t["data-change"] == "new"]
    assert new["data-rule"] == "location-double-booked"
    text = " ".join(" ".join(doc.text).split())
    assert "Seit 11. Januar 2027: 1 neu 1 erledigt , 130 unverändert" in text
    assert "Seit dem letzten Mal erledigt: 1" in text
    resolved = html.split('id="changes"', 1)[1].split("</details>", 1)[0]
    assert OFFER in resolved and "sagt aber nirgends, wo es stattfindet" in resolved


def test_check_json_of_the_same_audience_is_the_input_too(
        oberberg: Path, weeks: dict[str, Path], tmp_path: Path,
        cli: Callable[..., Any]) -> None:
    done = cli("check", oberberg, "--today", TODAY, "--audience", "public", "--format", "json")
    assert done.code == 0, done.stderr
    previous = tmp_path / "check.json"
    previous.write_text(done.stdout, encoding="utf-8")
    data = json.loads(done.stdout)
    assert data["audience"] == "public" and data["today"] == TODAY
    assert keys(previous) == keys(weeks["last"])  # the report's own file is the same
    output = tmp_path / "r.html"
    done = cli("report", weeks["changed"], "-o", output, "--today", TODAY, "--since", previous)
    assert done.code == 0, done.stderr
    assert output.read_text(encoding="utf-8").count('data-change="new"') == 1


def test_findings_of_another_audience_are_refused(oberberg: Path, tmp_path: Path,
                                                  cli: Callable[..., Any]) -> None:
    """Internal findings would look resolved in a public report, and their messages would
    show what the public may not see."""
    done = cli("check", oberberg, "--today", TODAY, "--format", "json")  # internal
    previous = tmp_path / "internal.json"
    previous.write_text(done.stdout, encoding="utf-8")
    done = cli("report", oberberg, "-o", tmp_path / "r.html", "--today", TODAY,
               "--since", previous)
    assert done.code == 2
    assert "audience 'internal'" in done.stderr and "--audience public" in done.stderr
    assert not (tmp_path / "r.html").exists()
    (tmp_path / "bad.json").write_text('{"pairs": []}', encoding="utf-8")
    done = cli("report", oberberg, "-o", tmp_path / "r.html", "--since", tmp_path / "bad.json")
    assert done.code == 2 and "check --format json" in done.stderr
