"""Calendar benchmark: expansion + conflicts against recurring-ical-events; export of 10,000 events.

Usage:  python benchmarks/calendar_bench.py [--series 1000] [--years 5] [--events 10000]

1. A network of SERIES weekly events in Europe/Berlin over YEARS years, each with 2 EXDATEs
   and 1 moved occurrence (an override with RECURRENCE-ID): about 258,000 occurrences.
   * ours: ``occurrences(network, ...)`` + ``conflicts_in(...)`` (the sweep);
   * theirs: the same network exported to ICS, parsed by icalendar (not timed), then
     ``recurring_ical_events.of(calendar).between(...)`` (timed).
2. ``export_calendar`` of a network with EVENTS events (half one-off, half weekly series).

Each measurement runs in a fresh Python process, so that its peak memory (``ru_maxrss``) is
its own; the figures are wall-clock seconds and peak resident memory of that process.  With
``--repeat N`` the measurements alternate N times and the fastest of each is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

START = date(2026, 1, 5)
PLACES = [f"Begegnungsstätte {n}, Hauptstraße {n}" for n in range(300)]
GROUPS = ["parents", "women", "newcomers", "youth", "pupils", "seniors", "refugees", "adults"]
MUNICIPALITIES = [f"053740{n:02d}" for n in range(10, 23)]  # 13, as in the Oberbergischer Kreis
ACTORS = 300  # a district's network (docs/architecture.md, "Scale")


def _actors(count: int) -> list[dict[str, Any]]:
    return [{"id": f"actor-{n}", "name": f"Träger {n}", "kind": "provider"} for n in range(count)]


def series_network(directory: Path, series: int, years: int, seed: int = 4) -> Path:
    """Write the data directory of the expansion benchmark (JSON Lines: fast to load)."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    last = START + timedelta(days=365 * years - 1)
    for n in range(series):
        first = datetime.combine(START + timedelta(days=rng.randrange(7)), datetime.min.time())
        first += timedelta(hours=rng.randrange(8, 20), minutes=15 * rng.randrange(4))
        length = timedelta(minutes=rng.choice((60, 90, 120)))
        weeks = rng.sample(range(1, 250), 3)
        uid = f"series-{n}@bench.example"
        common = {"organisers": [f"actor-{rng.randrange(ACTORS)}"],
                  "municipality": rng.choice(MUNICIPALITIES),
                  "target_groups": rng.sample(GROUPS, 2), "location": rng.choice(PLACES)}
        events.append({"id": f"series-{n}", "uid": uid, "title": f"Gruppe {n}",
                       "start": first.isoformat(), "end": (first + length).isoformat(),
                       "rrule": "FREQ=WEEKLY", "until": last.isoformat(),
                       "exdates": [(first + timedelta(weeks=w)).isoformat()
                                   for w in weeks[:2]], **common})
        moved = first + timedelta(weeks=weeks[2])
        events.append({"id": f"series-{n}-moved", "uid": uid, "title": f"Gruppe {n} (verlegt)",
                       "recurrence_id": moved.isoformat(),
                       "start": (moved + timedelta(days=1, hours=1)).isoformat(),
                       "end": (moved + timedelta(days=1, hours=1) + length).isoformat(),
                       **common})
    return _write(directory, events)


def export_network(directory: Path, count: int, seed: int = 5) -> Path:
    """Write a network with ``count`` events: half one-off, half weekly for a year."""
    rng = random.Random(seed)
    events = []
    for n in range(count):
        first = datetime(2026, 1, 1, 8) + timedelta(days=rng.randrange(365),
                                                    minutes=15 * rng.randrange(48))
        event: dict[str, Any] = {
            "id": f"event-{n}", "title": {"de": f"Treffen {n}", "en": f"Meeting {n}"},
            "description": f"Offenes Treffen, Nr. {n}; mit Kaffee\nund Kuchen",
            "organisers": [f"actor-{rng.randrange(ACTORS)}"], "topic": "language.informal",
            "municipality": rng.choice(MUNICIPALITIES), "location": rng.choice(PLACES),
            "geo": {"lat": 51.0 + rng.random() / 10, "lon": 7.5 + rng.random() / 10},
            "start": first.isoformat(), "end": (first + timedelta(hours=2)).isoformat()}
        if n % 2:
            event.update(rrule="FREQ=WEEKLY", until=(first + timedelta(days=364)).date()
                         .isoformat(), exdates=[(first + timedelta(weeks=3)).isoformat()])
        events.append(event)
    return _write(directory, events)


def _write(directory: Path, events: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "network.yaml").write_text(
        "name: Benchmark\ntimezone: Europe/Berlin\nid_namespace: bench.example\n",
        encoding="utf-8")
    for name, records in (("actors", _actors(ACTORS)), ("events", events)):
        with (directory / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return directory


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# -- the measured parts, each run in its own process -----------------------------------------


def part_ours(directory: str, years: int) -> dict[str, Any]:
    from ki_network import load
    from ki_network.calendar.occurrences import occurrences
    from ki_network.checks.conflicts import conflicts_in
    from ki_network.testing import bare_plugin_manager

    net = load(directory, bare_plugin_manager())
    before = _peak_mb()
    began = time.perf_counter()
    found = occurrences(net, START, START + timedelta(days=365 * years))
    expanded = time.perf_counter()
    findings = conflicts_in(net, found)
    done = time.perf_counter()
    return {"occurrences": len(found), "findings": len(findings),
            "expand_s": expanded - began, "conflicts_s": done - expanded,
            "total_s": done - began, "peak_mb": _peak_mb(), "before_mb": before}


def part_theirs(ics: str, years: int) -> dict[str, Any]:
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(Path(ics).read_bytes())
    before = _peak_mb()
    began = time.perf_counter()
    found = recurring_ical_events.of(calendar).between(
        datetime.combine(START, datetime.min.time()),
        datetime.combine(START + timedelta(days=365 * years), datetime.min.time()))
    done = time.perf_counter()
    return {"occurrences": len(found), "total_s": done - began, "peak_mb": _peak_mb(),
            "before_mb": before}


def part_export(directory: str) -> dict[str, Any]:
    from ki_network import load
    from ki_network.calendar.ics_export.writer import export_calendar
    from ki_network.testing import bare_plugin_manager

    net = load(directory, bare_plugin_manager())
    began = time.perf_counter()
    result = export_calendar(net, audience="internal", now=datetime(2026, 1, 1, tzinfo=UTC))
    done = time.perf_counter()
    return {"events": len(net.events), "components": result.components,
            "bytes": len(result.data), "total_s": done - began, "peak_mb": _peak_mb()}


def _run_part(*args: str) -> dict[str, Any]:
    output = subprocess.run([sys.executable, __file__, "--part", *args], check=True,
                            capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each measurement this often, alternating, and keep the "
                             "fastest (the machine may be shared)")
    parser.add_argument("--part", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        name, *rest = args.part
        if name == "ours":
            print(json.dumps(part_ours(rest[0], args.years)))
        elif name == "theirs":
            print(json.dumps(part_theirs(rest[0], args.years)))
        else:
            print(json.dumps(part_export(rest[0])))
        return

    from ki_network import load
    from ki_network.calendar.ics_export.writer import export_calendar
    from ki_network.testing import bare_plugin_manager

    with tempfile.TemporaryDirectory() as tmp:
        data = series_network(Path(tmp) / "series", args.series, args.years)
        ics = Path(tmp) / "series.ics"
        ics.write_bytes(export_calendar(load(data, bare_plugin_manager()),
                                        audience="internal",
                                        now=datetime(2026, 1, 1, tzinfo=UTC)).data)
        exports = str(export_network(Path(tmp) / "export", args.events))
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "theirs": [], "export": []}
        for _ in range(args.repeat):
            runs["ours"].append(_run_part("ours", str(data), "--years", str(args.years)))
            runs["theirs"].append(_run_part("theirs", str(ics), "--years", str(args.years)))
            runs["export"].append(_run_part("export", exports))
        ours, theirs, exported = (min(runs[k], key=lambda r: r["total_s"])
                                  for k in ("ours", "theirs", "export"))

    print(f"{args.series} weekly series over {args.years} years, 2 EXDATEs and 1 moved "
          f"occurrence each (Europe/Berlin); fastest of {args.repeat} run(s)")
    print(f"  ki-network: {ours['occurrences']:,} occurrences, {ours['findings']:,} findings")
    print(f"    expansion {ours['expand_s']:.2f} s + conflicts {ours['conflicts_s']:.2f} s = "
          f"{ours['total_s']:.2f} s; peak memory {ours['peak_mb']:.0f} MB "
          f"({ours['before_mb']:.0f} MB before)")
    print(f"  recurring_ical_events.of(cal).between(): {theirs['occurrences']:,} occurrences")
    print(f"    {theirs['total_s']:.2f} s; peak memory {theirs['peak_mb']:.0f} MB "
          f"({theirs['before_mb']:.0f} MB before)")
    print(f"  speed-up: {theirs['total_s'] / ours['total_s']:.1f}x (expansion and conflicts "
          f"against expansion alone)")
    print(f"export of {exported['events']:,} events ({exported['components']:,} VEVENTs, "
          f"{exported['bytes'] / 1e6:.1f} MB): {exported['total_s']:.2f} s, "
          f"peak memory {exported['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
