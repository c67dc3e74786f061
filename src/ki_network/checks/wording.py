"""The one wording of the findings whose detection lives elsewhere: schedule conflicts
(:mod:`.conflicts`) and duplicate pairs (:mod:`ki_network.duplicates`).

Detection returns typed results without words (:class:`.conflicts.Overlap`,
:class:`.conflicts.HolidayCollision`, :class:`ki_network.duplicates.Pair`); here they become
findings in one language, through the gettext catalogue and :class:`.names.Names`.
``ki-network conflicts`` and ``ki-network check`` both word through here, so they say the
same thing in the same language.  The facts stay in ``evidence``, independent of language.

>>> from ki_network.testing import tiny_network
>>> Wording(tiny_network(), "de").names.listing(["Eltern", "Kinder"])
'Eltern und Kinder'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..duplicates import OVERLAP_RULE, Pair, directory_of, evidence_of, rule_of
from ..locale import supported, translator
from ..model import Finding, Severity
from .conflict_kinds import (
    LOCATION_DOUBLE_BOOKED,
    SCHEDULE_CONFLICT,
    Conflict,
    HolidayCollision,
    Overlap,
)
from .names import Names

if TYPE_CHECKING:
    from ..network import Network


class Wording:
    """Findings in ``language`` (default: the network's; English without a catalogue)."""

    def __init__(self, network: Network, language: str | None = None) -> None:
        self.language = supported(language or network.config.language)
        catalogue = translator(self.language)
        self.gettext = catalogue.gettext
        self.ngettext = catalogue.ngettext
        self.names = Names(network, self.language)

    def conflict(self, conflict: Conflict) -> Finding:
        """The finding for one schedule conflict."""
        if isinstance(conflict, HolidayCollision):
            message, suggestion = self._holiday(conflict)
        else:
            message, suggestion = self._overlap(conflict)
        return Finding(conflict.rule, conflict.severity, conflict.subjects, message, suggestion,
                       conflict.evidence())

    def _holiday(self, collision: HolidayCollision) -> tuple[str, str]:
        _, names = self.gettext, self.names
        item = collision.subjects[0]
        count = len(collision.days)
        kind = _("public holiday") if collision.public else _("school holidays")
        message = self.ngettext(
            "{item} takes place on {count} day of {holiday} ({kind}), on {first}",
            "{item} takes place on {count} days of {holiday} ({kind}), first on {first}",
            count).format(item=names.item(item), count=count,
                          holiday=names.listing(collision.names), kind=kind,
                          first=names.day(collision.first))
        suggestion = (_("Many families are away or busy then: {actor} could move or pause it.")
                      if collision.public else
                      _("{actor} could check whether it should pause in the holidays, or say "
                        "that it runs on.")).format(actor=names.actor(names.provider_of(item)))
        return message, suggestion

    def _overlap(self, overlap: Overlap) -> tuple[str, str]:
        _, names = self.gettext, self.names
        often = self.ngettext("{count} time, on {first}", "{count} times, first on {first}",
                              overlap.count).format(count=overlap.count,
                                                    first=names.moment(overlap.first))
        a, b = sorted((overlap.a.id, overlap.b.id))
        pa, pb = names.actor(names.provider_of(a)), names.actor(names.provider_of(b))
        both = _("{a} ({pa}) and {b} ({pb})").format(a=names.item(a), pa=pa, b=names.item(b),
                                                    pb=pb)
        who = pa if pa == pb else _("{pa} and {pb}").format(pa=pa, pb=pb)
        if overlap.rule == SCHEDULE_CONFLICT:
            groups = names.listing(names.group(g) for g in overlap.target_groups)
            message = _("{both} are for the same people ({groups}) in {municipality} at the "
                        "same time: {often}").format(
                both=both, groups=groups, municipality=names.municipality(overlap.municipality),
                often=often)
            suggestion = _("{who} could agree on different times, or combine the two.").format(
                who=who)
        elif overlap.rule == LOCATION_DOUBLE_BOOKED:
            message = _("{both} are both at {place} at the same time: {often}").format(
                both=both, place=overlap.location, often=often)
            suggestion = _("{who} should check the room booking.").format(who=who)
        else:
            # a named contact person says more than the organisation behind both
            actors = names.listing(p.title() for p in overlap.people) if overlap.people else \
                names.listing(names.actor(x) for x in overlap.actors)
            message = _("{actors} would be at two places at once: {both}, {often}").format(
                actors=actors, both=both, often=often)
            suggestion = _("{actors} could move one of them, or name who else runs it.").format(
                actors=actors)
        return message, suggestion

    def duplicate(self, pair: Pair) -> Finding:
        """The finding for one pair of :func:`ki_network.duplicates.find_duplicates`:
        ``overlapping-offers`` for the ``overlap`` band, else ``duplicate-offer``."""
        _, names = self.gettext, self.names
        a, b = pair.a, pair.b
        pa, pb = names.provider_of(a), names.provider_of(b)
        both = _("{a} and {b}").format(a=names.item(a), b=names.item(b))
        rule = rule_of(pair)
        if rule == OVERLAP_RULE:
            # "the same place" only when the addresses agreed (the pair's location signal)
            place = names.municipality(names.network.offers[a].municipality)
            if pair.signals.get("location", 0.0) >= 0.85:
                message = _("{both}: {pa} and {pb} offer the same kind of offer to the same "
                            "people in {place}, at the same place and time")
            else:
                message = _("{both}: {pa} and {pb} offer the same kind of offer to the same "
                            "people in {place} at the same time")
            message = message.format(both=both, pa=names.actor(pa), pb=names.actor(pb),
                                     place=place)
            suggestion = _("{pa} and {pb} should talk: pool the two offers or stagger their "
                           "times.").format(pa=names.actor(pa), pb=names.actor(pb))
            return Finding(rule, Severity.INFO, (a, b), message, suggestion, evidence_of(pair))
        who = names.actor(pa) if pa == pb else _("{pa} and {pb}").format(
            pa=names.actor(pa), pb=names.actor(pb))
        certain = pair.band == "same"
        message = (_("{both} are one offer recorded twice") if certain else
                   _("{both} may be one offer recorded twice")).format(both=both)
        if pair.decision is not None:  # decided already: advising --decide again is noise
            suggestion = _("A person confirmed that they are one offer: {who} should merge "
                           "the two records (keep {a} or {b}).").format(who=who, a=a, b=b)
        else:
            suggestion = _("{who} should check with whoever entered them, then merge the "
                           "records or record the verdict: ki-network duplicates {directory} "
                           "--decide {a} {b} same|distinct").format(
                who=who, a=a, b=b, directory=directory_of(names.network))
        return Finding(rule, Severity.WARNING if certain else Severity.INFO, (a, b), message,
                       suggestion, evidence_of(pair))
