"""The Integreat CMS API v3: a region's events (in every language) and locations.

``GET {base}/api/v3/{region}/{language}/events/?combine_recurring=True`` lists a region's
events in one language, a recurring event once, with its ``recurrence_rule``;
``GET {base}/api/v3/{region}/{language}/locations/`` its places.  Each event names the
languages it is translated into (``available_languages``); :func:`fetch_region` fetches the
events of each of them, so that translations can be merged.

Downloads go through :func:`ki_network.calendar.ics_import.fetch` (http and https only, a time
limit for the whole download, a size limit); every failure is an :class:`IntegreatError` with
one line that names the URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

from ki_network.calendar import FetchError, fetch

#: Seconds one download may take, and the largest answer accepted.
TIMEOUT = 20.0
MAX_BYTES = 20 * 1024 * 1024


class IntegreatError(Exception):
    """The API could not be read: unreachable, too slow, an error status, or an answer that
    is not what API v3 returns.  The message is one line and names the URL."""


@attrs.frozen
class RegionData:
    """What the API said: events by language (the base language first), and locations."""

    region: str
    base_url: str
    language: str
    events: dict[str, list[dict[str, Any]]]
    locations: list[dict[str, Any]]

    @property
    def source(self) -> str:
        """How the import names this source in ``imported.feed``."""
        return f"{self.base_url}/api/v3/{self.region}"


def _url(base_url: str, region: str, language: str, what: str) -> str:
    query = "?combine_recurring=True" if what == "events" else ""
    return (f"{base_url}/api/v3/{quote(region, safe='')}/{quote(language, safe='')}/"
            f"{what}/{query}")


def get_list(url: str, *, timeout: float, max_bytes: int,
             allow_private: bool = False) -> list[dict[str, Any]]:
    """The JSON list of objects at ``url``.

    :raises IntegreatError: the download failed, or the answer is not a JSON list of objects.
    """
    try:
        body = fetch(url, timeout=timeout, max_bytes=max_bytes,
                     allow_private=allow_private).content
    except FetchError as exc:
        raise IntegreatError(str(exc)) from exc
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise IntegreatError(f"{url}: the answer is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise IntegreatError(f"{url}: the answer is not valid JSON (line {exc.lineno}, "
                             f"column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, list):
        raise IntegreatError(f"{url}: expected a JSON list, got {type(data).__name__}")
    bad = [i for i, item in enumerate(data) if not isinstance(item, Mapping)]
    if bad:
        raise IntegreatError(f"{url}: item {bad[0]} of the list is not an object")
    return data


def fetch_region(base_url: str, region: str, *, language: str = "de",
                 timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
                 allow_private: bool = False) -> RegionData:
    """Events of ``region`` in ``language`` and in every language they are translated into,
    and the region's locations.

    Loopback and private addresses are refused unless ``allow_private`` (ki-network's
    policy against server-side request forgery, ``docs/security-feeds.md``).

    :raises IntegreatError: any download failed (nothing is returned in part).
    """
    base = base_url.rstrip("/")
    events = {language: get_list(_url(base, region, language, "events"), timeout=timeout,
                                 max_bytes=max_bytes, allow_private=allow_private)}
    others: set[str] = set()
    for event in events[language]:
        available = event.get("available_languages")
        if isinstance(available, Mapping):
            others.update(str(code) for code in available)
    for code in sorted(others - {language}):
        events[code] = get_list(_url(base, region, code, "events"), timeout=timeout,
                                max_bytes=max_bytes, allow_private=allow_private)
    locations = get_list(_url(base, region, language, "locations"), timeout=timeout,
                         max_bytes=max_bytes, allow_private=allow_private)
    return RegionData(region, base, language, events, locations)
