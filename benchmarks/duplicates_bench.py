"""Duplicate detection at 10,000 / 100,000 / 1,000,000 offers, and splink beside it.

Offers are generated as model objects (not YAML) with planted duplicates (one offer recorded
twice with other spelling, abbreviations, swapped words, another phone format, the KI as
provider) and planted overlaps (another provider, same topic, place, people and time).
Each size runs in its own process, so that peak memory (max RSS) is that size's alone.

    nice .venv/bin/python benchmarks/duplicates_bench.py                 # all sizes, splink ≤ 100k
    nice .venv/bin/python benchmarks/duplicates_bench.py --sizes 10000   # one size

Prints a Markdown table for docs/performance.md.  splink comes from the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from typing import Any

from ki_network.model import Contact, Offer, Schedule, Text

FAMILIES = {
    "language": ["language.informal", "language.integration_course", "language.job_german"],
    "counselling": ["counselling.adult_migration", "counselling.youth_migration",
                    "counselling.asylum"],
    "early_childhood": ["early_childhood.griffbereit", "early_childhood.parent_counselling"],
    "school": ["school.daz"], "cohesion": ["cohesion.encounter"], "work": ["work"],
    "health": ["health"],
}
NOUNS = {
    "language": ["Sprachcafé", "Deutschkurs", "Konversationskreis", "Sprachtreff",
                 "Integrationskurs", "Lesekreis", "Schreibwerkstatt", "Sprachpatenschaft"],
    "counselling": ["Migrationsberatung", "Sprechstunde", "Sozialberatung", "Asylberatung",
                    "Beratungscafé", "Lotsendienst"],
    "early_childhood": ["Eltern-Kind-Gruppe", "Elterncafé", "Krabbelgruppe", "Spielgruppe",
                        "Familientreff"],
    "school": ["Hausaufgabenhilfe", "Lernförderung", "Nachhilfe", "Lesepatenschaft"],
    "cohesion": ["Frauenfrühstück", "Kochtreff", "Nähcafé", "Begegnungscafé", "Spieleabend",
                 "Gartenprojekt", "Stadtspaziergang"],
    "work": ["Bewerbungstraining", "Jobcafé", "Ausbildungslotsen", "Berufsorientierung"],
    "health": ["Gesundheitstreff", "Sportgruppe", "Schwimmkurs", "Bewegungstreff"],
}
QUALIFIERS = ["Interkulturelles", "Internationales", "Offenes", "Mobiles", "Digitales",
              "Kleines", "Großes", "Neues", "Gemeinsames", "Buntes", "Ehrenamtliches", ""]
AUDIENCES = [("für Frauen", "women"), ("für Eltern", "parents"), ("für Jugendliche", "youth"),
             ("für Senioren", "seniors"), ("für Geflüchtete", "refugees"),
             ("für Neuzugewanderte", "newcomers"), ("für Kinder", "children"), ("", "everyone")]
STREETS = ["Hauptstraße", "Kaiserstraße", "Bahnhofstraße", "Kirchweg", "Talweg", "Marktplatz",
           "Schulstraße", "Lindenallee", "Gartenstraße", "Mühlenweg", "Wiesenweg", "Ringstraße"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]


def _level(offer: Offer) -> str | None:
    return next((w for w in offer.title.get("de").split() if w in ("A1", "A2", "B1", "B2")),
                None)


def _respell(rng: random.Random, title: str) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return title.replace("für", "f.").replace("Deutsch", "Dt.").replace("straße", "str.")
    if kind == 1:
        for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e")):
            title = title.replace(a, b)
        return title
    if kind == 2:
        words = title.split()
        i = max(range(len(words)), key=lambda k: len(words[k]))
        w = words[i]
        if len(w) > 5:
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        return " ".join(words)
    if kind == 3 and " für " in title:
        head, tail = title.split(" für ", 1)
        return f"{tail}: {head}"
    if kind == 4:
        return title.upper()
    return title.replace(" ", "-", 1)


class World:
    """Generated offers with planted duplicate and overlap pairs (the truth)."""

    def __init__(self, n: int, seed: int = 1) -> None:
        rng = random.Random(seed)
        self.offers: list[Offer] = []
        self.same: set[tuple[str, str]] = set()
        self.overlap: set[tuple[str, str]] = set()
        municipalities = [f"{5000000 + i:08d}" for i in range(max(n // 100, 13))]
        providers = [f"p{i}" for i in range(max(n // 40, 20))]
        phones = {p: f"+49 2{rng.randint(100, 999)} {rng.randint(10000, 999999)}"
                  for p in providers}
        families = list(FAMILIES)
        while len(self.offers) < n:
            offer = self._base(rng, municipalities, providers, phones, families)
            self.offers.append(offer)
            roll = rng.random()
            if roll < 0.06:
                copy = self._duplicate(rng, offer)
                self.offers.append(copy)
                self.same.add((offer.id, copy.id))
            elif roll < 0.10:
                partner = self._overlap(rng, offer, providers, phones)
                self.offers.append(partner)
                self.overlap.add((offer.id, partner.id))
        del self.offers[n:]
        ids = {o.id for o in self.offers}
        self.same = {p for p in self.same if p[1] in ids}
        self.overlap = {p for p in self.overlap if p[1] in ids}
        self.all_overlaps = self._overlaps_by_definition()

    def _overlaps_by_definition(self) -> set[frozenset[str]]:
        """Every pair that is an overlap by definition, planted or by chance: other providers
        (no partner tie), one municipality, topic family and weekday, shared target groups,
        hours that meet, no two different course levels.  Exact, from the generated fields."""
        cells: dict[tuple[Any, ...], list[Offer]] = {}
        for offer in self.offers:
            start = offer.schedule[0].start
            assert isinstance(start, datetime)  # noqa: S101 - generated that way
            key = (offer.municipality, (offer.topic or "").split(".")[0], start.weekday())
            cells.setdefault(key, []).append(offer)
        found = set()
        for members in cells.values():
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    if set(a.actors) & set(b.actors) or not set(a.target_groups) & set(
                            b.target_groups):
                        continue
                    sa, ea = a.schedule[0].start, a.schedule[0].end
                    sb, eb = b.schedule[0].start, b.schedule[0].end
                    assert isinstance(ea, datetime) and isinstance(eb, datetime)  # noqa: S101
                    if not (sa < eb and sb < ea):  # type: ignore[operator]
                        continue
                    la, lb = _level(a), _level(b)
                    if la and lb and la != lb:
                        continue
                    found.add(frozenset((a.id, b.id)))
        return found

    def _base(self, rng: random.Random, municipalities: list[str], providers: list[str],
              phones: dict[str, str], families: list[str]) -> Offer:
        family = rng.choice(families)
        phrase, group = rng.choice(AUDIENCES)
        title = " ".join(f"{rng.choice(QUALIFIERS)} {rng.choice(NOUNS[family])} {phrase}".split())
        if family == "language" and rng.random() < 0.4:
            title += f" {rng.choice(['A1', 'A2', 'B1', 'B2'])}"
        provider = rng.choice(providers)
        day = rng.randrange(6)
        hour = rng.choice([9, 10, 14, 15, 16, 17, 18])
        municipality = rng.choice(municipalities)
        text: Any = title
        if rng.random() < 0.1:
            text = {"de": title, "en": f"{title} (English)"}
        return Offer(
            id=f"o{len(self.offers)}", title=Text.of(text), provider=provider,
            topic=rng.choice(FAMILIES[family]), target_groups=(group,), languages=("de",),
            municipality=municipality,
            location=f"{rng.choice(STREETS)} {rng.randint(1, 99)}, {municipality[-5:]}",
            contact=Contact(phone=phones[provider], email=f"info@{provider}.example"),
            schedule=(Schedule(datetime(2026, 1, 5 + day, hour, 0),
                               datetime(2026, 1, 5 + day, hour + 1, 30),
                               rrule=f"FREQ=WEEKLY;BYDAY={DAYS[day]}",
                               until=date(2026, 12, 18)),))

    def _duplicate(self, rng: random.Random, offer: Offer) -> Offer:
        title = _respell(rng, offer.title.get("de"))
        ki = rng.random() < 0.2
        phone = offer.contact.phone or ""
        return Offer(
            id=f"o{len(self.offers)}", title=Text.of(title),
            provider="ki" if ki else offer.provider, partners=(offer.provider,) if ki else (),
            topic=offer.topic, target_groups=offer.target_groups, languages=offer.languages,
            municipality=offer.municipality,
            location=(offer.location or "").replace("straße", "str."),
            contact=Contact(phone=phone.replace("+49 ", "0").replace(" ", " / "),
                            email=(offer.contact.email or "").upper()),
            schedule=offer.schedule)

    def _overlap(self, rng: random.Random, offer: Offer, providers: list[str],
                 phones: dict[str, str]) -> Offer:
        family = (offer.topic or "").split(".")[0]
        provider = rng.choice([p for p in providers if p != offer.provider])
        start = offer.schedule[0].start
        assert isinstance(start, datetime)  # noqa: S101 - generated that way
        shifted = start.replace(minute=30) if rng.random() < 0.5 else start
        level = [w for w in offer.title.get("de").split() if w in ("A1", "A2", "B1", "B2")]
        title = " ".join([rng.choice(NOUNS[family]), *level])
        return Offer(
            id=f"o{len(self.offers)}", title=Text.of(title), provider=provider,
            topic=offer.topic, target_groups=offer.target_groups, languages=("de", "ar"),
            municipality=offer.municipality,
            location=f"{rng.choice(STREETS)} {rng.randint(100, 199)}",
            contact=Contact(phone=phones[provider], email=f"info@{provider}.example"),
            schedule=(Schedule(shifted, shifted.replace(hour=shifted.hour + 1),
                               rrule=offer.schedule[0].rrule, until=date(2026, 12, 18)),))


def _f1(found: set[frozenset[str]], truth: set[frozenset[str]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(n: int) -> dict[str, Any]:
    from ki_network.datadir.build import Built
    from ki_network.duplicates import find_duplicates
    from ki_network.network import Network
    from ki_network.testing import tiny_network

    started = time.perf_counter()
    world = World(n)
    base = tiny_network()  # its settings and region, the generated offers
    network = Network(base.config, base.region, base.topics.values(),
                      base.target_groups.values(),
                      Built(actors=dict(base.actors), offers={o.id: o for o in world.offers}),
                      base.hooks)
    generated = time.perf_counter() - started
    input_mb = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    report = find_duplicates(network, signals=[], audience="internal")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    same = {frozenset((p.a, p.b)) for p in report.pairs if p.band == "same"}
    review = {frozenset((p.a, p.b)) for p in report.pairs if p.band == "review"}
    overlap = {frozenset((p.a, p.b)) for p in report.pairs if p.band == "overlap"}
    truth_same = {frozenset(p) for p in world.same}
    truth_overlap = {frozenset(p) for p in world.overlap}
    return {"engine": "ki-network", "offers": n, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2), "planted_overlap_recall": round(
                len(overlap & truth_overlap) / max(len(truth_overlap), 1), 4),
            "overlaps_by_definition": len(world.all_overlaps),
            "generate_seconds": round(generated, 1), "peak_mb": round(_peak_mb()),
            "input_mb": round(input_mb), "candidates": report.candidates,
            "planted_same": len(truth_same), "planted_overlap": len(truth_overlap),
            "same": _f1(same, truth_same),
            "same_recall_with_review": len((same | review) & truth_same) / max(len(truth_same), 1),
            "overlap": _f1(overlap, world.all_overlaps),
            "pairs": len(report.pairs)}


def run_splink(n: int) -> dict[str, Any]:
    """splink (DuckDB) on the same offers and fields, cleaned with our normaliser first."""
    import logging

    import pandas as pd
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    from ki_network.duplicates import normalize as nz
    from ki_network.duplicates.features import schedule_slot

    logging.getLogger("splink").setLevel(logging.WARNING)
    world = World(n)
    started, cpu = time.perf_counter(), time.process_time()
    rows = []
    for offer in world.offers:
        slot = schedule_slot(offer.schedule[0])
        rows.append({
            "unique_id": offer.id, "title": nz.normalize_text(offer.title.get("de")),
            "provider": offer.provider, "municipality": offer.municipality,
            "topic": offer.topic, "family": (offer.topic or "").split(".")[0],
            "phone": nz.phone_e164(offer.contact.phone or ""),
            "email": nz.email_key(offer.contact.email or ""),
            "location": nz.normalize_address(offer.location or ""),
            "weekday": slot.days, "start": slot.start})
    frame = pd.DataFrame(rows)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("title", [0.95, 0.88, 0.75]),
            cl.ExactMatch("provider"), cl.ExactMatch("topic"), cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("location", [0.95, 0.85]),
            cl.ExactMatch("weekday"), cl.ExactMatch("start"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("municipality", "family"), block_on("phone"), block_on("title"),
        ],
        retain_intermediate_calculation_columns=False)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings)
    # Trained the way splink's tutorials train: a prior from a strict deterministic rule,
    # u from random pairs, m by expectation maximisation on two blocking rules.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("municipality", "topic", "weekday", "start", "location")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("municipality", "family", "weekday"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("municipality", "location"))
    predictions = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    found = {frozenset((a, b)) for a, b in zip(predictions["unique_id_l"],
                                                 predictions["unique_id_r"], strict=True)}
    return {"engine": "splink", "offers": n, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_mb": round(_peak_mb()), "same": _f1(found, {frozenset(p) for p in world.same}),
            "pairs": len(found)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--splink-max", type=int, default=100_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="ours", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = run_ours(args.one) if args.engine == "ours" else run_splink(args.one)
        print(json.dumps(result))
        return
    results = []
    for n in args.sizes:
        for engine in ("ours", "splink") if n <= args.splink_max else ("ours",):
            out = subprocess.run([sys.executable, __file__, "--one", str(n), "--engine", engine],
                                 capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(f"{engine} at {n}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
                continue
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    print("| engine | offers | seconds (wall) | CPU seconds | peak memory | candidate pairs "
          "| same: P / R / F1 | planted same found (same or review) "
          "| overlap: P / R / F1 | planted overlaps found |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        same = r["same"]
        row = [r["engine"], f"{r['offers']:,}", f"{r['seconds']}", f"{r['cpu_seconds']}",
               f"{r['peak_mb']:,} MB",
               f"{r['candidates']:,}" if "candidates" in r else "–",
               f"{same['precision']:.3f} / {same['recall']:.3f} / {same['f1']:.3f}",
               f"{r['same_recall_with_review']:.3f}" if "same_recall_with_review" in r else "–",
               (f"{r['overlap']['precision']:.3f} / {r['overlap']['recall']:.3f} / "
                f"{r['overlap']['f1']:.3f}") if "overlap" in r else "–",
               f"{r['planted_overlap_recall']:.3f}" if "planted_overlap_recall" in r else "–"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
