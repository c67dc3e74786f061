"""The ``ki-network`` command.

Each group of commands lives in its own module and registers itself on :data:`main`.
Exit codes: 0 fine, 1 invalid data or findings at/above the failing severity (or a plugin
failed), 2 usage error.
"""

from __future__ import annotations

from . import (  # noqa: F401 - registers commands on main
    calendar,
    check,
    core,
    duplicates,
    export,
    ics,
    imports,
    report,
    serve,
)
from ._common import main

__all__ = ["main"]
