"""Normalising German (and some English) offer text, addresses and contact data for matching.

Two spellings of one offer should normalise to the same words: case, umlauts and ß, accents,
abbreviations ("Dt." → deutsch, "Str." → strasse, "f." → fuer), hyphenated compounds and
stop words.  Numbers that tell offers apart (course level, group number, age range, weekday)
are pulled out as *features* so that they can veto a match instead of being smoothed away by
fuzzy matching.

>>> normalize_text("Dt.-Kurs f. Frauen (VHS)")
'deutschkurs frauen volkshochschule'
>>> normalize_text("Sprachcafé für Frauen") == normalize_text("Sprachcafe  fuer FRAUEN")
True
>>> sorted(levels("Deutsch A2/B1"))
['A2', 'B1']
>>> group_number("Elterncafé – Gruppe 2"), age_range("Kinder von 6–10 Jahren")
('2', (6, 10))
>>> phone_e164("02261 / 88-0")
'+492261880'
>>> web_domain("https://www.caritas-oberberg.de/angebote")
'caritas-oberberg.de'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "–": "-", "—": "-",
                       "‐": "-", "‑": "-", "/": " ", "&": " und "})

#: Abbreviations (without their dot, after folding) and what they stand for.
ABBREVIATIONS: dict[str, str] = {
    "dt": "deutsch", "dtsch": "deutsch", "str": "strasse", "f": "fuer", "u": "und",
    "vhs": "volkshochschule", "kath": "katholisch", "ev": "evangelisch", "evang": "evangelisch",
    "grp": "gruppe", "gr": "gruppe", "anf": "anfaenger", "fortg": "fortgeschrittene",
    "int": "international", "intl": "international", "pl": "platz", "std": "stunde",
    "kl": "klasse", "beratungsst": "beratungsstelle", "st": "sankt", "hl": "heilige",
    "fam": "familie", "ki": "kommunales integrationszentrum", "mbe": "migrationsberatung",
    "jmd": "jugendmigrationsdienst", "hsu": "herkunftssprachlicher unterricht",
    "daz": "deutsch als zweitsprache", "kita": "kindertagesstaette",
}

#: Words that carry no meaning for telling offers apart (folded spelling).
STOP_WORDS = frozenset("""
der die das den dem des ein eine einer eines einem einen und oder fuer mit von vom im in
am an auf aus bei zum zur zu ab bis ueber unter nach fuer e v ev eingetragener verein
ggmbh gmbh the a an and or for of in on at to with by from
""".split())  # noqa: SIM905 - a word list reads better as text

# Plain and short spellings that stand for the same word, mostly English→German: titles are
# often entered once in German and imported once in English.  A tiny domain glossary, not a
# translator: it only maps the words that recur in integration offers.
GLOSSARY: dict[str, str] = {
    "language": "sprach", "languages": "sprach", "cafe": "cafe", "coffee": "cafe",
    "women": "frauen", "woman": "frauen", "men": "maenner", "parents": "eltern",
    "parent": "eltern", "children": "kinder", "kids": "kinder", "child": "kinder",
    "youth": "jugendliche", "young": "jugendliche", "family": "familie", "families": "familie",
    "course": "kurs", "courses": "kurs", "class": "kurs", "german": "deutsch",
    "counselling": "beratung", "counseling": "beratung", "advice": "beratung",
    "consultation": "beratung", "group": "gruppe", "meeting": "treff", "meetup": "treff",
    "homework": "hausaufgaben", "help": "hilfe", "support": "hilfe", "integration": "integration",
    "migration": "migration", "refugees": "gefluechtete", "refugee": "gefluechtete",
    "newcomers": "neuzugewanderte", "seniors": "senioren", "girls": "maedchen",
    "boys": "jungen", "sewing": "naeh", "cooking": "koch", "sports": "sport", "swimming": "schwimm",
    "beginners": "anfaenger", "advanced": "fortgeschrittene", "conversation": "konversation",
    "job": "beruf", "jobs": "beruf", "work": "arbeit", "application": "bewerbung",
    "training": "training", "reading": "lese", "library": "bibliothek", "garden": "garten",
    "intercultural": "interkulturell", "encounter": "begegnung", "evening": "abend",
    "morning": "morgen", "breakfast": "fruehstueck", "mothers": "muetter", "mother": "muetter",
    "fathers": "vaeter", "father": "vaeter", "tutoring": "nachhilfe", "learning": "lern",
    "integration course": "integrationskurs",
    "sprachcafe": "sprachcafe", "strasse": "strasse",
}

_WEEKDAY_WORDS = (("montag", "monday"), ("dienstag", "tuesday"), ("mittwoch", "wednesday"),
                  ("donnerstag", "thursday"), ("freitag", "friday"),
                  ("samstag", "saturday", "sonnabend"), ("sonntag", "sunday"))
WEEKDAY_NAMES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

_TOKEN = re.compile(r"[a-z0-9]+\.?")
_HYPHEN_COMPOUND = re.compile(r"(?<=[\w.])-(?=\w)")
_LEVEL = re.compile(r"\b([abc])\s?([12])(?:\.\d)?\b")
_GROUP = re.compile(r"\b(?:gruppe|grp|gr|group|kurs|course|klasse|class|teil|part)\.?\s*"
                    r"(\d{1,2}|[ivx]{1,4}|[a-h])\b(?![.\d])")
_GROUP_BEFORE = re.compile(r"\b(\d{1,2})\.\s*(?:gruppe|kurs|klasse)\b")
_AGE_SPAN = re.compile(r"\b(\d{1,2})\s*(?:-|bis|to)\s*(\d{1,2})\s*(?:jahr\w*|j\b|years?|yrs)")
_AGE_FROM = re.compile(r"\b(?:ab|from|over|ueber)\s*(\d{1,2})\s*(?:jahr\w*|j\b|years?|\+)")
_AGE_UNDER = re.compile(r"\bu\s?(\d{1,2})\b|\b(?:unter|under|bis)\s*(\d{1,2})\s*(?:jahr\w*|years?)")
_AGE_PLUS = re.compile(r"\b(\d{1,2})\s*\+")
_STREET_NUMBER = re.compile(r"([a-z]+(?: [a-z]+)?)\s+(\d{1,4}\s?[a-z]?)\b")
_POSTCODE = re.compile(r"\b(\d{5})\b")
_STREET_SUFFIX = re.compile(r"(?<=\w)\s+(strasse|weg|platz|allee|gasse|ring|damm|markt)\b")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case, umlauts and ß spelt out, accents dropped, dashes unified.

    >>> fold("Straße Über Café")
    'strasse ueber cafe'
    """
    folded = text.casefold().translate(_FOLD)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """The meaningful words of ``text``: folded, abbreviations expanded, compounds joined,
    stop words dropped.

    >>> tokens("Dt.-Kurs A1 f. Frauen, Gruppe 2")
    ('deutschkurs', 'a1', 'frauen', 'gruppe', '2')
    """
    folded = fold(text)
    # "Dt.-Kurs" and "Deutsch-Kurs" both become "deutschkurs", like the written "Deutschkurs".
    parts: list[str] = []
    for chunk in folded.split():
        pieces = _HYPHEN_COMPOUND.split(chunk)
        words = [_expand(m.group(0)) for piece in pieces for m in _TOKEN.finditer(piece)]
        words = [w for w in words if w]
        if len(pieces) > 1 and all(w.isalpha() for w in words) and len(words) > 1:
            parts.append("".join(words).replace(" ", ""))
        else:
            parts.extend(" ".join(words).split())
    return tuple(_GLOSSARY_TOKENS.get(w, w) for w in parts if w not in STOP_WORDS)


_GLOSSARY_TOKENS = {k: v for k, v in GLOSSARY.items() if " " not in k}


def _expand(word: str) -> str:
    bare = word.rstrip(".")
    if word.endswith(".") or bare in ("vhs", "kita", "daz", "mbe", "jmd", "hsu"):
        return ABBREVIATIONS.get(bare, bare)
    return bare


@lru_cache(maxsize=200_000)
def normalize_text(text: str) -> str:
    """The normalised form of ``text``: :func:`tokens` joined by spaces."""
    return " ".join(tokens(text))


_CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
_LEVEL_RANGE = re.compile(r"\b([abc][12])\s*(?:-|bis|to)\s*([abc][12])\b")


def levels(text: str) -> frozenset[str]:
    """CEFR course levels named in ``text`` (A1 … C2); a range names the levels between.

    >>> sorted(levels("Integrationskurs A1–B1"))
    ['A1', 'A2', 'B1']
    """
    folded = fold(text)
    found = {f"{a.upper()}{n}" for a, n in _LEVEL.findall(folded)}
    for first, last in _LEVEL_RANGE.findall(folded):
        low, high = sorted((_CEFR.index(first.upper()), _CEFR.index(last.upper())))
        found.update(_CEFR[low:high + 1])
    return frozenset(found)


def group_number(text: str) -> str | None:
    """The group or course number in ``text`` ("Gruppe 2", "Kurs B", "2. Gruppe")."""
    folded = fold(text)
    for match in _GROUP.finditer(folded):
        value = match.group(1)
        # "Kurs A1" names a level, not a group; "Kurs a" at the end names a group.
        if _LEVEL.match(folded, match.start(1)):
            continue
        return value
    before = _GROUP_BEFORE.search(folded)
    return before.group(1) if before else None


def age_range(text: str) -> tuple[int, int] | None:
    """The age range in ``text``: "6–10 Jahre" → (6, 10), "ab 16 Jahren" → (16, 99), "U3" →
    (0, 2)."""
    folded = fold(text)
    if span := _AGE_SPAN.search(folded):
        return int(span.group(1)), int(span.group(2))
    if start := _AGE_FROM.search(folded) or _AGE_PLUS.search(folded):
        return int(start.group(1)), 99
    if under := _AGE_UNDER.search(folded):
        return 0, int(under.group(1) or under.group(2)) - 1
    return None


def weekdays_named(text: str) -> int:
    """Bit mask (Monday = bit 0) of weekdays named in ``text`` ("Montagsgruppe", "Tuesday")."""
    mask = 0
    for word in fold(text).split():
        for day, names in enumerate(_WEEKDAY_WORDS):
            if word.startswith(names):
                mask |= 1 << day
    return mask


@lru_cache(maxsize=200_000)
def title_features(text: str) -> tuple[frozenset[str], str | None, tuple[int, int] | None, int]:
    """Levels, group number, age range and named weekdays of a title (cached: titles repeat)."""
    return levels(text), group_number(text), age_range(text), weekdays_named(text)


@lru_cache(maxsize=256)
def weekday_text(mask: int) -> str:
    """``0b101`` → ``"Mo, We"``."""
    return ", ".join(name for day, name in enumerate(WEEKDAY_NAMES) if mask >> day & 1)


@lru_cache(maxsize=200_000)
def normalize_address(text: str) -> str:
    """An address or place in one spelling: "Kaiserstr. 5" and "Kaiser-Straße 5" agree.

    >>> normalize_address("Pfarrheim, Kaiser-Str. 5, 51545 Waldbröl")
    'pfarrheim kaiserstrasse 5 51545 waldbroel'
    """
    folded = fold(text).replace("str.", "strasse ").replace("-", "")
    folded = re.sub(r"[^\w\s]", " ", folded)
    folded = _STREET_SUFFIX.sub(r"\1", folded)
    return " ".join(folded.split())


def street_key(text: str) -> str | None:
    """Street and house number of an address, if it names them ("kaiserstrasse 5")."""
    return street_key_of(normalize_address(text))


def street_key_of(normalised: str) -> str | None:
    """:func:`street_key` of an address that is normalised already."""
    for match in _STREET_NUMBER.finditer(normalised):
        street, number = match.group(1).split()[-1], match.group(2).replace(" ", "")
        if not street.isdigit() and len(street) > 2:
            return f"{street} {number}"
    return None


@lru_cache(maxsize=200_000)
def phone_e164(raw: str, region: str = "DE") -> str | None:
    """A phone number in E.164 form (``+492261880``), or ``None`` if it is not one."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def email_key(raw: str) -> str:
    """An e-mail address in one spelling (case and surrounding space ignored)."""
    return raw.strip().removeprefix("mailto:").casefold()


def web_domain(raw: str) -> str | None:
    """The host of a web address without ``www.`` (``caritas-oberberg.de``)."""
    text = raw.strip().casefold()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    host = re.split(r"[/?#:]", text, maxsplit=1)[0].removeprefix("www.")
    return host or None
