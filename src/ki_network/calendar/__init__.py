"""Shared calendars: importing partner feeds, expanding occurrences, exporting joint calendars.

Each concept lives in its own module of this package; the names below are re-exported so
that ``from ki_network.calendar import ...`` keeps working when a module is split.
"""

from .conflicts import find_conflicts
from .ics_export import export_calendar
from .occurrences import Occurrence, occurrences

__all__ = ["Occurrence", "export_calendar", "find_conflicts", "occurrences"]
