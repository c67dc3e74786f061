"""Writing iCalendar content lines: folding, escaping and value formats, checked on the bytes.

Why not ``icalendar``'s ``to_ical()`` for the whole feed: it is right on these points (we check
the bytes in the tests) but slow — about 0.4 ms per event to build and serialise components,
4 s for a 10,000-event calendar.  The export therefore describes each VEVENT as a list of
:data:`Prop` tuples and writes them here; only when a plugin implements the
``ki_network_calendar_event`` hook is a real ``icalendar.Event`` made from them (so the plugin
sees and edits a component), which is then written by :func:`component_lines`.  A test checks
that both ways give the same bytes.

The 75th octet of this line would be the first half of an "ä", so the fold comes one earlier
(and every physical line decodes on its own):

>>> lines = fold("SUMMARY:" + "ä" * 40).split(b"\\r\\n")
>>> [len(line) for line in lines], [line.decode("utf-8")[:3] for line in lines]
([74, 15, 0], ['SUM', ' ää', ''])
>>> escape_text("a, b; c\\\\ d\\ne")
'a\\\\, b\\\\; c\\\\\\\\ d\\\\ne'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import icalendar

Prop = tuple[str, Mapping[str, str], Any]
"""One property: name, extra parameters (TZID and VALUE=DATE follow from the value), value.

Values: ``str`` (escaped as TEXT unless the property is a URI, an address or a rule),
``int``, ``date``,
aware ``datetime`` (UTC is written with ``Z``, a zoneinfo zone with ``TZID``), a list of
``str`` (CATEGORIES), a ``(lat, lon)`` tuple (GEO), or an icalendar value such as ``vRecur``.
"""

CRLF = b"\r\n"
_NOT_TEXT = frozenset({"URL", "ORGANIZER", "ATTENDEE", "RRULE"})

#: Control characters (all but tab) and the Unicode line and paragraph separators: RFC 5545
#: allows none of them in a value, and a raw CR or LF would end the content line, so that a
#: value could add properties or whole components of its own choosing.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def uri_value(text: str) -> str:
    """A URI-like value (URL, mailto: of ORGANIZER, a rule) with control characters
    percent-encoded: a link never spans two content lines.

    >>> uri_value("https://x.example/\\r\\nBEGIN:VEVENT")
    'https://x.example/%0D%0ABEGIN:VEVENT'
    """
    return _CONTROL.sub(_percent, text) if _CONTROL.search(text) else text


def normalise_newlines(text: str) -> str:
    """CR LF and lone CR become LF: TEXT values know only one line break (written ``\\n``)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def escape_text(text: str) -> str:
    """RFC 5545 TEXT escaping of ``\\ ; , newline``."""
    text = (normalise_newlines(text).replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,").replace("\n", "\\n"))
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def fold(line: str) -> bytes:
    """``line`` as UTF-8 with CRLF, folded at 75 octets without splitting a character.

    Every content line passes here, so here is the last guard against injection: a control
    character left in ``line`` (the writers escape or encode them before) becomes a space.

    >>> fold("URL:x\\r\\nBEGIN:VEVENT")
    b'URL:x  BEGIN:VEVENT\\r\\n'
    """
    if _CONTROL.search(line):
        line = _CONTROL.sub(" ", line)
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + CRLF
    parts = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines begin with a space
    return b"\r\n ".join(parts) + CRLF


def _time(value: date) -> tuple[str, dict[str, str]]:
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d"), {"VALUE": "DATE"}
    text = value.strftime("%Y%m%dT%H%M%S")
    if value.tzinfo is None:
        return text, {}
    if value.tzinfo is UTC or getattr(value.tzinfo, "key", None) == "UTC":
        return text + "Z", {}
    return text, {"TZID": str(value.tzinfo.key)}  # type: ignore[attr-defined]


def prop_line(name: str, params: Mapping[str, str], value: Any) -> bytes:
    """One property as folded bytes."""
    extra: dict[str, str] = {}
    if isinstance(value, str):
        text = uri_value(value) if name in _NOT_TEXT else escape_text(value)
    elif isinstance(value, bool):
        raise TypeError(f"{name}: a boolean is no iCalendar value")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, date):
        text, extra = _time(value)
    elif isinstance(value, list):
        text = ",".join(escape_text(v) for v in value)
    elif isinstance(value, tuple):
        text = f"{float(value[0])};{float(value[1])}"
    else:
        text = value.to_ical().decode("utf-8")
    if not extra and not params:
        return fold(f"{name}:{text}")
    return fold(f"{name};{_params(tuple({**extra, **params}.items()))}:{text}")


@lru_cache(maxsize=4096)
def _params(items: tuple[tuple[str, str], ...]) -> str:
    # Few distinct parameter sets (TZID=..., VALUE=DATE, an organiser's CN) recur thousands
    # of times; icalendar's quoting and RFC 6868 escaping is used, once per set.
    clean = {key: _CONTROL.sub(" ", value) if _CONTROL.search(value) else value
             for key, value in items}
    return str(icalendar.Parameters(clean).to_ical().decode("utf-8"))


def props_lines(component: str, props: Iterable[Prop]) -> list[bytes]:
    """A whole component (without subcomponents) from its properties."""
    return [fold(f"BEGIN:{component}"), *(prop_line(*p) for p in props),
            fold(f"END:{component}")]


def to_component(props: Iterable[Prop]) -> icalendar.Event:
    """An ``icalendar.Event`` holding ``props`` (for plugins that customise events)."""
    event = icalendar.Event()
    for name, params, value in props:
        typed = value
        if name == "RRULE" and isinstance(value, str):
            typed = icalendar.vRecur.from_ical(value)
        elif isinstance(value, str) and name not in _NOT_TEXT:
            typed = icalendar.vText(normalise_newlines(value))
        event.add(name, typed, parameters=dict(params))
    return event


def component_lines(component: icalendar.cal.Component) -> list[bytes]:
    """Any icalendar component, properties in the order they were added, then subcomponents."""
    lines = [fold(f"BEGIN:{component.name}")]
    for name, value in component.items():
        for one in value if isinstance(value, list) else [value]:
            params = getattr(one, "params", None)
            head = name
            if params:
                head += ";" + params.to_ical().decode("utf-8")
            text = one.to_ical()
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            lines.append(fold(f"{head}:{text}"))
    for sub in component.subcomponents:
        lines.extend(component_lines(sub))
    lines.append(fold(f"END:{component.name}"))
    return lines
