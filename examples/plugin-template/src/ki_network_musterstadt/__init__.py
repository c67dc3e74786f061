"""Musterstadt's additions to ki-network: local labels, the day of the town festival and a
coordination rule.

Each function marked ``@hookimpl`` implements one hook of ki-network (see "Hook reference" in
ki-network's ``docs/plugins.md``); its name says which.  Take only the arguments you need.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import attrs

from ki_network import ClosedDay, Finding, Network, Severity, hookimpl
from ki_network.checks import RuleContext
from ki_network.plugin.contracts import RuleBase

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


@attrs.frozen
class NoLanguageRule(RuleBase):
    """Offers that do not say in which languages they are held.

    A rule follows ``ki_network.plugin.contracts.Rule``; ``RuleBase`` gives the optional
    ``title`` and ``background`` their defaults.  ``context`` carries the rule's settings
    from ``network.yaml`` and the run's language, ``today`` and ``gettext``.
    """

    id: str = "musterstadt.no-language"
    title: str = "Offers without a language"
    default_severity: Severity = Severity.INFO

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        for offer in network.offers.values():
            if not offer.languages:
                yield Finding(self.id, self.default_severity, (offer.id,),
                              f"'{offer.title.get(context.language)}' names no language",
                              f"Ask {offer.provider} in which languages it is held.")


@hookimpl
def ki_network_rules() -> list[NoLanguageRule]:
    return [NoLanguageRule()]
