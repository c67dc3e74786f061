"""A labelled, deliberately hard evaluation set for duplicate and overlap detection.

Seeded and deterministic.  The labels come from how the set is built, never from the matcher:

* every *real offer* gets one or more *records*; records of one real offer are ``same``
  (spelling variants, abbreviations, swapped words, translated titles, re-formatted phone
  numbers and addresses, the KI re-entering a provider's offer, a feed import missing fields);
* an *overlap* is built by giving a real offer a partner from another provider: same topic,
  same municipality, shared target groups, the same weekday with overlapping hours.  All
  records of the two real offers are labelled ``overlap``.  A partner of a *sibling* topic (a
  language café beside an integration course, Griffbereit beside Rucksack KiTa) is another
  programme, not the same offer kind: a hard negative (``sibling-topic``) — unless its title
  says it is the same kind (a mis-tagged topic: ``sibling-same-title``, an overlap);
* hard negatives look alike but are two offers: the same title at another course level, on
  another weekday, in another municipality, for another target group or age, the same provider
  running "Gruppe 1" and "Gruppe 2"; other providers on another weekday or for other people,
  or with a sibling programme of the same topic family at the same hour.

Real offers are placed in cells (municipality, topic family, weekday) so that no two of them
meet by accident: every pair that is neither ``same`` nor ``overlap`` by construction is
distinct in truth too.

Run ``python tests/duplicates/evalset.py`` to print the figures for ``docs/duplicates.md``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import attrs

MUNICIPALITIES = {
    "05374004": ("Bergneustadt", "51702"), "05374008": ("Engelskirchen", "51766"),
    "05374012": ("Gummersbach", "51643"), "05374016": ("Hückeswagen", "42499"),
    "05374020": ("Lindlar", "51789"), "05374024": ("Marienheide", "51709"),
    "05374028": ("Morsbach", "51597"), "05374032": ("Nümbrecht", "51588"),
    "05374036": ("Radevormwald", "42477"), "05374040": ("Reichshof", "51580"),
    "05374044": ("Waldbröl", "51545"), "05374048": ("Wiehl", "51674"),
    "05374052": ("Wipperfürth", "51688"),
}
STREETS = ["Kaiserstraße", "Hauptstraße", "Bahnhofstraße", "Kirchweg", "Talweg", "Marktplatz",
           "Schulstraße", "Am Rathaus", "Lindenallee", "Gartenstraße", "Mühlenweg",
           "Friedrichstraße", "Hindenburgstraße", "Wiesenweg", "Brückenstraße"]
PLACES = ["Pfarrheim St. Michael", "Begegnungszentrum", "Familienzentrum", "Stadtbibliothek",
          "Jugendzentrum", "Gemeindehaus", "Bürgerhaus", "Volkshochschule", "Grundschule",
          "Mehrgenerationenhaus", "Integrationsagentur", "Rathaus, Raum 12"]
PROVIDERS = ["caritas", "diakonie", "awo", "drk", "vhs", "ib", "kolping", "malteser",
             "elternverein", "kulturverein-tr", "syrischer-verein", "frauennetz", "sportbund",
             "bibliothek", "jugendwerk", "familienbildung", "moschee-verein", "ev-kirche",
             "kath-kirche", "stadt-gm", "stadt-wb", "jobcenter", "kreissportbund", "refugio"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]
GERMAN_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"]

# (topic, target groups, German title, English title).  {level}, {group} and {age} are filled
# in per offer; "for X" words become target-group hard negatives.
TEMPLATES: list[tuple[str, tuple[str, ...], str, str]] = [
    ("language.informal", ("women", "newcomers"), "Sprachcafé für Frauen",
     "Language café for women"),
    ("language.informal", ("newcomers",), "Deutsch-Konversationskreis",
     "German conversation circle"),
    ("language.informal", ("parents",), "Sprachtreff für Eltern", "Language meeting for parents"),
    ("language.informal", ("seniors",), "Deutsch lernen im Café für Senioren",
     "Learning German in the café for seniors"),
    ("language.integration_course", ("adults", "newcomers"), "Integrationskurs {level}",
     "Integration course {level}"),
    ("language.integration_course", ("women",),
     "Deutschkurs {level} für Frauen mit Kinderbetreuung",
     "German course {level} for women with childcare"),
    ("language.job_german", ("adults",), "Berufssprachkurs Deutsch {level}",
     "Job German course {level}"),
    ("counselling.adult_migration", ("adults",), "Migrationsberatung für Erwachsene",
     "Migration counselling for adults"),
    ("counselling.youth_migration", ("youth", "young_adults"),
     "Jugendmigrationsdienst Sprechstunde",
     "Youth migration service consultation"),
    ("counselling.asylum", ("refugees",), "Flüchtlingsberatung offene Sprechstunde",
     "Refugee counselling open consultation"),
    ("early_childhood.griffbereit", ("parents", "toddlers"), "Griffbereit Eltern-Kind-Gruppe {age}",
     "Griffbereit parent and child group {age}"),
    ("early_childhood.rucksack_kita", ("parents",), "Rucksack KiTa Elterngruppe {group}",
     "Rucksack KiTa parents group {group}"),
    ("early_childhood.parent_counselling", ("parents", "families"), "Elterncafé international",
     "International parents café"),
    ("school.daz", ("children", "pupils"), "Hausaufgabenhilfe für Kinder {age}",
     "Homework help for children {age}"),
    ("school.daz", ("pupils",), "Lernförderung Deutsch als Zweitsprache {group}",
     "Learning support German as a second language {group}"),
    ("cohesion.encounter", ("women",), "Interkulturelles Frauenfrühstück",
     "Intercultural women's breakfast"),
    ("cohesion.encounter", ("everyone",), "Internationaler Kochtreff",
     "International cooking meetup"),
    ("cohesion.encounter", ("women", "newcomers"), "Nähcafé für Frauen", "Sewing café for women"),
    ("cohesion.encounter", ("everyone", "seniors"), "Begegnungscafé Jung und Alt",
     "Encounter café young and old"),
    ("work", ("refugees", "adults"), "Bewerbungstraining für Geflüchtete",
     "Job application training for refugees"),
    ("work", ("young_adults",), "Ausbildungslotsen Sprechstunde",
     "Apprenticeship guides consultation"),
    ("health", ("women",), "Gesundheitstreff für Frauen", "Health meeting for women"),
    ("health", ("everyone",), "Gesundheitslotsen Sprechstunde", "Health guides consultation"),
    ("arrival.initial_orientation", ("newcomers",), "Erstorientierung für Neuzugewanderte",
     "Initial orientation for newcomers"),
    ("volunteering", ("volunteers",), "Ehrenamtsstammtisch Integration",
     "Volunteers' regulars' table integration"),
]
# Sibling programmes (another topic of the same family, or the next stage of one programme)
# for the sibling-topic hard negatives: topic → (sibling topic, its target groups, titles).
SIBLINGS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "language.integration_course": [("language.informal", ("newcomers",), "Sprachcafé"),
                                    ("language.informal", ("women",), "Deutsch-Treff für Frauen")],
    "language.informal": [("language.integration_course", ("adults", "newcomers"),
                           "Integrationskurs {level}"),
                          ("language.job_german", ("adults",), "Berufssprachkurs {level}")],
    "language.job_german": [("language.integration_course", ("adults", "newcomers"),
                             "Integrationskurs {level}")],
    "early_childhood.griffbereit": [("early_childhood.rucksack_kita", ("parents",),
                                     "Rucksack KiTa Elterngruppe")],
    "early_childhood.rucksack_kita": [("early_childhood.griffbereit", ("parents", "toddlers"),
                                       "Griffbereit Eltern-Kind-Gruppe (1–3 Jahre)"),
                                      ("school.rucksack_schule", ("parents",),
                                       "Rucksack Schule Elterngruppe")],
    "early_childhood.parent_counselling": [("early_childhood.griffbereit",
                                            ("parents", "toddlers"), "Griffbereit Spielgruppe")],
    "counselling.adult_migration": [("counselling.asylum", ("refugees", "adults"),
                                     "Asylverfahrensberatung")],
    "counselling.youth_migration": [("counselling.adult_migration", ("adults", "young_adults"),
                                     "Migrationsberatung für Erwachsene (MBE)")],
    "counselling.asylum": [("counselling.youth_migration", ("youth", "refugees"),
                            "Jugendmigrationsdienst Sprechstunde")],
}

# Other wordings of the same kind of offer, for overlap partners (another provider's title).
PARAPHRASES = {
    "language.informal": ["Treffpunkt Deutsch üben", "Plauderstunde auf Deutsch",
                          "Sprachpatenschaft Café"],
    "language.integration_course": ["Deutsch-Intensivkurs {level}", "Sprachkurs Deutsch {level}"],
    "language.job_german": ["Deutsch für den Beruf {level}", "Job-Deutsch {level}"],
    "counselling.adult_migration": ["MBE – Beratung für Zugewanderte", "Beratung für Migranten"],
    "counselling.youth_migration": ["Beratung junge Zugewanderte", "JMD offene Beratung"],
    "counselling.asylum": ["Asylverfahrensberatung", "Beratung für Geflüchtete"],
    "early_childhood.griffbereit": ["Spielgruppe für Mütter und Kleinkinder {age}",
                                    "Eltern-Kind-Treff {age}"],
    "early_childhood.rucksack_kita": ["Elternprogramm Rucksack {group}"],
    "early_childhood.parent_counselling": ["Elterntreff", "Familiencafé"],
    "school.daz": ["Nachhilfe Deutsch für Schulkinder {age}", "Lernhilfe Grundschule {age}"],
    "cohesion.encounter": ["Frauentreff international", "Café der Kulturen", "Offener Treff"],
    "work": ["Jobcoaching", "Bewerbungswerkstatt"],
    "health": ["Gesundheitssprechstunde", "Gesund leben – Treff"],
    "arrival.initial_orientation": ["Wegweiser-Kurs für Neuzugewanderte", "Ankommen in Oberberg"],
    "volunteering": ["Treffen der Ehrenamtlichen", "Ehrenamt-Café"],
}
OTHER_GROUPS = {"women": "men", "parents": "seniors", "youth": "seniors", "children": "adults",
                "refugees": "professionals", "seniors": "youth", "adults": "children",
                "newcomers": "professionals", "everyone": "professionals", "pupils": "seniors",
                "young_adults": "seniors", "volunteers": "children", "toddlers": "seniors",
                "families": "professionals"}
GROUP_WORDS = {"women": ("für Frauen", "für Männer"), "parents": ("für Eltern", "für Senioren"),
               "seniors": ("für Senioren", "für Jugendliche"),
               "refugees": ("für Geflüchtete", "für Fachkräfte")}
LEVELS = ["A1", "A2", "B1", "B2", "C1"]
AGES = [(1, 3), (3, 6), (6, 10), (10, 14)]
ABBREVIATIONS = [("Deutsch", "Dt."), ("für", "f."), ("Volkshochschule", "VHS"),
                 ("straße", "str."), ("Straße", "Str."), ("Gruppe", "Grp."),
                 ("International", "Int."), ("Sprechstunde", "Sprechstd.")]
UMLAUTS = [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e")]


@attrs.define
class RealOffer:
    """One offer in the world; ``records`` are its entries in the data."""

    key: int
    provider: str
    topic: str
    groups: tuple[str, ...]
    title_de: str
    title_en: str
    municipality: str
    day: int
    start: tuple[int, int]
    minutes: int
    street: str
    number: int
    place: str
    phone: str
    email: str
    languages: tuple[str, ...]
    term: int = 1
    records: list[dict[str, Any]] = attrs.field(factory=list)


@attrs.define
class EvalSet:
    files: dict[str, Any]
    same: set[frozenset[str]]
    overlap: set[frozenset[str]]
    hard: dict[frozenset[str], str]   # hard negative pairs and their kind
    same_kinds: dict[frozenset[str], str]

    @property
    def offers(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.files["offers.yaml"]
        return result


def _fill(template: str, level: str, group: int, age: tuple[int, int]) -> str:
    return " ".join(template.format(level=level, group=f"Gruppe {group}",
                                    age=f"({age[0]}–{age[1]} Jahre)").split())


def _fill_en(template: str, level: str, group: int, age: tuple[int, int]) -> str:
    return " ".join(template.format(level=level, group=f"group {group}",
                                    age=f"(ages {age[0]}-{age[1]})").split())


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.cells: set[tuple[str, str, int]] = set()
        self.real: list[RealOffer] = []
        self.same_kinds: dict[frozenset[str], str] = {}
        self.hard: dict[frozenset[str], str] = {}
        self.overlaps: list[tuple[RealOffer, RealOffer]] = []
        self.phones = {p: f"+49 22{self.rng.randint(10, 99)} {self.rng.randint(1000, 99999)}"
                       for p in PROVIDERS}

    # -- placing real offers -----------------------------------------------------------------

    def _free_cell(self, family: str, municipality: str | None = None,
                   day: int | None = None) -> tuple[str, int] | None:
        for _ in range(200):
            m = municipality or self.rng.choice(list(MUNICIPALITIES))
            d = self.rng.randrange(6) if day is None else day
            if (m, family, d) not in self.cells:
                return m, d
        return None

    def real_offer(self, template: tuple[str, tuple[str, ...], str, str], *,
                   provider: str | None = None, municipality: str | None = None,
                   day: int | None = None, claim: bool = True, **values: Any) -> RealOffer | None:
        topic, groups, title_de, title_en = template
        family = topic.split(".")[0]
        cell = ((municipality, day) if not claim and municipality and day is not None
                else self._free_cell(family, municipality, day))
        if cell is None:
            return None
        if claim:
            self.cells.add((cell[0], family, cell[1]))
        level = values.get("level") or self.rng.choice(LEVELS)
        group = values.get("group") or self.rng.randint(1, 3)
        age = values.get("age") or self.rng.choice(AGES)
        provider = provider or self.rng.choice(PROVIDERS)
        offer = RealOffer(
            key=len(self.real), provider=provider, topic=topic, groups=groups,
            title_de=_fill(title_de, level, group, age),
            title_en=_fill_en(title_en, level, group, age),
            municipality=cell[0], day=cell[1],
            start=values.get("start") or (self.rng.choice([9, 10, 14, 15, 16, 17, 18]),
                                          self.rng.choice([0, 0, 30])),
            minutes=values.get("minutes") or self.rng.choice([60, 90, 120]),
            street=values.get("street") or self.rng.choice(STREETS),
            number=values.get("number") or self.rng.randint(1, 80),
            place=values.get("place") or self.rng.choice(PLACES),
            phone=self.phones[provider], email=f"{provider}@{provider}.example",
            languages=("de", *self.rng.sample(["ar", "tr", "ru", "uk", "fa", "en"], 2)))
        self.real.append(offer)
        return offer

    # -- records -----------------------------------------------------------------------------

    def record(self, offer: RealOffer, suffix: str = "") -> dict[str, Any]:
        town, plz = MUNICIPALITIES[offer.municipality]
        hour, minute = offer.start
        end = hour * 60 + minute + offer.minutes
        first_day = 5 + offer.day  # 2026-01-05 is a Monday
        month, until = ("01", "2026-06-30") if offer.term == 1 else ("08", "2026-12-18")
        if offer.term == 2:
            first_day = 3 + offer.day  # 2026-08-03 is a Monday
        record: dict[str, Any] = {
            "id": f"o{offer.key:03d}{suffix}",
            "title": {"de": offer.title_de, "en": offer.title_en}
            if self.rng.random() < 0.4 else offer.title_de,
            "provider": offer.provider, "topic": offer.topic,
            "target_groups": list(offer.groups), "languages": list(offer.languages),
            "municipality": offer.municipality,
            "location": f"{offer.place}, {offer.street} {offer.number}, {plz} {town}",
            "contact": {"phone": offer.phone, "email": offer.email},
            "schedule": [{"start": f"2026-{month}-{first_day:02d}T{hour:02d}:{minute:02d}",
                          "end": f"2026-{month}-{first_day:02d}T{end // 60:02d}:{end % 60:02d}",
                          "rrule": f"FREQ=WEEKLY;BYDAY={DAYS[offer.day]}",
                          "until": until}],
        }
        offer.records.append(record)
        return record

    def _respell(self, title: str) -> tuple[str, str]:
        """A spelling variant of ``title`` and what was done."""
        rng = self.rng
        kind = rng.choice(["abbreviation", "umlauts", "typo", "order", "case", "hyphen"])
        new = title
        if kind == "abbreviation":
            found = [(a, b) for a, b in ABBREVIATIONS if a in title]
            if found:
                for a, b in rng.sample(found, min(len(found), 2)):
                    new = new.replace(a, b)
            else:
                kind = "umlauts"
        if kind == "umlauts":
            for a, b in UMLAUTS:
                new = new.replace(a, b)
            if new == title:
                kind = "typo"
        if kind == "typo":
            words = new.split()
            long = [i for i, w in enumerate(words) if len(w) > 6 and w.isalpha()]
            if long:
                i = rng.choice(long)
                w = words[i]
                j = rng.randrange(2, len(w) - 2)
                words[i] = (w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.5
                            else w[:j] + w[j + 1:])
                new = " ".join(words)
            else:
                kind = "case"
        if kind == "order":
            if " für " in new:
                head, tail = new.split(" für ", 1)
                new = f"{tail}: {head}"
            else:
                words = new.split()
                new = " ".join(words[1:] + words[:1]) if len(words) > 1 else new.upper()
        if kind == "case":
            new = new.upper() if rng.random() < 0.5 else new.lower()
        if kind == "hyphen":
            new = new.replace(" ", "-", 1) if " " in new else new.replace("café", "-Café")
        return new, kind

    def duplicate(self, offer: RealOffer) -> None:
        """Another record of the same real offer, entered by someone else or imported."""
        rng = self.rng
        base = offer.records[0]
        record = self.record(offer, suffix=f"-{len(offer.records)}")
        kinds = []
        title_de, kind = self._respell(offer.title_de)
        kinds.append(kind)
        if rng.random() < 0.3:
            title_de, kind = self._respell(title_de)
            kinds.append(kind)
        translation = rng.random()
        if translation < 0.15 and isinstance(base["title"], dict):
            record["title"] = {"en": offer.title_en}  # only the English title was imported
            kinds.append("translation-shared")
        elif translation < 0.25:
            record["title"] = {"en": offer.title_en, "ar": "عنوان"}
            base["title"] = offer.title_de if isinstance(base["title"], str) else base["title"]
            kinds.append("translation-cross")
        else:
            record["title"] = title_de
        who = rng.random()
        if who < 0.2:
            record["provider"] = "ki"
            record["partners"] = [offer.provider]
            kinds.append("ki-entered")
        elif who < 0.3:
            record["provider"] = "ki"  # the KI entered it as its own, with its own contact
            kinds.append("ki-own")
        town, plz = MUNICIPALITIES[offer.municipality]
        street = offer.street.replace("straße", "str.").replace("Straße", "Str.")
        record["location"] = rng.choice([
            f"{street} {offer.number}, {town}", f"{offer.place} ({street} {offer.number})",
            f"{offer.street} {offer.number}, {plz} {town}"])
        number = offer.phone.replace("+49 ", "0").replace(" ", " / ", 1)
        record["contact"] = {"phone": number, "email": offer.email.upper()}
        if kinds[-1] == "ki-own":
            record["contact"] = {"phone": "02261 88-1234", "email": "ki@obk.example"}
        if rng.random() < 0.2:
            record.pop(rng.choice(["location", "contact", "languages", "schedule"]))
            kinds.append("missing-field")
        if rng.random() < 0.3 and "schedule" in record:
            start = record["schedule"][0]["start"]
            record["schedule"][0]["start"] = start[:-2] + ("15" if start.endswith("00") else "45")
            kinds.append("time-shift")
        if rng.random() < 0.2:
            record["target_groups"] = list(offer.groups[:1])
        self.same_kinds[frozenset((base["id"], record["id"]))] = "+".join(kinds)

    # -- building the set --------------------------------------------------------------------

    def build(self, count: int) -> EvalSet:
        rng = self.rng
        roles = (["plain"] * 30 + ["dup"] * 30 + ["dup2"] * 6 + ["overlap"] * 20
                 + ["overlap-dup"] * 6 + ["level"] * 6 + ["weekday"] * 6 + ["municipality"] * 6
                 + ["target"] * 5 + ["group"] * 5 + ["age"] * 5 + ["other-weekday"] * 5
                 + ["other-people"] * 5 + ["other-time"] * 5 + ["period"] * 4)
        hard_pairs: list[tuple[RealOffer, RealOffer, str]] = []
        while sum(len(o.records) for o in self.real) < count:
            role = rng.choice(roles)
            template = self._template_for(role)
            offer = self.real_offer(template)
            if offer is None:
                continue
            self.record(offer)
            if role.startswith("dup"):
                for _ in range(2 if role == "dup2" else 1):
                    self.duplicate(offer)
            elif role.startswith("overlap"):
                partner = self._overlap_partner(offer)
                if partner is not None:
                    self.record(partner)
                    if partner.topic == offer.topic:
                        self.overlaps.append((offer, partner))
                    else:  # another programme of the family: not the same offer kind
                        hard_pairs.append((offer, partner, "sibling-topic"))
                    if role == "overlap-dup":
                        self.duplicate(offer)
            elif role != "plain":
                other = self._hard_negative(offer, role)
                if other is not None:
                    self.record(other)
                    hard_pairs.append((offer, other, role))
        hard_pairs += self._siblings()
        for a, b, kind in hard_pairs:
            for ra in a.records:
                for rb in b.records:
                    self.hard[frozenset((ra["id"], rb["id"]))] = kind
        same = {frozenset((x["id"], y["id"])) for o in self.real for i, x in enumerate(o.records)
                for y in o.records[i + 1:]}
        overlap = {frozenset((x["id"], y["id"])) for a, b in self.overlaps
                   for x in a.records for y in b.records}
        offers = [r for o in self.real for r in o.records]
        rng.shuffle(offers)
        providers = sorted({o["provider"] for o in offers} | {"ki"})
        actors = [{"id": p, "name": p.replace("-", " ").title(), "kind": "provider"}
                  for p in providers]
        files = {"network.yaml": {"name": "Evaluation", "timezone": "Europe/Berlin",
                                  "language": "de"},
                 "actors.yaml": actors, "offers.yaml": offers}
        return EvalSet(files, same, overlap, dict(self.hard),
                       self.same_kinds)

    def _siblings(self) -> list[tuple[RealOffer, RealOffer, str]]:
        """Sibling programmes beside offers that are alone in their cell: another provider,
        the same municipality, weekday and hours, people in common, at the same place or
        another.  A few are mis-tagged: the title says the same kind (an overlap).

        A separate random stream, run after the main set, so that adding these left the rest
        of the set as it was."""
        rng = random.Random(self.rng.random())  # noqa: S311 - test data
        self.rng, main_rng = rng, self.rng
        cells: dict[tuple[str, str, int], list[RealOffer]] = {}
        for offer in self.real:
            cells.setdefault((offer.municipality, offer.topic.split(".")[0], offer.day),
                             []).append(offer)
        alone = [o[0] for o in cells.values()
                 if len(o) == 1 and o[0].topic in SIBLINGS and o[0].term == 1]
        result: list[tuple[RealOffer, RealOffer, str]] = []
        for n, offer in enumerate(rng.sample(alone, min(len(alone), 40))):
            topic, groups, title = rng.choice(SIBLINGS[offer.topic])
            groups = tuple(dict.fromkeys((rng.choice(offer.groups), *groups)))
            provider = rng.choice([p for p in PROVIDERS if p != offer.provider])
            same_kind = n % 6 == 5  # a mis-tagged topic: the title says the same kind
            place = ({"street": offer.street, "number": offer.number, "place": offer.place}
                     if rng.random() < 0.5 and not same_kind else {})
            start = offer.start[0] * 60 + offer.start[1] + rng.choice([-30, 0, 0, 30])
            wording = offer.title_de if same_kind else title
            sibling = self.real_offer((topic, groups, wording, wording), provider=provider,
                                      municipality=offer.municipality, day=offer.day,
                                      claim=False, start=(start // 60, start % 60),
                                      level=_level_of(offer.title_de), **place)
            if sibling is None:
                continue
            self.record(sibling)
            if same_kind:
                self.overlaps.append((offer, sibling))
            else:
                result.append((offer, sibling, "sibling-topic"))
        self.rng = main_rng
        return result

    def _template_for(self, role: str) -> tuple[str, tuple[str, ...], str, str]:
        wanted = {"level": "{level}", "group": "{group}", "age": "{age}"}.get(role)
        if wanted:
            return self.rng.choice([t for t in TEMPLATES if wanted in t[2]])
        if role == "target":
            return self.rng.choice([t for t in TEMPLATES
                                    if any(w[0] in t[2] for w in GROUP_WORDS.values())])
        return self.rng.choice(TEMPLATES)

    def _overlap_partner(self, offer: RealOffer) -> RealOffer | None:
        rng = self.rng
        siblings = [t for t in TEMPLATES if t[0].split(".")[0] == offer.topic.split(".")[0]
                    and set(t[1]) & set(offer.groups)]
        topic = offer.topic if rng.random() < 0.7 or not siblings else rng.choice(siblings)[0]
        wording = rng.choice(PARAPHRASES.get(topic) or PARAPHRASES[offer.topic])
        groups = tuple(dict.fromkeys([rng.choice(offer.groups),
                                      *rng.sample(offer.groups, len(offer.groups))]))[:2]
        provider = rng.choice([p for p in PROVIDERS if p != offer.provider])
        hour, minute = offer.start
        shift = rng.choice([-30, 0, 0, 30])  # the hours must still meet
        start = hour * 60 + minute + shift
        template = (topic, groups, wording, wording)
        level = _level_of(offer.title_de)
        return self.real_offer(template, provider=provider, municipality=offer.municipality,
                               day=offer.day, claim=False, start=(start // 60, start % 60),
                               level=level, age=_age_of(offer.title_de))

    def _hard_negative(self, offer: RealOffer, role: str) -> RealOffer | None:
        rng = self.rng
        template = next(t for t in TEMPLATES if _fill(t[2], _level_of(offer.title_de) or "A1",
                                                      _group_of(offer.title_de) or 1,
                                                      _age_of(offer.title_de) or (1, 3))
                        == offer.title_de or t[0] == offer.topic)
        same_values = {"start": offer.start, "minutes": offer.minutes, "street": offer.street,
                       "number": offer.number, "place": offer.place}
        family = offer.topic.split(".")[0]
        topic, _, title_de, title_en = template
        if role == "level":
            level = rng.choice([lv for lv in LEVELS if lv != _level_of(offer.title_de)])
            other = self.real_offer(template, provider=offer.provider,
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    level=level, **same_values)
        elif role == "group":
            group = (_group_of(offer.title_de) or 1) % 3 + 1
            other = self.real_offer(template, provider=offer.provider,
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    group=group, **same_values)
        elif role == "age":
            age = rng.choice([a for a in AGES if a != _age_of(offer.title_de)])
            other = self.real_offer(template, provider=offer.provider,
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    age=age, **same_values)
        elif role == "other-time":  # another provider, same day, hours that do not meet
            start = offer.start[0] * 60 + offer.start[1] + offer.minutes + rng.choice([0, 60])
            wording = rng.choice(PARAPHRASES[offer.topic])
            other = self.real_offer((topic, offer.groups, wording, wording),
                                    provider=rng.choice([p for p in PROVIDERS
                                                         if p != offer.provider]),
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    level=_level_of(offer.title_de), age=_age_of(offer.title_de),
                                    start=(start // 60, start % 60))
        elif role == "period":  # the same course again in the next term
            other = self.real_offer(template, provider=offer.provider,
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    level=_level_of(offer.title_de),
                                    group=_group_of(offer.title_de),
                                    age=_age_of(offer.title_de), **same_values)
            if other is not None:
                other.term = 2
        elif role in ("weekday", "other-weekday"):
            cell = self._free_cell(family, offer.municipality)
            if cell is None:
                return None
            provider = (offer.provider if role == "weekday"
                        else rng.choice([p for p in PROVIDERS if p != offer.provider]))
            other = self.real_offer(template, provider=provider, municipality=offer.municipality,
                                    day=cell[1], level=_level_of(offer.title_de),
                                    group=_group_of(offer.title_de),
                                    age=_age_of(offer.title_de), **same_values)
        elif role == "municipality":
            cell = self._free_cell(family, day=offer.day)
            if cell is None or cell[0] == offer.municipality:
                return None
            other = self.real_offer(template, provider=offer.provider, municipality=cell[0],
                                    day=offer.day, level=_level_of(offer.title_de),
                                    group=_group_of(offer.title_de),
                                    age=_age_of(offer.title_de), **same_values)
        elif role == "target":
            old, new = next(GROUP_WORDS[g] for g in offer.groups if g in GROUP_WORDS)
            swapped = tuple(OTHER_GROUPS[g] for g in offer.groups)
            template = (topic, swapped, title_de.replace(old, new), title_en)
            other = self.real_offer(template, provider=offer.provider,
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    **same_values)
            if other is not None:
                other.title_en = other.title_en + f" ({', '.join(swapped)})"
        else:  # other-people: another provider, same place and time, other target groups
            swapped = tuple(OTHER_GROUPS[g] for g in offer.groups)
            wording = rng.choice(PARAPHRASES[offer.topic])
            other = self.real_offer((topic, swapped, wording, wording),
                                    provider=rng.choice([p for p in PROVIDERS
                                                         if p != offer.provider]),
                                    municipality=offer.municipality, day=offer.day, claim=False,
                                    level=_level_of(offer.title_de),
                                    age=_age_of(offer.title_de), start=offer.start)
        return other


def _level_of(title: str) -> str | None:
    return next((lv for lv in LEVELS if lv in title.split()), None)


def _group_of(title: str) -> int | None:
    words = title.split()
    return int(words[words.index("Gruppe") + 1]) if "Gruppe" in words else None


def _age_of(title: str) -> tuple[int, int] | None:
    for age in AGES:
        if f"({age[0]}–{age[1]} Jahre)" in title:
            return age
    return None


def generate(seed: int = 5, count: int = 520) -> EvalSet:
    """The evaluation set: about ``count`` offer records, labelled by construction."""
    return Generator(seed).build(count)


@attrs.frozen
class Scores:
    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def scores(predicted: Iterable[frozenset[str]], actual: set[frozenset[str]]) -> Scores:
    found = set(predicted)
    return Scores(len(found & actual), len(found), len(actual))


def evaluate(evalset: EvalSet, report: Any) -> dict[str, Scores]:
    """Precision, recall and F1 per band (``same_or_review``: nothing lost to review)."""
    by_band: dict[str, set[frozenset[str]]] = {"same": set(), "review": set(), "overlap": set()}
    for pair in report.pairs:
        by_band[pair.band].add(frozenset((pair.a, pair.b)))
    return {"same": scores(by_band["same"], evalset.same),
            "same_or_review": scores(by_band["same"] | by_band["review"], evalset.same),
            "overlap": scores(by_band["overlap"], evalset.overlap)}


def _main() -> None:
    import tempfile
    from pathlib import Path

    from ki_network import load
    from ki_network.duplicates import find_duplicates
    from ki_network.testing import bare_plugin_manager, write_network

    evalset = generate()
    with tempfile.TemporaryDirectory() as tmp:
        network = load(write_network(Path(tmp) / "eval", evalset.files), bare_plugin_manager())
    report = find_duplicates(network)
    print(f"{len(evalset.offers)} offers, {len(evalset.same)} same pairs, "
          f"{len(evalset.overlap)} overlap pairs, {len(evalset.hard)} hard negative pairs, "
          f"{report.candidates} candidate pairs")
    print("| band | precision | recall | F1 | predicted | actual |")
    print("|---|---|---|---|---|---|")
    for band, s in evaluate(evalset, report).items():
        print(f"| {band} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.predicted} "
              f"| {s.actual} |")
    found = {frozenset((p.a, p.b)): p for p in report.pairs}
    print("\nmissed same pairs (kind of variant):")
    same = {k for k, p in found.items() if p.band == "same"}
    for pair in sorted(evalset.same - same, key=sorted):
        got = found.get(pair)
        a, b = sorted(pair)
        titles = {o["id"]: o["title"] for o in evalset.offers if o["id"] in pair}
        print(f"  {a} {b} {evalset.same_kinds.get(pair, 'transitive')}: "
              f"{got.band if got else '-'} {titles[a]!r} / {titles[b]!r}")
    print("\nmissed overlap pairs:")
    for pair in sorted(evalset.overlap - {k for k, p in found.items() if p.band == "overlap"},
                       key=sorted):
        got = found.get(pair)
        a, b = sorted(pair)
        print(f"  {a} {b}: {got.band if got else '-'}")
    print("\nwrong pairs:")
    for key, pair in sorted(found.items(), key=lambda kv: sorted(kv[0])):
        truth = ("same" if key in evalset.same else "overlap" if key in evalset.overlap
                 else evalset.hard.get(key, "distinct"))
        if (pair.band == "overlap") != (truth == "overlap") or (
                pair.band in ("same", "review")) != (truth == "same"):
            print(f"  {pair.a} {pair.b}: {pair.band} {pair.score} but {truth}")
            for reason in pair.reasons:
                print(f"      {reason}")


if __name__ == "__main__":
    _main()
