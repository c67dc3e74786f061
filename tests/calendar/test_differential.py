"""Partner feeds kept exactly: a differential test against two independent calendar engines.

Every ``.ics`` file of the installed icalendar and recurring-ical-events distributions (found
through ``importlib.metadata``, so the corpus follows the installed versions) is imported into
a fresh network and exported as the joint calendar.  The sets of (UID, start, end) over
1970–2030 must be equal between

(a) recurring-ical-events on the original file (the reference),
(b) recurring-ical-events on our export,
(c) ``ki_network.calendar.occurrences()`` on the imported network,
(d) ical.js on our export (where node and ``tests/js/node_modules`` are present).

A difference is a failure unless ``known_differences.toml`` lists it — per file and side,
with the number of occurrences only in the original (``missing``) and only in ours
(``extra``), the RFC 5545 section and who is right.  ``docs/calendar-import.md`` renders
that table; a test checks that the document matches it (``python
tests/calendar/differential.py`` rewrites the section).  See ``differential.py`` for the
conventions (floating times in the network's zone, all-day as dates, the first
``CAP`` occurrences per UID).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import differential

FILES = differential.corpus()
KNOWN = differential.known()
WITH_JS = differential.node_ready()


def test_the_corpus_is_found_through_the_installed_distributions() -> None:
    assert len(FILES) >= 250
    assert {name.split("/", 1)[0] for name, _ in FILES} == {"icalendar",
                                                            "recurring-ical-events"}


@pytest.mark.parametrize(("name", "path"), FILES, ids=[name for name, _ in FILES])
def test_feed_kept_exactly(name: str, path: Path) -> None:
    result = differential.compare(name, path.read_bytes(), with_js=WITH_JS)
    if result["original"] is None:
        assert name not in KNOWN, f"{name}: listed, but the reference cannot read it"
        pytest.skip(f"recurring-ical-events cannot read the original: {result['reason']}")
    found = {side: (len(diff["missing"]), len(diff["extra"]))
             for side, diff in result["diffs"].items()}
    listed = {side: (entry["missing"], entry["extra"])
              for side, entry in KNOWN.get(name, {}).items()
              if side != "icaljs" or WITH_JS}
    problems = [f"{side}: {differential.summary(result['diffs'][side])}"
                for side in sorted(found) if found[side] != listed.get(side)]
    problems += [f"{side}: listed as {listed[side]} (missing, extra) but agrees now"
                 for side in sorted(listed) if side not in found]
    assert not problems, f"{name} differs from recurring-ical-events on the original:\n" + \
        "\n".join(problems)


def test_every_listed_difference_has_a_verdict_and_we_are_not_wrong() -> None:
    for name, sides in KNOWN.items():
        assert any(name == file for file, _ in FILES), f"{name} is not in the corpus"
        for side, entry in sides.items():
            assert entry["rfc"].strip() and entry["why"].strip(), (name, side)
            assert entry["right"] in ("ours", "both", "undefined"), (name, side)


def test_the_document_renders_the_table() -> None:
    text = differential.DOC.read_text(encoding="utf-8")
    assert differential.render_into(text) == text, \
        "docs/calendar-import.md is out of date: run python tests/calendar/differential.py"
