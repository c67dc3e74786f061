"""The ``feeds:`` settings of ``network.yaml``: what partner feeds may do.

.. code-block:: yaml

    feeds:
      allow_private_addresses: false   # true: live feeds may be on loopback/private networks
      max_removed_share: 0.5           # a re-import may mark at most this share as removed …
      allow_mass_removal: false        # … unless this is true (or --allow-mass-removal)
      folders: [/srv/partner-feeds]    # local calendar: paths may also lie here

>>> feed_settings({"feeds": {"max_removed_share": 0.2}})[0].max_removed_share
0.2
>>> feed_settings({"feeds": {"folders": "x"}})[1]
["'feeds: folders' must be a list of folders"]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

#: Share of a feed's events that a re-import may mark as removed without being told to.
MAX_REMOVED_SHARE = 0.5


@attrs.frozen
class FeedSettings:
    allow_private_addresses: bool = False
    max_removed_share: float = MAX_REMOVED_SHARE
    allow_mass_removal: bool = False
    folders: tuple[Path, ...] = ()


def feed_settings(extra: Mapping[str, Any], directory: Path | None = None
                  ) -> tuple[FeedSettings, list[str]]:
    """The settings under ``feeds:`` in ``extra`` (``NetworkConfig.extra``) and what is wrong
    with them (each wrong value falls back to its default).  Relative folders are relative to
    ``directory``."""
    raw = extra.get("feeds")
    if raw is None:
        return FeedSettings(), []
    if not isinstance(raw, Mapping):
        return FeedSettings(), ["'feeds' must be a mapping of settings"]
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key in ("allow_private_addresses", "allow_mass_removal"):
        if key in raw:
            if isinstance(raw[key], bool):
                values[key] = raw[key]
            else:
                problems.append(f"'feeds: {key}' must be true or false")
    if "max_removed_share" in raw:
        share = raw["max_removed_share"]
        if isinstance(share, int | float) and not isinstance(share, bool) and 0 <= share <= 1:
            values["max_removed_share"] = float(share)
        else:
            problems.append("'feeds: max_removed_share' must be a number from 0 to 1")
    if "folders" in raw:
        folders = raw["folders"]
        if isinstance(folders, list) and all(isinstance(f, str) and f for f in folders):
            base = directory or Path()
            values["folders"] = tuple(base / f for f in folders)
        else:
            problems.append("'feeds: folders' must be a list of folders")
    return FeedSettings(**values), problems
