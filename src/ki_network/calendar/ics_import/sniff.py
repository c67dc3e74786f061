"""Is it a calendar at all?  Junk that a server answers instead of a feed, told apart.

A partner's server that answers with a login page, an empty file, a binary or a UTF-16 export
would otherwise be read as a calendar without events — and a re-import would cancel every
event of that partner.  :func:`not_a_calendar` says why such bytes are not an iCalendar feed;
``ics import`` and the live-feed source refuse them (the reader itself stays lenient with
fragments, see :func:`~ki_network.calendar.ics_import.reader.read_ics`).

>>> not_a_calendar(b"BEGIN:VCALENDAR\\r\\nEND:VCALENDAR\\r\\n") is None
True
>>> not_a_calendar(b"<!DOCTYPE html><html><body>Please log in</body></html>")
'an HTML page (a login or error page?), not an iCalendar feed'
>>> not_a_calendar("BEGIN:VCALENDAR\\n".encode("utf-16"))
'UTF-16 text; iCalendar feeds are UTF-8: save or export it as UTF-8'
"""

from __future__ import annotations

from .lines import decode, unfold

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def not_a_calendar(data: bytes | str) -> str | None:
    """Why ``data`` is not an iCalendar feed (no ``BEGIN:VCALENDAR`` line after decoding), or
    ``None`` if it is one."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if not raw.strip():
        return "the file is empty, not an iCalendar feed" if not raw else \
            "the file holds only blanks, not an iCalendar feed"
    text, _ = decode(data)
    if any(line.strip().upper() == "BEGIN:VCALENDAR" for _, line in unfold(text)):
        return None
    head = raw[:4096]
    if head.startswith(_UTF16_BOMS) or (len(head) >= 4 and head[1:4:2] == b"\0\0"
                                        and head[0:4:2] != b"\0\0") \
            or (len(head) >= 4 and head[0:4:2] == b"\0\0" and head[1:4:2] != b"\0\0"):
        return "UTF-16 text; iCalendar feeds are UTF-8: save or export it as UTF-8"
    lowered = head.lower().lstrip()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered:
        return "an HTML page (a login or error page?), not an iCalendar feed"
    if b"\0" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 20:
        return "binary data, not an iCalendar feed"
    return "no BEGIN:VCALENDAR line: not an iCalendar feed"
