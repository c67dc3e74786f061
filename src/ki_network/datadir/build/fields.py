"""The field reader: one record's fields checked and converted, each problem at its position."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from ...errors import Origin, Problem
from ...model import (
    Contact,
    DateOrDateTime,
    GeoPoint,
    RelationKind,
    Schedule,
    Text,
    Visibility,
)
from ...region import did_you_mean
from ..yamlio import Record
from .times import (
    _comparable,
    _day_of,
    _not_a_time,
    _rrule_error,
    _show,
    parse_time,
    rrule_refusal,
    year_error,
)

E = TypeVar("E", bound=enum.Enum)


ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")


_SCHEDULE_KEYS = frozenset({"start", "end", "rrule", "until", "exdates", "rdates"})


_PLAIN_RELATION = frozenset({"source", "target", "kind", "programme"})


_RELATION_KINDS = {kind.value: kind for kind in RelationKind}


_CONTACT_KEYS = frozenset({"email", "phone", "website", "person"})


#: Characters no text of the data may hold: C0 controls other than tab, line feed and carriage
#: return, DEL and the C1 controls (they make GraphML, GEXF and SVG malformed and mean nothing
#: in a calendar), and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
#: U+2066-U+2069), which make a text display differently from what it says ("Trojan Source").
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


#: Line breaks, refused in one-line values (links, e-mail addresses, phone numbers):
#: written into a calendar unescaped, a line break would start a property of its own.
LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


#: The schemes a link (``url``, a contact's ``website``) may have: a ``javascript:`` or
#: ``data:`` link in a published calendar or report would run or show whatever it says.
LINK_SCHEMES = ("http", "https", "mailto", "tel")


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


_EMAIL = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[^\s@<>(),;:\"\[\]\\]+$")


def unsafe_character(value: str) -> str | None:
    """Why ``value`` cannot be data (a control or bidi-override character), or ``None``.

    >>> unsafe_character("Café") is None, unsafe_character("a\\u202eb")
    (True, 'holds the control character U+202E')
    """
    found = UNSAFE_CHARACTERS.search(value)
    if found is None:
        return None
    return f"holds the control character U+{ord(found.group()):04X}"


def link_error(value: str) -> str | None:
    """Why ``value`` is no acceptable link, or ``None``.

    >>> link_error("https://ki.example/fest") is None, link_error("javascript:alert(1)")
    (True, "has the scheme 'javascript'; links must be http, https, mailto or tel")
    """
    if LINE_BREAKS.search(value) or any(c.isspace() for c in value.strip()):
        return "must be one link without line breaks or spaces"
    scheme = _SCHEME.match(value.strip())
    if scheme is None:
        return "must be a full link such as https://example.org/page"
    if scheme.group(1).lower() not in LINK_SCHEMES:
        return (f"has the scheme {scheme.group(1)!r}; links must be "
                f"{', '.join(LINK_SCHEMES[:-1])} or {LINK_SCHEMES[-1]}")
    return None


class _Fields:
    """Reads the fields of one record, reporting problems at the field's position."""

    def __init__(self, record: Record, problems: list[Problem], known: frozenset[str] | set[str],
                 *, sub_daily: bool = False):
        self.record = record
        self.problems = problems
        self.known = known
        self.sub_daily = sub_daily  # recurrence rules finer than daily allowed (network.yaml)

    def problem(self, key: str | None, message: str) -> None:
        origin = self.record.origin if key is None else self.record.origin_of(key)
        self.problems.append(Problem(origin, message))

    # The common case (a non-empty text, a list of texts, a known enum value) returns at the
    # first test: at 300,000 records per network every test per field shows in the load time.

    def extra(self) -> dict[str, Any]:
        if self.record.keys() <= self.known:
            return {}
        return {k: v for k, v in self.record.items() if k not in self.known}

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.record.get(key)
        if type(value) is str and value:
            if UNSAFE_CHARACTERS.search(value) is not None:
                self.safe(key, value)
            return value
        if value is None or value == "":
            if required:
                self.problem(None, f"missing field '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(key, f"'{key}' must be a text, not {_kind(value)}")
            return None
        self.safe(key, str(value))
        return str(value)

    def safe(self, key: str, value: str) -> bool:
        """True if ``value`` holds no control character; else a problem at ``key``.

        The value is still used (the record is built and its references resolve), so that
        one bad character gives one problem, not one for every record that names it.
        """
        if UNSAFE_CHARACTERS.search(value) is None:
            return True
        self.problem(key, f"'{key}' {unsafe_character(value)}; remove it")
        return False

    def link(self, key: str) -> str | None:
        """A link (``url``): http(s), mailto or tel, one line; a problem at ``key`` if not."""
        value = self.string(key)
        if value is None:
            return None
        error = link_error(value)
        if error is not None:
            self.problem(key, f"'{key}' {value!r} {error}")
            return None
        return value

    def identifier(self, key: str = "id") -> str | None:
        value = self.string(key, required=True)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(key, f"'{key}' {value!r} must be a lower-case slug "
                              "(letters, digits, '-', '_', '.')")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.record.get(key)
        if value is None:
            return ()
        if type(value) is list:
            for item in value:
                if type(item) is not str or UNSAFE_CHARACTERS.search(item):
                    break
            else:
                return tuple(value)
        if isinstance(value, str):
            self.safe(key, value)
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.problem(key, f"'{key}' must be a list of texts")
            return ()
        for item in value:
            self.safe(key, str(item))
        return tuple(str(v) for v in value)

    def languages(self, key: str = "languages") -> tuple[str, ...]:
        values = self.strings(key)
        if all(map(LANGUAGE_PATTERN.match, values)):
            return values
        for value in values:
            if not LANGUAGE_PATTERN.match(value):
                self.problem(key, f"language {value!r} is not an ISO 639 code like 'de' or 'ar'")
        return tuple(v for v in values if LANGUAGE_PATTERN.match(v))

    def choice(self, key: str, enum_type: type[E], default: E) -> E:
        value = self.record.get(key)
        if value is None:
            return default
        member = enum_type._value2member_map_.get(value) if type(value) is str else None
        if member is not None:
            return member  # type: ignore[return-value]
        try:
            return enum_type(value)
        except ValueError:
            allowed = [str(m.value) for m in enum_type]
            self.problem(key, f"invalid {key} {value!r}; expected one of {', '.join(allowed)}"
                              + did_you_mean(str(value), allowed))
            return default

    def text(self, key: str, *, required: bool = False) -> Text | None:
        value = self.record.get(key)
        if value is None or value == "":
            if required:
                self.problem(None, f"missing field '{key}'")
            return None
        if type(value) is str:
            if UNSAFE_CHARACTERS.search(value) is not None:
                self.safe(key, value)
            return Text((("", value),))
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return Text.of(str(value))
        if isinstance(value, Mapping) and value and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            for text in value.values():
                self.safe(key, text)
            return Text.of(value)
        self.problem(key, f"'{key}' must be a text or a mapping of language to text")
        return None

    def day(self, key: str, value: Any = None) -> date | None:
        value = self.record.get(key) if value is None else value
        if value is None:
            return None
        parsed = parse_time(value)
        if parsed is None or isinstance(parsed, datetime):
            self.problem(key, f"'{key}' {value!s} is not a date like 2026-01-31")
            return None
        if (error := year_error(parsed)) is not None:
            self.problem(key, f"'{key}' {parsed.isoformat()}: {error}")
            return None
        return parsed

    def time(self, key: str, value: Any, at: Origin | None = None) -> DateOrDateTime | None:
        """``value`` as a date or date-time; a problem at ``at`` (default: ``key``) if not."""
        parsed = parse_time(value)
        if parsed is None:
            self.problems.append(Problem(at or self.record.origin_of(key),
                                         _not_a_time(key, value)))
        elif (error := year_error(parsed)) is not None:
            self.problems.append(Problem(at or self.record.origin_of(key),
                                         f"'{key}' {_show(parsed)}: {error}"))
            return None
        return parsed

    def contact(self, key: str = "contact") -> Contact:
        value = self.record.get(key)
        if value is None:
            return Contact()
        if not isinstance(value, Mapping):
            self.problem(key, "'contact' must be a mapping with email, phone, website, person")
            return Contact()
        fields = {k: str(value[k]) for k in _CONTACT_KEYS if value.get(k) not in (None, "")}
        fields = self._contact_fields(key, value, fields)
        extra = {k: v for k, v in value.items() if k not in _CONTACT_KEYS | {"visibility"}}
        visibility = None
        if value.get("visibility") is not None:
            try:
                visibility = Visibility(value["visibility"])
            except ValueError:
                self.problem(key, f"invalid contact visibility {value['visibility']!r}; "
                                  "expected one of public, partners, internal")
        return Contact(**fields, visibility=visibility, extra=extra)

    def _contact_fields(self, key: str, value: Mapping[str, Any], fields: dict[str, str]
                        ) -> dict[str, str]:
        """The contact's fields without those that are unsafe (each a problem)."""
        where = value.key_origins if isinstance(value, Record) else {}
        checked = {}
        for name, text in fields.items():
            error = unsafe_character(text)
            if error is None and name != "person" and LINE_BREAKS.search(text):
                error = "holds a line break"
            if error is None and name == "website":
                error = link_error(text)
            if error is None and name == "email" and not _EMAIL.match(text.strip()):
                error = "is not an e-mail address like name@example.org"
            if error is None:
                checked[name] = text
            else:
                self._at(where, key, name, f"contact {name} {text!r} {error}")
        return checked

    def geo(self, key: str = "geo") -> GeoPoint | None:
        value = self.record.get(key)
        if value is None:
            return None
        try:
            lat, lon = float(value["lat"]), float(value["lon"])
        except (TypeError, KeyError, ValueError):
            self.problem(key, "'geo' must be a mapping {lat: 51.03, lon: 7.56}")
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.problem(key, f"'geo' {lat}, {lon} is not on Earth")
            return None
        return GeoPoint(lat, lon)

    def schedule(self, key: str, entry: Any, positions: Record | None = None
                 ) -> Schedule | None:
        """One schedule entry: a mapping with start, end, rrule, until, exdates, rdates.

        A problem points at the entry's own field (``end``, ``rrule`` ...) where ``positions``
        (the mapping the fields were read from; default: the entry) knows its place, else at
        ``key`` of the record.  (Positions are looked up only for problems: this runs for
        every offer.)
        """
        if not isinstance(entry, Mapping):
            self.problem(key, f"'{key}' entries must be mappings with start and end")
            return None
        if positions is None and isinstance(entry, Record):
            positions = entry
        where = positions.key_origins if positions is not None else {}
        raw_start = entry.get("start")
        if raw_start is None:
            self._at(where, key, "start", f"'{key}' needs a 'start'")
            return None
        start = parse_time(raw_start)
        if start is None:
            self._at(where, key, "start", _not_a_time("start", raw_start))
            return None
        if (error := year_error(start)) is not None:
            self._at(where, key, "start", f"start {_show(start)}: {error}")
            return None
        raw_end = entry.get("end")
        end = None if raw_end is None else parse_time(raw_end)
        if end is not None and (error := year_error(end)) is not None:
            self._at(where, key, "end", f"end {_show(end)}: {error}")
            end = None
        elif raw_end is not None and end is None:
            self._at(where, key, "end", _not_a_time("end", raw_end))
        elif end is not None:
            if isinstance(end, datetime) != isinstance(start, datetime):
                self._at(where, key, "end",
                         "'end' and 'start' must both be dates or both be date-times")
                end = None
            elif _comparable(end) <= _comparable(start):
                self._at(where, key, "end", f"end {_show(end)} is not after start {_show(start)}")
        raw_until = entry.get("until")
        until = None if raw_until is None else parse_time(raw_until)
        if until is not None and (error := year_error(until)) is not None:
            self._at(where, key, "until", f"until {_show(until)}: {error}")
            until = None
        elif raw_until is not None and until is None:
            self._at(where, key, "until", _not_a_time("until", raw_until))
        rrule = entry.get("rrule")
        if rrule is not None:
            rrule = str(rrule).removeprefix("RRULE:")
            if until is not None and "UNTIL=" in rrule.upper():
                self._at(where, key, "until", "give the end of a series either as 'until' or "
                                              "inside the rrule, not both")
            count = _count_of(rrule)
            if count is not None and (not count.lstrip("+").isdigit() or int(count) <= 0):
                self._at(where, key, "rrule", f"COUNT={count} in rrule {rrule!r} is not a "
                                              "positive number")
            elif count is not None and until is not None:
                self._at(where, key, "until", "give the end of a series either as 'until' or "
                                              "as COUNT in the rrule, not both (RFC 5545)")
            error = _rrule_error(rrule)
            if error is not None:
                self._at(where, key, "rrule", f"malformed rrule {rrule!r}: {error}")
            elif not rrule.upper().startswith("FREQ=") and ";FREQ=" not in rrule.upper():
                self._at(where, key, "rrule", f"malformed rrule {rrule!r}: FREQ is missing")
            elif (refusal := rrule_refusal(rrule, start, sub_daily=self.sub_daily)) is not None:
                self._at(where, key, "rrule", f"rrule {rrule!r} refused: {refusal}")
        # ``until`` is inclusive: a date until means "through that day", so compare days then.
        if until is not None and (
                until < _day_of(start) if not isinstance(until, datetime)
                else _comparable(until) < _comparable(start)):
            self._at(where, key, "until", f"until {_show(until)} is before start {_show(start)}")
        exdates: tuple[DateOrDateTime, ...] = ()
        rdates: tuple[DateOrDateTime, ...] = ()
        if entry.get("exdates") is not None:
            exdates = self._times("exdates", entry["exdates"],
                                  where.get("exdates") or self.record.origin_of(key))
        if entry.get("rdates") is not None:
            rdates = self._times("rdates", entry["rdates"],
                                 where.get("rdates") or self.record.origin_of(key))
        extra = ({} if entry.keys() <= _SCHEDULE_KEYS
                 else {k: v for k, v in entry.items() if k not in _SCHEDULE_KEYS})
        return Schedule(start, end, rrule, until, exdates, rdates, extra)

    def _at(self, where: Mapping[str, Origin], key: str, field: str, message: str) -> None:
        """A problem at ``field`` of a schedule entry, else at ``key`` of the record."""
        self.problems.append(Problem(where.get(field) or self.record.origin_of(key), message))

    def _times(self, key: str, values: Any, at: Origin) -> tuple[DateOrDateTime, ...]:
        if values is None:
            return ()
        if not isinstance(values, list):
            values = [values]
        parsed = [self.time(key, v, at) for v in values]
        if any(p is None for p in parsed):
            return ()
        return tuple(p for p in parsed if p is not None)


def _kind(value: Any) -> str:
    return {list: "a list", dict: "a mapping", Record: "a mapping", bool: "true/false"}.get(
        type(value), type(value).__name__)


def _count_of(rrule: str) -> str | None:
    """The COUNT value of an rrule's text, if it has one."""
    for part in rrule.split(";"):
        name, _, value = part.partition("=")
        if name.strip().upper() == "COUNT":
            return value.strip()
    return None
