"""What the coordinator should see first: findings ranked, placed and folded.

* :func:`top_findings` picks the three to five findings that matter most: errors, then
  warnings, then the most valuable coordination opportunities — ranked by what acting on them
  is worth (:data:`WEIGHTS`), not listed in rule order, and at most two of one rule, so that
  seven schedule clashes do not hide a duplicate or an isolated migrant organisation.
* :func:`places_of` gives the municipalities a finding is about, for the report's filter.
* :func:`fold_key` says which notes fold into one summary line (holiday collisions per
  actor, coverage gaps per municipality): long runs of similar hints.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from ..model import Finding, Severity

if TYPE_CHECKING:
    from ..network import Network

#: What acting on a finding of a rule is worth, within its severity (higher first).  Rules
#: not named here (a plugin's) weigh 50.
WEIGHTS = {
    "rule-failed": 100,
    "duplicate-offer": 90,
    "isolated-actor": 85,
    "overlapping-offers": 80,
    "schedule-conflict": 75,
    "organiser-double-booked": 72,
    "location-double-booked": 70,
    "expired-offer": 60,
    "missing-contact": 58,
    "missing-location": 55,
    "suggested-introduction": 50,
    "coverage-gap": 40,
    "language-gap": 38,
    "holiday-collision": 30,
    "stale-offer": 25,
}
#: Coordination opportunities: one of them is shown among the top findings when there is any.
OPPORTUNITIES = ("overlapping-offers", "suggested-introduction")
#: Notes of these rules fold into one line per actor (holidays) or municipality (gaps), when
#: there are at least so many for one: every actor's holiday notes are one line (thirty
#: collisions read as a list of who should look at their holiday plans).  Warnings never fold.
FOLD_FROM = {"holiday-collision": 1, "coverage-gap": 2, "language-gap": 2}


#: What being new since last time adds to a finding's weight (``report --since``).
NEW_BONUS = 20


def top_findings(findings: Sequence[Finding], most: int = 5, per_rule: int = 2,
                 new: Collection[int] = ()) -> list[int]:
    """Indices into ``findings`` of the ones that matter most, best first.  Findings whose
    index is in ``new`` (new since last time) weigh :data:`NEW_BONUS` more.

    >>> f = [Finding("coverage-gap", Severity.INFO, ("x",), "", "", {}),
    ...      Finding("overlapping-offers", Severity.INFO, ("a", "b"), "", "", {}),
    ...      Finding("expired-offer", Severity.WARNING, ("c",), "", "", {})]
    >>> top_findings(f)
    [2, 1, 0]
    """
    def rank(i: int) -> tuple[int, int, int]:
        weight = WEIGHTS.get(findings[i].rule, 50) + (NEW_BONUS if i in new else 0)
        return -findings[i].severity.rank, -weight, i

    order = sorted(range(len(findings)), key=rank)
    chosen: list[int] = []
    taken: dict[str, int] = {}
    for i in order:
        rule = findings[i].rule
        if len(chosen) < most and taken.get(rule, 0) < per_rule:
            chosen.append(i)
            taken[rule] = taken.get(rule, 0) + 1
    if chosen and not any(findings[i].rule in OPPORTUNITIES for i in chosen):
        best = next((i for i in order if findings[i].rule in OPPORTUNITIES), None)
        if best is not None:  # the last place goes to the best chance to coordinate
            chosen[-1 if len(chosen) >= most else len(chosen):] = [best]
    return chosen


def places_of(network: Network, finding: Finding, municipalities: Collection[str]) -> list[str]:
    """AGS codes of the municipalities a finding is about: of its offers and events, the
    places its actors serve, and the ``municipalities`` named as subjects."""
    found: list[str] = []
    for subject in finding.subjects:
        item = network.offers.get(subject) or network.events.get(subject)
        if item is not None:
            found.extend([item.municipality] if item.municipality else [])
        elif subject in network.actors:
            found.extend(network.actors[subject].municipalities)
        elif subject in municipalities:
            found.append(subject)
    ags = finding.evidence.get("municipality")
    if isinstance(ags, str):
        found.append(ags)
    return sorted(set(found))


def fold_key(network: Network, finding: Finding) -> str | None:
    """The actor id (holiday collisions) or AGS code (gaps) a finding folds under, if any."""
    if (finding.rule not in FOLD_FROM or not finding.subjects
            or finding.severity is not Severity.INFO):
        return None
    subject = finding.subjects[0]
    if finding.rule == "holiday-collision":
        offer = network.offers.get(subject)
        if offer is not None:
            return offer.provider
        event = network.events.get(subject)
        return event.organisers[0] if event is not None and event.organisers else None
    return subject


def worst(findings: Sequence[Finding]) -> Severity:
    return max((f.severity for f in findings), key=lambda s: s.rank)
