"""Joint calendars out: selection of what goes in, the writer of content lines, VTIMEZONE
components and the state that keeps SEQUENCE and DTSTAMP stable between exports.

>>> from ki_network.testing import tiny_network
>>> export_calendar(tiny_network()).data.startswith(b"BEGIN:VCALENDAR")
True
"""

from .selection import select, split
from .state import STATE_FILE, CalendarState
from .writer import CalendarExport, Skipped, export_calendar

__all__ = ["STATE_FILE", "CalendarExport", "CalendarState", "Skipped", "export_calendar", "select",
           "split"]
