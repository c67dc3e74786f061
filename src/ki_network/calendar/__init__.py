"""Shared calendars: importing partner feeds, expanding occurrences, exporting joint calendars.

Each concept lives in its own module of this package; the names below are re-exported so
that ``from ki_network.calendar import ...`` keeps working when a module is split.
"""

from .conflicts import find_conflicts
from .fetch import FetchError, fetch
from .ics_export import export_calendar
from .import_merge import MergeReport, merge_into
from .importer import ImportedFeed, read_ics
from .occurrences import Occurrence, occurrences

__all__ = [
    "FetchError",
    "ImportedFeed",
    "MergeReport",
    "Occurrence",
    "export_calendar",
    "fetch",
    "find_conflicts",
    "merge_into",
    "occurrences",
    "read_ics",
]
