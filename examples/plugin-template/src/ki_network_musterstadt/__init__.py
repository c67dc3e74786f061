"""Musterstadt's additions to ki-network: local labels and the day of the town festival.

Each function marked ``@hookimpl`` implements one hook of ki-network (see "Hook reference" in
ki-network's ``docs/plugins.md``); its name says which.  Take only the arguments you need.
"""

from __future__ import annotations

from datetime import date, timedelta

from ki_network import ClosedDay, hookimpl

#: The district this town belongs to: the ``region:`` of the network's ``network.yaml``.
REGION = "oberberg"

#: What people here call kinds of offers -> a topic id of ki-network's taxonomy.
LABELS = {
    "Nachbarschaftscafé": "cohesion.encounter",
    "Deutsch am Küchentisch": "language.informal",
}


def town_festival(year: int) -> date:
    """The Stadtfest: the first Saturday of September.

    >>> town_festival(2026)
    datetime.date(2026, 9, 5)
    """
    first = date(year, 9, 1)
    return first + timedelta(days=(5 - first.weekday()) % 7)


@hookimpl
def ki_network_label_aliases() -> dict[str, str]:
    return LABELS


@hookimpl
def ki_network_closed_days(region: str, year: int) -> list[ClosedDay] | None:
    if region != REGION:
        return None
    day = town_festival(year)
    return [ClosedDay(day, day, "Stadtfest Musterstadt", "public_holiday")]
