"""The one place where the feed server imports helpers that ``ki_network`` does not re-export.

Everything else in :mod:`ki_network.web` imports from the public, stable places only
(``ki_network``, ``ki_network.calendar``, ``ki_network.report``).  When these helpers move,
only this file changes.
"""

from __future__ import annotations

from ..calendar.ics_export import select  # the command line's filter semantics
from ..calendar.state import STATE_FILE, CalendarState  # SEQUENCE / LAST-MODIFIED memory
from ..region import did_you_mean  # " (did you mean 'x'?)", as the command line says it

__all__ = ["STATE_FILE", "CalendarState", "did_you_mean", "select"]
