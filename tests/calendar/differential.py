"""The differential comparison of ``test_differential.py``: one feed, four readings.

For one ``.ics`` file:

(a) recurring-ical-events expands the original file;
(b) the file is imported into a fresh network (``read_ics``), the joint calendar is exported
    and recurring-ical-events expands that export;
(c) :func:`ki_network.calendar.occurrences` expands the imported network;
(d) ical.js expands the export (where node and the package in ``tests/js`` are present).

Each reading is a set of (UID, start, end): UIDs are the source's (our exported UIDs are
mapped back through the imported records), timed instants are UTC ISO text (floating times
read in the network's zone), all-day ones are dates.  Occurrences count when they start in
:data:`WINDOW`; each UID contributes its first :data:`CAP` occurrences, on every side alike,
so that a daily series since 1970 stays cheap.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import json
import shutil
import subprocess
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from ki_network.calendar.ics_export.writer import export_calendar
from ki_network.calendar.ics_import.event import NO_UID_SUFFIX
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.calendar.occurrences import occurrences
from ki_network.calendar.series import uid_for
from ki_network.model import Event
from ki_network.network import Network
from ki_network.testing import tiny_network

ZONE = "Europe/Berlin"
TZ = ZoneInfo(ZONE)
WINDOW = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
CAP = 60
ACTOR = "caritas"
JS = Path(__file__).parent.parent / "js"

Span = tuple[str, str, str]  # uid, start, end


def corpus() -> list[tuple[str, Path]]:
    """Every ``.ics`` file of the installed icalendar and recurring-ical-events distributions."""
    found = [(f"{dist}/{file}", Path(str(file.locate())))
             for dist in ("icalendar", "recurring-ical-events")
             for file in importlib.metadata.files(dist) or () if file.suffix == ".ics"]
    return sorted(found)


def _instant(value: date, all_day: bool | None = None) -> tuple[str, datetime]:
    """Comparable text and a sort/clip instant for a start or end."""
    if not isinstance(value, datetime):
        return value.isoformat(), datetime.combine(value, time.min, TZ).astimezone(UTC)
    aware = value if value.tzinfo is not None else value.replace(tzinfo=TZ)
    utc = aware.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ"), utc


def _capped(found: Iterable[tuple[str, datetime, str, str]]) -> set[Span]:
    """The first :data:`CAP` occurrences per UID among those starting inside the window."""
    per_uid: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for uid, at, start, end in found:
        if WINDOW[0] <= at < WINDOW[1]:
            per_uid[uid].append((at, start, end))
    spans: set[Span] = set()
    for uid, items in per_uid.items():
        spans.update((uid, start, end) for _, start, end in sorted(set(items))[:CAP])
    return spans


# --------------------------------------------------------------------------------------------
# recurring-ical-events
# --------------------------------------------------------------------------------------------


def _components_by_uid(calendar: Any) -> dict[str, Any]:
    """One calendar per UID (with the file's VTIMEZONEs), so each series is capped alone."""
    zones = list(calendar.walk("VTIMEZONE"))
    by_uid: dict[str, Any] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        part = by_uid.get(uid)
        if part is None:
            part = by_uid[uid] = icalendar.Calendar()
            for key in ("X-WR-TIMEZONE",):
                if key in calendar:
                    part[key] = calendar[key]
            for zone in zones:
                part.add_component(zone)
        part.add_component(event)
    return by_uid


def rie_spans(data: bytes, uid_map: dict[str, str] | None = None) -> set[Span]:
    """recurring-ical-events' reading of ``data`` (UIDs mapped through ``uid_map``).

    icalendar's warnings (a guessed TZID, …) are what it tells a reader, not failures: they
    are ignored here, also where the test run turns warnings into errors.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _rie_spans(data, uid_map)


def _rie_spans(data: bytes, uid_map: dict[str, str] | None) -> set[Span]:
    calendars = icalendar.Calendar.from_ical(data, multiple=True)
    found: list[tuple[str, datetime, str, str]] = []
    for calendar in calendars:
        for uid, part in _components_by_uid(calendar).items():
            mapped = uid_map.get(uid, uid) if uid_map is not None else uid
            iterator = recurring_ical_events.of(part).after(WINDOW[0] - timedelta(days=1))
            count = 0
            for component in iterator:
                start_text, at = _instant(component.start)
                if at >= WINDOW[1]:
                    break
                end_text, _ = _instant(component.end)
                found.append((mapped, at, start_text, end_text))
                if at >= WINDOW[0]:
                    count += 1
                    if count >= CAP:
                        break
    return _capped(found)


# --------------------------------------------------------------------------------------------
# ours
# --------------------------------------------------------------------------------------------


def import_network(data: bytes, name: str) -> tuple[Network, Any]:
    """A fresh network with the records ``read_ics`` makes of ``data``."""
    feed = read_ics(data, actor=ACTOR, source=name, timezone=ZONE)
    events = [json.loads(json.dumps(dict(r), default=str)) for r in feed.records]
    return tiny_network(offers=[], events=events, relations=[]), feed


def source_uids(network: Network) -> dict[str, str]:
    """Exported UID → the source's UID (or the record id for records without one)."""
    ns = network.config.id_namespace
    return {uid_for(event, 0, ns): "" if not event.uid or event.uid.endswith(NO_UID_SUFFIX)
            else event.uid for event in network.events.values()}


def ours_spans(network: Network) -> set[Span]:
    """:func:`occurrences` of the network, series by series in growing windows."""
    uids = source_uids(network)
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in network.events.values():
        groups[event.uid or event.id].append(event)
    found: list[tuple[str, datetime, str, str]] = []
    for items in groups.values():
        low, step = WINDOW[0], timedelta(days=366)
        count = 0
        while low < WINDOW[1] and count < CAP:
            high = min(low + step, WINDOW[1])
            for o in occurrences(network, low, high, items=items):
                if not low <= o.start < high:
                    continue
                if o.all_day:
                    start_text = o.start.astimezone(TZ).date().isoformat()
                    end_text = o.end.astimezone(TZ).date().isoformat()
                else:
                    start_text, _ = _instant(o.start)
                    end_text, _ = _instant(o.end)
                found.append((uids.get(o.uid, o.uid), o.start, start_text, end_text))
                count += 1
            low, step = high, step * 4
    return _capped(found)


def export(network: Network) -> bytes:
    # everything the feed held, whatever its CLASS: the comparison is of times, not audiences
    return export_calendar(network, audience="internal", now=datetime(2026, 1, 1, tzinfo=UTC)).data


# --------------------------------------------------------------------------------------------
# ical.js
# --------------------------------------------------------------------------------------------


def node_ready() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "ical.js").exists()


def icaljs_spans(data: bytes, uid_map: dict[str, str]) -> set[Span]:
    with tempfile.NamedTemporaryFile("wb", suffix=".ics", delete=False) as handle:
        handle.write(data)
    try:
        out = subprocess.run(
            ["node", str(JS / "spans.mjs"), handle.name, WINDOW[0].isoformat(),
             WINDOW[1].isoformat(), str(CAP)], capture_output=True, check=True, timeout=120)
    finally:
        Path(handle.name).unlink()
    found = []
    for uid, start, end in json.loads(out.stdout):
        at = (datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
              if "T" in start else datetime.combine(date.fromisoformat(start), time.min, TZ)
              .astimezone(UTC))
        found.append((uid_map.get(uid, uid), at, start, end))
    return _capped(found)


# --------------------------------------------------------------------------------------------
# one file
# --------------------------------------------------------------------------------------------


def compare(name: str, data: bytes, *, with_js: bool) -> dict[str, Any]:
    """The four readings of one file and how (b), (c), (d) differ from (a).

    ``result["original"]`` is ``None`` when recurring-ical-events cannot read the original;
    then there is nothing to compare with.
    """
    try:
        original: set[Span] | None = rie_spans(data)
    except Exception as exc:
        return {"original": None, "reason": f"{type(exc).__name__}: {exc}"}
    network, feed = import_network(data, name)
    uid_map = source_uids(network)
    exported = export(network)
    readings = {"ours": ours_spans(network), "export": rie_spans(exported, uid_map)}
    if with_js:
        readings["icaljs"] = icaljs_spans(exported, uid_map)
    diffs = {side: {"missing": sorted(original - spans), "extra": sorted(spans - original)}
             for side, spans in readings.items() if spans != original}
    return {"original": original, "readings": readings, "diffs": diffs, "feed": feed}


def summary(diff: dict[str, list[Span]]) -> str:
    parts = []
    for kind in ("missing", "extra"):
        spans = diff[kind]
        if spans:
            sample = ", ".join(f"{u[:20]} {s}→{e}" for u, s, e in itertools.islice(spans, 3))
            parts.append(f"{len(spans)} {kind} ({sample}{', …' if len(spans) > 3 else ''})")
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------
# the reviewed table and its rendering in the documentation
# --------------------------------------------------------------------------------------------

TABLE = Path(__file__).parent / "known_differences.toml"
DOC = Path(__file__).parent.parent.parent / "docs" / "calendar-import.md"
BEGIN = "<!-- known differences: generated from tests/calendar/known_differences.toml -->"
END = "<!-- end of known differences -->"
SIDES = {"ours": "occurrences()", "export": "export (recurring-ical-events)",
         "icaljs": "export (ical.js)"}
VERDICTS = {"ours": "we are", "both": "both readings are allowed",
            "undefined": "invalid input, the RFC has no answer"}


def entries() -> list[dict[str, Any]]:
    import tomllib

    with TABLE.open("rb") as handle:
        return list(tomllib.load(handle)["difference"])


def known() -> dict[str, dict[str, dict[str, Any]]]:
    """file → side → the entry that lists the difference."""
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for entry in entries():
        for side in entry["sides"]:
            assert side not in found[entry["file"]], (entry["file"], side)
            found[entry["file"]][side] = entry
    return dict(found)


def render() -> str:
    rows = ["| file | reading | only in the original / only in ours | RFC 5545 | who is right "
            "| why |", "|---|---|---|---|---|---|"]
    for entry in sorted(entries(), key=lambda e: (e["file"], e["sides"])):
        sides = ", ".join(SIDES[s] for s in entry["sides"])
        why = " ".join(entry["why"].split()).replace("|", "\\|")
        rows.append(f"| `{entry['file'].rsplit('/', 1)[-1]}` | {sides} | "
                    f"{entry['missing']} / {entry['extra']} | {entry['rfc']} | "
                    f"{VERDICTS[entry['right']]} | {why} |")
    return "\n".join(rows)


def render_into(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render()}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(render_into(DOC.read_text(encoding="utf-8")), encoding="utf-8")
