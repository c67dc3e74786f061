"""How findings name things for people: titles, actors, places, dates and lists in one language.

Dates and lists are formatted by Babel's CLDR data (``12.03.2026`` and ``A, B und C`` in
German) rather than by hand, so each language gets its own conventions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from babel.dates import format_date, format_datetime
from babel.lists import format_list

from ..model import Event, Offer

if TYPE_CHECKING:
    from ..network import Network


class Names:
    """Names of the network's things in ``language``.

    >>> from ki_network.testing import tiny_network
    >>> names = Names(tiny_network(), "en")
    >>> names.item("cafe-gm"), names.listing(["a", "b", "c"]), names.day(date(2026, 3, 12))
    ("'Language café' (cafe-gm)", 'a, b, and c', 'Mar 12, 2026')
    """

    def __init__(self, network: Network, language: str) -> None:
        self.network = network
        self.language = language

    def title(self, item_id: str) -> str:
        item: Offer | Event | None = self.network.offers.get(item_id) \
            or self.network.events.get(item_id)
        return item.title.get(self.language) if item else item_id

    def item(self, item_id: str) -> str:
        """``'Title' (id)``: the title people know and the id they can search for."""
        return f"'{self.title(item_id)}' ({item_id})"

    def actor(self, actor_id: str) -> str:
        actor = self.network.actors.get(actor_id)
        return actor.name if actor else actor_id

    def provider_of(self, item_id: str) -> str:
        """The actor responsible for an offer (provider) or an event (first organiser)."""
        offer = self.network.offers.get(item_id)
        if offer is not None:
            return offer.provider
        event = self.network.events.get(item_id)
        return event.organisers[0] if event is not None and event.organisers else ""

    def municipality(self, ags: str | None) -> str:
        return self.network.municipality_name(ags) if ags else ""

    def topic(self, topic_id: str) -> str:
        topic = self.network.topics.get(topic_id)
        return topic.label.get(self.language) if topic else topic_id

    def group(self, group_id: str) -> str:
        group = self.network.target_groups.get(group_id)
        return group.label.get(self.language) if group else group_id

    def language_name(self, code: str) -> str:
        """``tr`` → ``Türkisch`` (de) / ``Turkish`` (en), from CLDR; the code if unknown."""
        from babel import Locale, UnknownLocaleError  # noqa: PLC0415 - cold path

        try:
            name = Locale.parse(self.language).languages.get(code)
        except (ValueError, UnknownLocaleError):
            name = None
        return name or code

    def day(self, value: date | str) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return _day(value, self.language)

    def moment(self, value: datetime | str) -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return _moment(value, self.language)

    def listing(self, values: Iterable[str]) -> str:
        items = tuple(values)
        return _listing(items, self.language) if items else ""


# Babel formats through CLDR patterns at some tens of microseconds a call; weekly series
# repeat the same days, times and lists thousands of times in a large network.
@lru_cache(maxsize=4096)
def _day(value: date, language: str) -> str:
    return format_date(value, "medium", locale=language)


@lru_cache(maxsize=4096)
def _moment(value: datetime, language: str) -> str:
    return format_datetime(value, "short", locale=language)


@lru_cache(maxsize=4096)
def _listing(values: tuple[str, ...], language: str) -> str:
    return format_list(list(values), locale=language)
