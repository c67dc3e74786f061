"""Shared calendars: the series of offers and events and their occurrences (this package's
core), partner feeds in (:mod:`.ics_import`) and joint calendars out (:mod:`.ics_export`).

Schedule conflicts are a check: :func:`ki_network.checks.find_conflicts`.
"""

from .ics_export import CalendarExport, CalendarState, export_calendar, select, split
from .ics_import import FetchError, ImportedFeed, MergeReport, fetch, merge_into, read_ics
from .occurrences import occurrences
from .series import Occurrence

__all__ = [
    "CalendarExport",
    "CalendarState",
    "FetchError",
    "ImportedFeed",
    "MergeReport",
    "Occurrence",
    "export_calendar",
    "fetch",
    "merge_into",
    "occurrences",
    "read_ics",
    "select",
    "split",
]
