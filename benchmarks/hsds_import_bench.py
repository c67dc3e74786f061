"""HSDS import benchmark: 10,000 services into a new data directory.

Usage:  python benchmarks/hsds_import_bench.py [--services 10000] [--repeat 2] [--yaml]

Generates an API page of SERVICES HSDS 3.0 services (500 organisations; each service with
two weekly schedules, two languages, a phone, a contact, a location with an address and
coordinates, a taxonomy term and a cost option that has no counterpart and must be kept)
and a 1.x tabular directory of the same size, then runs ``ki-network import hsds SRC -o DIR``
on each in a fresh Python process: read, map, keep what the export would not give back,
check every record with the builder, write (JSON Lines; ``--yaml`` for YAML) and load the
result once as a check.  Prints wall-clock seconds, CPU seconds and peak memory.  Target:
under 5 s for 10,000 services.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

DAYS = ["MO", "TU", "WE", "TH", "FR"]
LANGUAGES = ["de", "tr", "ar", "uk", "ru", "pl", "ro", "en", "fa"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def services(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    orgs = [{"id": _uuid(rng), "name": f"Träger {n}", "description": f"Träger Nummer {n}",
             "email": f"info{n}@traeger.example", "website": f"https://traeger{n}.example"}
            for n in range(500)]
    out = []
    for n in range(count):
        org = orgs[n % len(orgs)]
        sid = _uuid(rng)
        hour = rng.randint(8, 18)
        place = {"id": _uuid(rng), "location_type": "physical", "name": f"Treffpunkt {n}",
                 "latitude": 50.9 + rng.random() / 10, "longitude": 7.5 + rng.random() / 10,
                 "addresses": [{"id": _uuid(rng), "address_1": f"Hauptstraße {n}",
                                "city": "Gummersbach", "state_province": "NRW",
                                "postal_code": "51643", "country": "DE",
                                "address_type": "physical"}]}
        out.append({
            "id": sid, "organization_id": org["id"], "organization": org,
            "name": f"Angebot {n}: {rng.choice(['Sprachcafé', 'Beratung', 'Elterncafé'])}",
            "description": f"Beschreibung des Angebots {n}", "status": "active",
            "url": f"https://angebote.example/{n}", "email": f"angebot{n}@traeger.example",
            "languages": [{"id": _uuid(rng), "code": code}
                          for code in rng.sample(LANGUAGES, 2)],
            "phones": [{"id": _uuid(rng), "number": f"+49 2261 {n:06d}"}],
            "contacts": [{"id": _uuid(rng), "name": f"Kontakt {n}"}],
            "schedules": [{"id": _uuid(rng), "dtstart": f"2026-03-0{2 + i}", "freq": "WEEKLY",
                           "byday": DAYS[(n + i) % 5], "opens_at": f"{hour:02d}:00",
                           "closes_at": f"{hour + 2:02d}:00", "timezone": 1,
                           "until": "2026-12-31"} for i in range(2)],
            "service_at_locations": [{"id": _uuid(rng), "location_id": place["id"],
                                      "location": place}],
            "attributes": [{"id": _uuid(rng), "link_entity": "service", "link_id": sid,
                            "taxonomy_term": {"id": _uuid(rng), "code": f"T{n % 40}",
                                              "name": f"Term {n % 40}", "description": "x",
                                              "taxonomy": "local"}}],
            "cost_options": [{"id": _uuid(rng), "option": "free", "amount": 0}],
        })
    return out


def write_v1(directory: Path, count: int, seed: int = 7) -> None:
    """The same number of services as HSDS 1.x tables (weekday opening hours)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True)
    tables: dict[str, list[dict[str, Any]]] = {
        "organizations.csv": [{"id": f"o{n}", "name": f"Träger {n}", "description": "x"}
                              for n in range(500)],
        "services.csv": [], "locations.csv": [], "services_at_location.csv": [],
        "regular_schedules.csv": []}
    for n in range(count):
        tables["services.csv"].append({"id": f"s{n}", "organization_id": f"o{n % 500}",
                                       "name": f"Angebot {n}", "description": "null"})
        tables["locations.csv"].append({"id": f"l{n}", "name": f"Treffpunkt {n}",
                                        "latitude": "", "longitude": ""})
        tables["services_at_location.csv"].append({"id": "", "service_id": f"s{n}",
                                                   "location_id": f"l{n}"})
        hour = rng.randint(8, 18)
        for day in ("Monday", "Wednesday"):
            tables["regular_schedules.csv"].append({
                "id": "", "location_id": f"l{n}", "weekday": day, "opens_at": f"{hour}:00",
                "closes_at": f"{hour + 2}:00"})
    for name, rows in tables.items():
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def measure(source: Path, target: Path, yaml: bool) -> dict[str, Any]:
    code = (
        "import resource, sys, time\n"
        "from click.testing import CliRunner\n"
        "from ki_network.cli import main\n"
        "t = time.perf_counter(); c = time.process_time()\n"
        f"args = ['import', 'hsds', {str(source)!r}, '-o', {str(target)!r}]"
        f" + ['--files', {'yaml' if yaml else 'auto'!r}]\n"
        "r = CliRunner().invoke(main, args)\n"
        "assert r.exit_code == 0, r.output[-2000:]\n"
        "print(time.perf_counter() - t, time.process_time() - c,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    wall, cpu, peak = map(float, out.stdout.split()[-3:])
    return {"wall": wall, "cpu": cpu, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--yaml", action="store_true", help="write YAML instead of JSON Lines")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        page = root / "services.json"
        page.write_text(json.dumps({"contents": services(args.services)}), encoding="utf-8")
        write_v1(root / "v1", args.services)
        size = page.stat().st_size / 1e6
        print(f"{args.services:,} services; HSDS 3.0 JSON page {size:.1f} MB; "
              f"writing {'YAML' if args.yaml else 'JSON Lines'}; best of {args.repeat}")
        for label, source in (("HSDS 3.0 JSON", page), ("HSDS 1.x tables", root / "v1")):
            runs = [measure(source, root / f"out-{label[:6]}-{n}", args.yaml)
                    for n in range(args.repeat)]
            best = min(runs, key=lambda r: r["wall"])
            verdict = "met" if best["wall"] < 5 else "NOT met"
            print(f"{label:<16} wall {best['wall']:.2f} s  CPU {best['cpu']:.2f} s  "
                  f"peak {best['peak_mb']:.0f} MB  (target < 5 s: {verdict})")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; record the machine in "
          "docs/performance.md")


if __name__ == "__main__":
    main()
