"""``ki-network check examples/oberberg`` finds every problem planted in the example network.

The planted problems are listed in ``examples/oberberg/README.md``; each is asserted here by
rule id and subjects.  ``--today`` pins the day, so that the test means the same next year
(the conflict rules look at the year of ``today``; the example covers the school year 2026/27,
and its planted clashes are in 2027).  ``tests/test_example_current.py`` runs it with the real
date.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TODAY = "2027-01-11"  # a Monday in the school year 2026/27, after the Christmas holidays

PLANTED = [
    ("duplicate-offer", {"caritas-sprachcafe-waldbroel", "ki-sprachcafe-frauen-waldbroel"}),
    ("duplicate-offer", {"vhs-dtkurs-a1-gummersbach", "vhs-deutschkurs-a1-gummersbach"}),
    ("overlapping-offers", {"awo-elterncafe-wiehl", "diakonie-familiencafe-wiehl"}),
    ("overlapping-offers", {"drk-sprachtreff-ukraine-gummersbach",
                            "malteser-deutschtreff-ukraine-gummersbach"}),
    ("schedule-conflict", {"awo-elternabend-schulstart-radevormwald",
                           "gs-radevormwald-infoabend-eltern"}),
    ("location-double-booked", {"vhs-infoabend-integrationskurs-waldbroel",
                                "rkv-kulturabend-waldbroel"}),
    ("holiday-collision", {"ki-elterninfo-wiehl-fronleichnam"}),
    ("holiday-collision", {"schulamt-infoabend-seiteneinstieg-sommerferien"}),
    ("isolated-actor", {"eritreischer-verein-bergneustadt"}),
    ("suggested-introduction", {"ukrainische-gemeinschaft-engelskirchen",
                                "willkommen-engelskirchen"}),
    ("expired-offer", {"ki-sprachcafe-2025-engelskirchen"}),
    ("expired-offer", {"malteser-erstorientierungskurs-gummersbach"}),
    ("expired-offer", {"ib-bewerbungswerkstatt-waldbroel"}),
    ("missing-location", {"sprachpaten-lesepaten-gummersbach"}),
]
MORSBACH = "05374028"


@pytest.fixture(scope="module")
def findings(oberberg: Path) -> list[dict[str, Any]]:
    # module scope: the command runs once, in a fresh interpreter, for all tests here
    done = subprocess.run([sys.executable, "-m", "ki_network", "check", str(oberberg),
                           "--format", "json", "--today", TODAY],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr  # warnings and notes only: no errors in the data
    found: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return found


@pytest.mark.parametrize(("rule", "subjects"), PLANTED,
                         ids=[f"{r}:{min(s)}" for r, s in PLANTED])
def test_planted_problem_is_found(findings: list[dict[str, Any]], rule: str,
                                  subjects: set[str]) -> None:
    matching = [f for f in findings if f["rule"] == rule and set(f["subjects"]) == subjects]
    assert matching, f"{rule} about {sorted(subjects)} not found"
    assert all(f["message"] and f["suggestion"] for f in matching)


def test_no_language_offer_in_morsbach(findings: list[dict[str, Any]]) -> None:
    gaps = [f for f in findings if f["rule"] == "coverage-gap" and f["subjects"] == [MORSBACH]]
    assert "language" in {f["evidence"]["topic"] for f in gaps}
    gap = next(f for f in gaps if f["evidence"]["topic"] == "language")
    assert gap["evidence"]["municipality_name"] == "Morsbach"
    assert "Morsbach" in gap["message"]


def test_the_isolated_migrant_organisation_is_a_warning(findings: list[dict[str, Any]]
                                                        ) -> None:
    [isolated] = [f for f in findings if f["rule"] == "isolated-actor"
                  and f["subjects"] == ["eritreischer-verein-bergneustadt"]]
    assert isolated["severity"] == "warning"
    assert isolated["evidence"]["kind"] == "migrant_organisation"
    assert isolated["evidence"]["introduce_to"], "the suggestion names whom to talk to"


def test_hard_negatives_are_not_duplicates(findings: list[dict[str, Any]]) -> None:
    duplicates = [set(f["subjects"]) for f in findings if f["rule"] == "duplicate-offer"]
    for negative in ({"vhs-deutschkurs-a2-gummersbach", "vhs-deutschkurs-a1-gummersbach"},
                     {"fbs-griffbereit-gruppe-1-gummersbach",
                      "fbs-griffbereit-gruppe-2-gummersbach"}):
        assert negative not in duplicates


def test_fail_on_follows_the_findings(oberberg: Path, cli: Callable[..., Any]) -> None:
    assert cli("check", oberberg, "--today", TODAY, "--fail-on", "error").code == 0
    assert cli("check", oberberg, "--today", TODAY, "--fail-on", "warning").code == 1


def test_messages_in_both_languages(oberberg: Path, cli: Callable[..., Any]) -> None:
    args = ("check", oberberg, "--today", TODAY, "--format", "json",
            "--rule", "isolated-actor")
    english = json.loads(cli(*args, "--lang", "en").stdout)["findings"]
    german = json.loads(cli(*args, "--lang", "de").stdout)["findings"]
    assert [f["subjects"] for f in english] == [f["subjects"] for f in german]
    [en] = [f for f in english if f["subjects"] == ["eritreischer-verein-bergneustadt"]]
    [de] = [f for f in german if f["subjects"] == ["eritreischer-verein-bergneustadt"]]
    assert en["message"].endswith("has no ties to anyone in the network")
    assert de["message"].endswith("hat keine Verbindung zu jemandem im Netzwerk")
