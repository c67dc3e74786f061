"""Offers that mislead people: over, without dates, or impossible to reach.

``expired-offer``
    ``valid_to`` is before today (warning).
``stale-offer``
    a scheduled offer, still valid, without any occurrence from today to ``days`` ahead
    (default 365; info): its dates ran out.  Offers without a schedule (by appointment) are
    not stale.
``missing-contact``
    a public offer where neither the offer nor its provider has contact data the public may
    see (warning).  Judged on the public view of the network, so a phone number for partners
    only does not count.
``missing-location``
    a public offer without a location (warning); ``online: true`` offers are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from ..calendar.zones import as_utc
from ..locale import N_
from ..model import Finding, Severity, Visibility
from ..plugin.contracts import RuleBase
from .engine import RuleContext
from .names import Names
from .wrapped import occurrences_in, window

if TYPE_CHECKING:
    from ..network import Network


@attrs.frozen
class ExpiredOfferRule(RuleBase):
    id: str = "expired-offer"
    title: str = N_("Expired offers")
    default_severity: Severity = Severity.WARNING

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        names = Names(network, context.language)
        _ = context.gettext
        for offer in network.offers.values():
            if offer.valid_to is not None and offer.valid_to < context.today:
                yield Finding(
                    self.id, self.default_severity, (offer.id,),
                    _("{offer} ended on {day}").format(offer=names.item(offer.id),
                                                       day=names.day(offer.valid_to)),
                    _("{provider} should say whether it goes on (then set a new valid_to) or "
                      "remove it from the data.").format(provider=names.actor(offer.provider)),
                    {"valid_to": offer.valid_to.isoformat(), "today": context.today.isoformat()})


@attrs.frozen
class StaleOfferRule(RuleBase):
    id: str = "stale-offer"
    title: str = N_("Offers without dates ahead")
    default_severity: Severity = Severity.INFO

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        start, end = window(context, year_so_far=False)
        # the conflict rules' occurrences (from January on) hold these: filtered, not expanded
        # again, which halves the cost of the calendar rules
        wide_start, wide_end = window(context.with_values({k: v for k, v in context.items()
                                                       if k != "from"}))
        if wide_start <= start and wide_end >= end:
            low, high = as_utc(start, network.config.tz), as_utc(end, network.config.tz)
            ahead = {o.item.id for o in occurrences_in(network, context, wide_start, wide_end)
                     if o.end > low and o.start < high}
        else:
            ahead = {o.item.id for o in occurrences_in(network, context, start, end)}
        names = Names(network, context.language)
        _ = context.gettext
        days = (end - start).days
        for offer in network.offers.values():
            if not offer.schedule or offer.id in ahead:
                continue
            if offer.valid_to is not None and offer.valid_to < context.today:
                continue  # expired-offer says it
            yield Finding(
                self.id, self.default_severity, (offer.id,),
                context.ngettext("{offer} has no date in the next {days} day",
                             "{offer} has no date in the next {days} days",
                             days).format(offer=names.item(offer.id), days=days),
                _("{provider} should add the coming dates, or end the offer (valid_to).")
                .format(provider=names.actor(offer.provider)),
                {"from": start.isoformat(), "until": end.isoformat(),
                 "valid_to": offer.valid_to.isoformat() if offer.valid_to else None})


@attrs.frozen
class MissingContactRule(RuleBase):
    id: str = "missing-contact"
    title: str = N_("Public offers without contact")
    default_severity: Severity = Severity.WARNING

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        public = network.for_audience(Visibility.PUBLIC)
        names = Names(network, context.language)
        _ = context.gettext
        for offer in public.offers.values():
            provider = public.actors[offer.provider]
            if not offer.contact.is_empty() or not provider.contact.is_empty():
                continue
            yield Finding(
                self.id, self.default_severity, (offer.id,),
                _("{offer} is public, but neither it nor {provider} has contact data the public "
                  "may see").format(offer=names.item(offer.id), provider=provider.name),
                _("{provider} should add an e-mail address or a phone number that may be "
                  "published.").format(provider=provider.name),
                {"provider": provider.id})


@attrs.frozen
class MissingLocationRule(RuleBase):
    id: str = "missing-location"
    title: str = N_("Public offers without location")
    default_severity: Severity = Severity.WARNING

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        names = Names(network, context.language)
        _ = context.gettext
        for offer in network.offers.values():
            if offer.visibility is not Visibility.PUBLIC or offer.location or offer.geo \
                    or offer.extra.get("online") is True:
                continue
            yield Finding(
                self.id, self.default_severity, (offer.id,),
                _("{offer} is public, but says nowhere where it takes place").format(
                    offer=names.item(offer.id)),
                _("{provider} should add the address (location), or mark it online: true.")
                .format(provider=names.actor(offer.provider)),
                {"municipality": offer.municipality})
