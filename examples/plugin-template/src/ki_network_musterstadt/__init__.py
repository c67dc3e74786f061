"""Musterstadt's additions to ki-network: local labels, the day of the town festival, and a
rule that speaks German and English from the plugin's own catalogue.

Each function marked ``@hookimpl`` implements one hook of ki-network (see "Hook reference" in
ki-network's ``docs/plugins.md``); its name says which.  Take only the arguments you need.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import attrs

from ki_network import ClosedDay, Finding, Network, Severity, hookimpl
from ki_network.checks import RuleContext
from ki_network.locale import N_, plugin_translator
from ki_network.plugin import RuleBase

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
class FestivalRule(RuleBase):
    """Events on the day of the Stadtfest: people are at the festival, halls are booked.

    A rule follows ``ki_network.plugin.Rule``; ``RuleBase`` gives the optional ``title`` and
    ``background`` their defaults.  ``context`` carries the rule's settings from
    ``network.yaml`` and the run's language, ``today`` and ``gettext``.  Its texts are English
    message ids, translated through this plugin's own catalogue
    (``locale/de/LC_MESSAGES/ki_network_musterstadt.po``, compiled to ``.mo``); see
    "Translations" in ki-network's ``docs/plugins.md``.
    """

    id: str = "musterstadt-festival"
    title: str = N_("Events on the day of the Stadtfest")  # the heading in check and the report
    translations: str = __name__  # the package whose locale/ holds the catalogue
    default_severity: Severity = Severity.INFO

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        _ = plugin_translator(__name__, context.language).gettext
        for event in network.events.values():
            start = event.schedule.start
            day = start.date() if isinstance(start, datetime) else start
            if day == town_festival(day.year):
                yield Finding(
                    self.id, self.default_severity, (event.id,),
                    _("'{title}' is on the day of the Stadtfest ({day})").format(
                        title=event.title.get(context.language), day=day.isoformat()),
                    _("Many people are at the festival: consider another day."))


@hookimpl
def ki_network_rules() -> list[FestivalRule]:
    return [FestivalRule()]
