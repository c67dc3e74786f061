"""Coverage gaps: where nothing is offered on a topic, or not in the languages people speak.

``coverage-gap``
    a municipality with no offer in a topic family (the top level of the taxonomy:
    ``language``, ``counselling`` ...).  Checked are the families that the network offers
    somewhere (a topic nobody offers anywhere is a question for the district, not a gap of a
    municipality), or the families listed in the rule's ``topics:`` parameter.
``language-gap``
    a municipality where no offer is available in one of its main languages
    (:meth:`ki_network.Network.main_languages`: ``main_languages`` of ``network.yaml``, else the
    region plugin's defaults).  One finding per municipality lists the missing languages.

Subjects of both are the municipality's AGS code; evidence names the municipality, and the
suggestion names actors who could fill the gap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from ..locale import N_
from ..model import Actor, ActorKind, Finding, Severity
from ..plugin.contracts import RuleBase
from .engine import RuleContext
from .names import Names

if TYPE_CHECKING:
    from ..network import Network

_CANDIDATES = 3


def municipalities_of(network: Network) -> list[str]:
    """AGS codes to check: the region's municipalities, or (without a region) those in use."""
    if network.region.municipalities:
        return [m.ags for m in network.region.municipalities]
    used = {o.municipality for o in network.offers.values() if o.municipality}
    used.update(ags for a in network.actors.values() for ags in a.municipalities)
    return sorted(used)


def family_of(network: Network, topic: str) -> str:
    """The top-level topic of ``topic`` (``language.informal`` → ``language``)."""
    return network.topic_ancestors(topic)[-1]


def coverage(network: Network) -> dict[tuple[str, str], int]:
    """Number of offers per (municipality AGS, topic family).

    >>> from ki_network.testing import tiny_network
    >>> coverage(tiny_network())
    {('05374012', 'language'): 1}
    """
    counts: Counter[tuple[str, str]] = Counter()
    families: dict[str, str] = {}
    for offer in network.offers.values():
        if offer.municipality and offer.topic:
            family = families.get(offer.topic)
            if family is None:
                family = families[offer.topic] = family_of(network, offer.topic)
            counts[(offer.municipality, family)] += 1
    return dict(counts)


@attrs.frozen
class CoverageGapRule(RuleBase):
    """Municipality × topic family without any offer."""

    id: str = "coverage-gap"
    title: str = N_("Coverage gaps")
    default_severity: Severity = Severity.INFO

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        counts = context.shared_result(("coverage", id(network)), lambda: coverage(network))
        offered: Counter[str] = Counter()
        providers: dict[str, Counter[str]] = defaultdict(Counter)
        for (_ags, family), count in counts.items():
            offered[family] += count
        for offer in network.offers.values():
            if offer.topic:
                providers[family_of(network, offer.topic)][offer.provider] += 1
        configured = context.get("topics")
        if configured is not None and not (
                isinstance(configured, list) and all(isinstance(t, str) for t in configured)):
            raise TypeError(f"parameter 'topics' must be a list of topic ids, not {configured!r}")
        families = list(configured) if configured is not None else [
            t.id for t in network.topics.values() if t.parent is None and offered[t.id]]
        names = Names(network, context.language)
        _ = context.gettext
        for ags in municipalities_of(network):
            place = names.municipality(ags)
            for family in families:
                if counts.get((ags, family)):
                    continue
                candidates = [a for a, _n in providers[family].most_common(_CANDIDATES)]
                message = _("No offer on {topic} in {municipality}").format(
                    topic=names.topic(family), municipality=place)
                if candidates:
                    suggestion = _("{actors} offer {topic} elsewhere in the network: the KI could "
                                   "ask whether one of them can offer it in {municipality} "
                                   "too.").format(
                        actors=names.listing(names.actor(a) for a in candidates),
                        topic=names.topic(family), municipality=place)
                else:
                    suggestion = _("The KI could look for a provider of {topic} for "
                                   "{municipality}.").format(topic=names.topic(family),
                                                             municipality=place)
                yield Finding(self.id, self.default_severity, (ags,), message, suggestion,
                              {"municipality": ags, "municipality_name": place,
                               "topic": family, "offers_in_network": offered[family],
                               "candidates": candidates})


@attrs.frozen
class LanguageGapRule(RuleBase):
    """Main languages of a municipality that no offer there is available in."""

    id: str = "language-gap"
    title: str = N_("Missing languages")
    default_severity: Severity = Severity.INFO

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        spoken: dict[str, set[str]] = defaultdict(set)
        offers_in: Counter[str] = Counter()
        for offer in network.offers.values():
            if offer.municipality:
                spoken[offer.municipality].update(offer.languages)
                offers_in[offer.municipality] += 1
        names = Names(network, context.language)
        # who speaks what, once: migrant organisations first, they are the bridge
        by_language: dict[str, list[Actor]] = defaultdict(list)
        for actor in sorted(network.actors.values(),
                            key=lambda a: (a.kind is not ActorKind.MIGRANT_ORGANISATION, a.name)):
            for language in actor.languages:
                by_language[language].append(actor)
        for ags in municipalities_of(network):
            wanted = network.main_languages(ags)
            missing = [lang for lang in wanted if lang not in spoken[ags]]
            if missing:
                yield self._finding(ags, wanted, missing, offers_in[ags], by_language, names,
                                    context)

    def _finding(self, ags: str, wanted: tuple[str, ...], missing: list[str],  # noqa: PLR0917
                 count: int, by_language: Mapping[str, list[Actor]], names: Names,
                 context: RuleContext) -> Finding:
        _ = context.gettext
        place = names.municipality(ags)
        languages = names.listing(names.language_name(lang) for lang in missing)
        found = {a.id: a for lang in missing for a in by_language.get(lang, ())}
        speakers = sorted(found.values(), key=lambda a: (
            a.kind is not ActorKind.MIGRANT_ORGANISATION, ags not in a.municipalities,
            a.name))[:_CANDIDATES]
        message = _("There is no offer in {municipality} at all, so none in {languages}").format(
            municipality=place, languages=languages) if not count else context.ngettext(
            "None of the {count} offer in {municipality} is available in {languages}",
            "None of the {count} offers in {municipality} is available in {languages}",
            count).format(count=count, municipality=place, languages=languages)
        if speakers:
            suggestion = _("{speakers} speak these languages: the KI could bring them together "
                           "with providers in {municipality}, or arrange language "
                           "mediation.").format(
                speakers=names.listing(a.name for a in speakers), municipality=place)
        else:
            suggestion = _("Providers in {municipality} could add these languages, or arrange "
                           "language mediation.").format(municipality=place)
        return Finding(self.id, self.default_severity, (ags,), message, suggestion,
                       {"municipality": ags, "municipality_name": place,
                        "missing": missing, "main_languages": list(wanted), "offers": count,
                        "speakers": [a.id for a in speakers]})
