"""Generate large, valid, seeded networks for benchmarks (and for anyone who needs volume).

The data looks like a real network where it matters for the cost of loading and checking:
offers spread over many municipalities, topics and providers; weekly schedules with
exceptions; multilingual titles; a share of partners/internal items; unknown extra fields.
Municipalities are 8-digit AGS codes, so the network needs no region plugin.

Usage::

    python benchmarks/generate.py OUT_DIR --actors 10000 --offers 100000 --relations 200000 \\
        --events 0 --format jsonl --seed 1

or from Python::

    from benchmarks.generate import generate
    generate(Path("/tmp/big"), actors=10_000, offers=100_000, relations=200_000, fmt="jsonl")

The same seed and sizes always give the same files.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

KINDS = ("administration", "provider", "migrant_organisation", "school", "daycare",
         "education_provider", "volunteer_group", "religious_community", "other")
RELATION_KINDS = ("cooperates", "funds", "member_of", "refers_to", "coordinates",
                  "co_organises")
LANGUAGES = ("de", "en", "ar", "tr", "uk", "ru", "fa", "ro", "pl", "ti", "ku", "fr", "so")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA")
TITLE_WORDS = ("Sprachcafé", "Elterncafé", "Beratung", "Hausaufgabenhilfe", "Frauentreff",
               "Integrationskurs", "Nähcafé", "Bewerbungstraining", "Kochtreff", "Lernpatenschaft",
               "Fahrradkurs", "Schwimmkurs", "Spielgruppe", "Sprechstunde", "Kulturabend")
PLACE_WORDS = ("Talweg", "Kaiserstraße", "Hauptstraße", "Marktplatz", "Kirchweg", "Bahnhofstraße")


def vocabulary(name: str) -> list[str]:
    """The ids of the built-in vocabulary ``topics.csv`` or ``target_groups.csv``."""
    text = files("ki_network.data").joinpath(name).read_text(encoding="utf-8")
    return [row["id"] for row in csv.DictReader(text.splitlines())]


def municipality_codes(count: int) -> list[str]:
    """``count`` well-formed AGS codes across NRW's districts (053xx..059xx)."""
    codes = []
    for index in range(count):
        district = 5_100 + (index // 40) * 4  # a new Kreis every 40 municipalities
        codes.append(f"0{district:04d}{(index % 40) * 4 + 4:03d}")
    return codes


class _Generator:
    def __init__(self, seed: int, actors: int, municipalities: int) -> None:
        self.rng = random.Random(seed)
        self.topics = [t for t in vocabulary("topics.csv") if "." in t]
        self.groups = vocabulary("target_groups.csv")
        self.places = municipality_codes(municipalities)
        self.actor_ids = [f"actor-{n:06d}" for n in range(actors)]
        self.actor_home: dict[str, str] = {}

    def _visibility(self) -> str | None:
        roll = self.rng.random()
        return None if roll < 0.9 else ("partners" if roll < 0.97 else "internal")

    def _title(self, place: str) -> Any:
        rng = self.rng
        word = rng.choice(TITLE_WORDS)
        if rng.random() < 0.4:
            return {"de": f"{word} {place[-3:]}", "en": f"{word} (en) {place[-3:]}",
                    rng.choice(LANGUAGES[2:]): f"{word} ({rng.randrange(100)})"}
        return f"{word} {place[-3:]} {rng.randrange(1000)}"

    def actors(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for ident in self.actor_ids:
            home = rng.choice(self.places)
            self.actor_home[ident] = home
            served = sorted({home, *rng.sample(self.places, rng.randrange(0, 3))})
            record: dict[str, Any] = {
                "id": ident, "name": f"Träger {ident[-6:]} e.V.", "kind": rng.choice(KINDS),
                "municipalities": served, "address": f"{rng.choice(PLACE_WORDS)} "
                                                     f"{rng.randrange(1, 200)}, {home}",
                "languages": sorted({"de", *rng.sample(LANGUAGES, rng.randrange(0, 3))}),
                "contact": {"email": f"info@{ident}.example",
                            "phone": f"+49 2261 {rng.randrange(10_000, 99_999)}"},
            }
            if rng.random() < 0.3:
                record["topics"] = rng.sample(self.topics, 2)
            if (visibility := self._visibility()) is not None:
                record["visibility"] = visibility
            if rng.random() < 0.05:
                record["founded"] = rng.randrange(1950, 2025)  # an unknown field: kept
            yield record

    def _schedule(self) -> list[dict[str, Any]]:
        rng = self.rng
        first = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 120))
        start = datetime(first.year, first.month, first.day, rng.randrange(8, 19),
                         rng.choice((0, 15, 30, 45)))
        entry: dict[str, Any] = {"start": start.isoformat(timespec="minutes"),
                                 "end": (start + timedelta(minutes=rng.choice((60, 90, 120))))
                                 .isoformat(timespec="minutes")}
        if rng.random() < 0.8:
            entry["rrule"] = f"FREQ=WEEKLY;BYDAY={WEEKDAYS[start.weekday() % 6]}"
            entry["until"] = (first + timedelta(weeks=rng.randrange(8, 40))).isoformat()
            if rng.random() < 0.3:
                entry["exdates"] = [(first + timedelta(weeks=rng.randrange(1, 8))).isoformat()]
        return [entry]

    def offers(self, count: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for number in range(count):
            provider = rng.choice(self.actor_ids)
            place = (self.actor_home.get(provider) if rng.random() < 0.8
                     else rng.choice(self.places)) or rng.choice(self.places)
            record: dict[str, Any] = {
                "id": f"offer-{number:07d}", "title": self._title(place), "provider": provider,
                "topic": rng.choice(self.topics),
                "target_groups": rng.sample(self.groups, rng.randrange(1, 3)),
                "languages": sorted({"de", *rng.sample(LANGUAGES, rng.randrange(0, 2))}),
                "municipality": place,
                "location": f"{rng.choice(PLACE_WORDS)} {rng.randrange(1, 200)}",
                "schedule": self._schedule(),
            }
            if rng.random() < 0.2:
                record["partners"] = [a for a in rng.sample(self.actor_ids, 2) if a != provider]
            if rng.random() < 0.3:
                record["valid_from"], record["valid_to"] = "2026-01-01", "2026-12-31"
            if (visibility := self._visibility()) is not None:
                record["visibility"] = visibility
            if rng.random() < 0.05:
                record["room_note"] = "barrierefrei"  # an unknown field: kept
            yield record

    def events(self, count: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for number in range(count):
            organisers = sorted(set(rng.sample(self.actor_ids, rng.randrange(1, 3))))
            entry = self._schedule()[0]
            entry.pop("rrule", None)
            entry.pop("until", None)
            entry.pop("exdates", None)
            record: dict[str, Any] = {
                "id": f"event-{number:06d}", "title": self._title(rng.choice(self.places)),
                "organisers": organisers, "topic": rng.choice(self.topics),
                "municipality": self.actor_home.get(organisers[0], self.places[0]), **entry}
            if rng.random() < 0.05:
                record["status"] = "tentative"
            yield record

    def relations(self, count: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        seen: set[tuple[str, str, str]] = set()
        if len(self.actor_ids) < 2:
            return
        while len(seen) < count:
            source, target = rng.sample(self.actor_ids, 2)
            kind = rng.choice(RELATION_KINDS)
            if (source, target, kind) in seen:
                continue
            seen.add((source, target, kind))
            record: dict[str, Any] = {"source": source, "target": target, "kind": kind}
            if kind == "funds":
                record["programme"] = "KOMM-AN NRW"
            yield record


def generate(directory: Path, *, actors: int, offers: int, relations: int, events: int = 0,
             fmt: str = "jsonl", seed: int = 1, municipalities: int | None = None) -> Path:
    """Write a valid network to ``directory`` (created) and return it.

    ``fmt`` is ``jsonl`` (one record a line) or ``yaml`` (block style, as people write it).
    ``municipalities`` defaults to about one per 25 actors (at least 13, like a district).
    """
    if fmt not in ("jsonl", "yaml"):
        raise ValueError("fmt must be 'jsonl' or 'yaml'")
    directory.mkdir(parents=True, exist_ok=True)
    generator = _Generator(seed, actors, municipalities or max(13, actors // 25))
    (directory / "network.yaml").write_text(
        f"name: Generated network (seed {seed})\ntimezone: Europe/Berlin\nlanguage: de\n",
        encoding="utf-8")
    kinds = (("actors", generator.actors()), ("offers", generator.offers(offers)),
             ("events", generator.events(events)), ("relations", generator.relations(relations)))
    for kind, records in kinds:
        for stale in (directory / f"{kind}.jsonl", directory / f"{kind}.yaml"):
            stale.unlink(missing_ok=True)
        path = directory / f"{kind}.{fmt}"
        with path.open("w", encoding="utf-8") as handle:
            if fmt == "jsonl":
                for record in records:
                    handle.write(json.dumps(record, ensure_ascii=False))
                    handle.write("\n")
            else:
                yaml.safe_dump(list(records), handle, allow_unicode=True, sort_keys=False,
                               width=100)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--actors", type=int, default=300)
    parser.add_argument("--offers", type=int, default=2_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--relations", type=int, default=500)
    parser.add_argument("--format", dest="fmt", choices=("jsonl", "yaml"), default="yaml")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.directory, actors=args.actors, offers=args.offers, relations=args.relations,
             events=args.events, fmt=args.fmt, seed=args.seed)
    print(f"wrote {args.directory}")


if __name__ == "__main__":
    main()
