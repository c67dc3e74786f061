"""What earlier calendar exports said: SEQUENCE and LAST-MODIFIED per exported component.

Google Calendar and Outlook take an edit of a subscribed event only when its ``SEQUENCE`` rose;
and two exports of unchanged data must be byte-identical.  Both need memory across exports,
which the data itself does not have, so the export keeps a small JSON file in the data
directory, ``.ki-network/calendar-state.json``::

    {"version": 1,
     "components": {"offer-cafe@ki.example": {"schedule": "<hash of time, place, status>",
                                              "content": "<hash of the other exported fields>",
                                              "sequence": 2,
                                              "last_modified": "20261124T204500Z"}}}

Keys are UIDs, with ``|`` and the RECURRENCE-ID for overrides.  When the time, place or status
hash differs from the stored one, the sequence rises by one and LAST-MODIFIED becomes the time
of the export; when only other content changed, just LAST-MODIFIED moves; when nothing
changed, nothing does.  Entries are never removed (another export with other filters may still
need them).  The file is written atomically, and only when something changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import attrs

from ...datadir.yamlio import atomic_write

STATE_FILE = Path(".ki-network") / "calendar-state.json"
_STAMP = "%Y%m%dT%H%M%SZ"


def fingerprint(parts: Iterable[Any]) -> str:
    """A short, stable hash of ``parts``: values whose ``repr`` is stable (str, numbers,
    dates, tuples and lists of them — not sets or mappings whose order may vary)."""
    return hashlib.sha256(repr(list(parts)).encode("utf-8")).hexdigest()[:20]


@lru_cache(maxsize=1024)
def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=UTC)


@attrs.frozen
class Stamp:
    """The SEQUENCE and LAST-MODIFIED (aware UTC, whole seconds) of one component."""

    sequence: int
    last_modified: datetime


@attrs.define
class CalendarState:
    """The state file's content; ``path=None`` keeps it in memory only."""

    path: Path | None = None
    components: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, path: Path | None) -> CalendarState:
        """Read ``path`` (a missing file is an empty state).

        :raises ValueError: if the file is not a state file (rather than forgetting it and
            resetting every SEQUENCE, which clients would then ignore).
        """
        if path is None or not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a readable calendar state file: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("components"), dict):
            raise ValueError(  # noqa: TRY004 - a bad file, reported like the unreadable one
                f"{path}: not a calendar state file (no 'components' mapping)")
        return cls(path, dict(data["components"]))

    def stamp(self, key: str, schedule: str, content: str, now: datetime) -> Stamp:
        """The stamp of component ``key`` whose hashes are now ``schedule`` and ``content``."""
        moment = now.astimezone(UTC).replace(microsecond=0)
        entry = self.components.get(key)
        if entry is None:
            entry = {"schedule": schedule, "content": content, "sequence": 0,
                     "last_modified": moment.strftime(_STAMP)}
            self.components[key] = entry
            self.changed = True
        elif entry.get("schedule") != schedule:
            entry.update(schedule=schedule, content=content,
                         sequence=int(entry.get("sequence", 0)) + 1,
                         last_modified=moment.strftime(_STAMP))
            self.changed = True
        elif entry.get("content") != content:
            entry.update(content=content, last_modified=moment.strftime(_STAMP))
            self.changed = True
        return Stamp(int(entry["sequence"]), _parse_stamp(str(entry["last_modified"])))

    def save(self) -> bool:
        """Write the state back if it changed; True if it was written."""
        if self.path is None or not self.changed:
            return False
        document = {"version": 1, "components": dict(sorted(self.components.items()))}
        with atomic_write(self.path) as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        self.changed = False
        return True
