"""The ``ki-network`` command.

Each group of commands lives in its own module and registers itself on :data:`main`.
Exit codes: 0 fine, 1 invalid data or findings at/above the failing severity (or a plugin
failed), 2 usage error.
"""

from __future__ import annotations

from . import core, export  # noqa: F401 - registers commands on main
from . import duplicates  # noqa: F401 - registers the duplicates command
from . import calendar  # noqa: F401 - registers calendar and conflicts
from . import ics  # noqa: F401 - registers ics import
from . import check  # noqa: F401 - registers check
from . import report  # noqa: F401 - registers report
from ._common import main

__all__ = ["main"]
