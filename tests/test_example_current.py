"""The example network is current: ``check`` and ``conflicts`` find its planted problems today.

The other tests of the example pin ``--today``; these run the commands as the README shows
them, with the real date.  ``examples/oberberg`` covers the school year 2026/27 (offers from
September 2026 to the summer holidays 2027, events from autumn 2026 to summer 2027), so they
pass until 31 July 2027.  After that they are skipped, with a reason that says what to do:
the example needs the next school year (its dates, the README's table, the pinned tests).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

#: the last day the example's school year makes sense as "today"
LAST_DAY = date(2027, 7, 31)

pytestmark = pytest.mark.skipif(
    date.today() > LAST_DAY,
    reason=f"examples/oberberg covers the school year 2026/27, which ended on {LAST_DAY}: "
           "move the example to the current school year (dates in examples/oberberg/*.yaml, "
           "the table in examples/oberberg/README.md, the pinned --today of the tests)")

#: the planted problems of the calendar rules, by event: ``conflicts`` finds those ahead
PLANTED_EVENTS = [
    ("schedule-conflict", {"awo-elternabend-schulstart-radevormwald",
                           "gs-radevormwald-infoabend-eltern"}),
    ("location-double-booked", {"vhs-infoabend-integrationskurs-waldbroel",
                                "rkv-kulturabend-waldbroel"}),
    ("holiday-collision", {"ki-elterninfo-wiehl-fronleichnam"}),
    ("holiday-collision", {"schulamt-infoabend-seiteneinstieg-sommerferien"}),
]
PLANTED_OFFERS = [
    ("duplicate-offer", {"caritas-sprachcafe-waldbroel", "ki-sprachcafe-frauen-waldbroel"}),
    ("duplicate-offer", {"vhs-dtkurs-a1-gummersbach", "vhs-deutschkurs-a1-gummersbach"}),
    ("overlapping-offers", {"awo-elterncafe-wiehl", "diakonie-familiencafe-wiehl"}),
    ("overlapping-offers", {"drk-sprachtreff-ukraine-gummersbach",
                            "malteser-deutschtreff-ukraine-gummersbach"}),
]

PLANTED_EXPIRED = {"ki-sprachcafe-2025-engelskirchen", "malteser-erstorientierungskurs-gummersbach",
                   "ib-bewerbungswerkstatt-waldbroel"}


def _found(findings: list[dict[str, Any]], rule: str, subjects: set[str]) -> bool:
    return any(f["rule"] == rule and set(f["subjects"]) == subjects for f in findings)


def _event_days(oberberg: Path) -> dict[str, date]:
    events = yaml.safe_load((oberberg / "events.yaml").read_text(encoding="utf-8"))
    return {e["id"]: date.fromisoformat(str(e["start"])[:10]) for e in events}


def test_check_finds_the_planted_problems_today(oberberg: Path,
                                                cli: Callable[..., Any]) -> None:
    done = cli("check", oberberg, "--format", "json", "--lang", "en")
    assert done.code == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    # the calendar rules look at the whole year of today and a year ahead: all of them
    for rule, subjects in PLANTED_EVENTS + PLANTED_OFFERS:
        assert _found(findings, rule, subjects), f"{rule} about {sorted(subjects)} not found"
    assert not [f for f in findings if f["rule"] == "rule-failed"]
    expired = {f["subjects"][0] for f in findings if f["rule"] == "expired-offer"}
    assert expired >= PLANTED_EXPIRED
    if date.today() < date(2027, 6, 1):
        # the example is current: its offers run, only the planted ones have expired (from
        # June 2027 on, the school year's offers end one by one, as they would)
        assert expired == PLANTED_EXPIRED
        assert not [f for f in findings if f["rule"] == "stale-offer"]


def test_conflicts_finds_what_lies_ahead(oberberg: Path, cli: Callable[..., Any]) -> None:
    done = cli("conflicts", oberberg, "--format", "json")
    assert done.code == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["window"]["from"] == date.today().isoformat()
    findings = result["findings"]
    days = _event_days(oberberg)
    ahead = [(rule, subjects) for rule, subjects in PLANTED_EVENTS
             if min(days[i] for i in subjects) >= date.today()]
    assert ahead, "the summer holidays' evening (August 2027) is always ahead"
    for rule, subjects in ahead:
        assert _found(findings, rule, subjects), f"{rule} about {sorted(subjects)} not found"
    # the planted duplicates clash every week until the summer holidays
    if date.today() <= date(2027, 7, 9):
        assert _found(findings, "schedule-conflict", {"vhs-dtkurs-a1-gummersbach",
                                                      "vhs-deutschkurs-a1-gummersbach"})
        assert _found(findings, "location-double-booked",
                      {"drk-sprachtreff-ukraine-gummersbach",
                       "malteser-deutschtreff-ukraine-gummersbach"})
