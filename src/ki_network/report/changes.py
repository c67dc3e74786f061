"""What moved since an earlier run: findings marked new, unchanged or resolved.

The earlier run is the JSON of ``ki-network check --format json`` (the stable contract) or the
findings file ``ki-network report --findings-json`` writes, which has the same shape.  A finding
is identified by its rule and its subjects — and, for the rules that report several findings
about one subject, by the evidence that names what (:data:`IDENTITY`: a municipality's gap in
one topic, a series meeting in the school holidays or on one public holiday).  The message may
be worded in another language or name a renamed actor and still be the same finding.

>>> previous = {"findings": [{"rule": "r", "subjects": ["a"], "severity": "info",
...                           "message": "old"}]}
>>> changes = compare(previous, [("r", ("a",), ()), ("r", ("b",), ())])
>>> changes.status(("r", ("b",), ())), changes.status(("r", ("a",), ())), len(changes.resolved)
('new', 'unchanged', 0)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..model import Finding

Key = tuple[str, tuple[str, ...], tuple[str, ...]]

#: Evidence fields that tell apart findings of one rule about the same subjects: language-
#: independent names of *what* was found (a topic, the kind of closed day), not counts or
#: dates, which move with the day.  A public holiday is named too (one finding each).
IDENTITY = ("topic", "kind", "language")


class ChangesError(ValueError):
    """The earlier findings cannot be read or do not fit this report."""


@attrs.frozen
class Changes:
    """The current findings' keys that are new, and the earlier findings that are gone."""

    new: frozenset[Key]
    unchanged: frozenset[Key]
    resolved: tuple[Mapping[str, Any], ...]
    #: ``today`` of the earlier run when its file says so (ISO date), else ``None``
    since: str | None = None

    def status(self, key: Key) -> str:
        return "new" if key in self.new else "unchanged"


def key_of(finding: Mapping[str, Any]) -> Key:
    """Rule, subjects and :data:`IDENTITY` evidence of a finding as in the JSON: what
    identifies it from one run to the next."""
    evidence = finding.get("evidence")
    evidence = evidence if isinstance(evidence, Mapping) else {}
    what = [f"{k}={evidence[k]}" for k in IDENTITY if isinstance(evidence.get(k), str)]
    if evidence.get("kind") == "public_holiday" and isinstance(evidence.get("holiday"), str):
        what.append(f"holiday={evidence['holiday']}")
    return (str(finding.get("rule", "")), tuple(str(s) for s in finding.get("subjects") or ()),
            tuple(what))


def finding_key(finding: Finding) -> Key:
    """:func:`key_of` for a :class:`~ki_network.model.Finding`."""
    return key_of({"rule": finding.rule, "subjects": finding.subjects,
                   "evidence": finding.evidence})


def read_previous(path: str | Path, audience: str) -> dict[str, Any]:
    """The earlier findings file, checked: a ``findings`` list of objects with a rule, made
    for the same audience as this report.

    A file made for another audience would mark findings resolved that this audience simply
    cannot see — and would show the messages of a more private view in this report.  A file
    without ``audience`` (an earlier ``check`` output) is taken as made for ``internal``, the
    default of ``check``.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ChangesError(f"{path}: cannot read the earlier findings: {error}") from error
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(findings, list) or not all(
            isinstance(f, dict) and isinstance(f.get("rule"), str) for f in findings):
        raise ChangesError(f"{path}: not the JSON of 'ki-network check --format json' "
                           "(a 'findings' list with a 'rule' in each)")
    previous_audience = data.get("audience", "internal")
    if previous_audience != audience:
        raise ChangesError(
            f"{path}: the findings were made for the audience {previous_audience!r}, this "
            f"report is for {audience!r}; make them with 'ki-network check --audience "
            f"{audience} --format json' (or the report's --findings-json)")
    result: dict[str, Any] = data
    return result


def compare(previous: Mapping[str, Any], current: Iterable[Key]) -> Changes:
    """Mark ``current`` findings (their keys) against the ``previous`` file's findings."""
    before = {key_of(f): f for f in previous.get("findings") or ()}
    now = set(current)
    since = previous.get("today")
    return Changes(new=frozenset(now - before.keys()), unchanged=frozenset(now & before.keys()),
                   resolved=tuple(f for k, f in sorted(before.items()) if k not in now),
                   since=str(since) if since else None)
