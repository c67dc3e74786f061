"""A test plugin that implements every hook of ki-network and records each call.

``tests/test_hookspecs.py`` checks that it really implements every hook; the tests register
an instance (``Everything()``) and look at what it recorded.  ``plugin`` is an instance for
entry points (``everything = "<module>:plugin"``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import click

from ki_network import (
    ClosedDay,
    Event,
    Finding,
    Municipality,
    Network,
    NetworkConfig,
    Offer,
    Severity,
    TargetGroup,
    Topic,
    hookimpl,
)
from ki_network.checks import RuleContext
from ki_network.datadir.records import RecordSet
from ki_network.datadir.yamlio import Record, atomic_write
from ki_network.errors import Origin

REGION = "everywhere"
EVERYTOWN = Municipality("09999001", "Everytown", 1000, ("de", "eo"))


@attrs.frozen
class NoLanguageRule:
    """Finds offers that name no language; every attribute of the protocol spelt out."""

    id: str = "everything.no-language"
    title: str = "Offers without a language"
    default_severity: Severity = Severity.WARNING
    background: bool = False

    def check(self, network: Network, context: RuleContext) -> Iterable[Finding]:
        for offer in network.offers.values():
            if not offer.languages:
                yield Finding(self.id, self.default_severity, (offer.id,),
                              f"offer {offer.title.get(context.language)} names no language",
                              f"ask {offer.provider} which languages are spoken")


@attrs.frozen
class SameLocation:
    """Two offers at the same place are similar in one respect."""

    name: str = "everything.same-location"
    weight: float = 0.5

    def compare(self, a: Offer, b: Offer, network: Network) -> tuple[float, str] | None:
        if not a.location or not b.location:
            return None
        same = a.location.casefold() == b.location.casefold()
        return (1.0 if same else 0.0), f"location {a.location!r} vs {b.location!r}"


@attrs.frozen
class CountsExporter:
    """Writes how many records of each kind the network has."""

    name: str = "everything-counts"
    suffix: str = ".counts.json"
    description: str = "record counts (test plugin)"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        counts = {"actors": len(network.actors), "offers": len(network.offers),
                  "events": len(network.events), "audience": options.get("audience")}
        with atomic_write(path) as handle:
            json.dump(counts, handle)


@click.command("everything")
@click.argument("text")
def import_everything(text: str) -> None:
    """Import everything (test plugin): echoes TEXT."""
    click.echo(f"everything imported {text}")


class Everything:
    """Implements every hook; ``calls`` lists the hooks in the order they were called."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.settings: dict[str, Any] | None = None
        self.loaded_network: Network | None = None

    @hookimpl
    def ki_network_configure(self, config: NetworkConfig) -> None:
        self.calls.append("ki_network_configure")
        self.settings = dict(config.plugin_settings("everything"))

    @hookimpl
    def ki_network_region_municipalities(self, region: str) -> list[Municipality] | None:
        self.calls.append("ki_network_region_municipalities")
        return [EVERYTOWN] if region == REGION else None

    @hookimpl
    def ki_network_closed_days(self, region: str, year: int) -> list[ClosedDay] | None:
        self.calls.append("ki_network_closed_days")
        if region != REGION:
            return None
        return [ClosedDay(date(year, 6, 1), date(year, 6, 1), "Everyday", "public_holiday")]

    @hookimpl
    def ki_network_topics(self) -> list[Topic]:
        self.calls.append("ki_network_topics")
        return [Topic("everything", {"de": "Alles", "en": "Everything"}),
                Topic("everything.test", {"de": "Test", "en": "Test"}, "everything")]

    @hookimpl
    def ki_network_target_groups(self) -> list[TargetGroup]:
        self.calls.append("ki_network_target_groups")
        return [TargetGroup("everyone", {"de": "Alle", "en": "Everyone"})]

    @hookimpl
    def ki_network_label_aliases(self, region: str | None) -> dict[str, str]:
        self.calls.append("ki_network_label_aliases")
        return {"Allestreff": "everything.test"}

    @hookimpl
    def ki_network_read_records(self, directory: Path, config: NetworkConfig,
                                records: RecordSet) -> None:
        self.calls.append("ki_network_read_records")
        origin = Origin(str(directory / "everything"), 1, 1)
        records.add("actors", Record({"id": "everything-actor", "name": "EVERY ACTOR",
                                      "kind": "other"}, origin=origin))

    @hookimpl
    def ki_network_normalize_record(self, kind: str, record: Record,
                                    config: NetworkConfig) -> None:
        self.calls.append("ki_network_normalize_record")
        if kind == "actors" and record.get("name") == "EVERY ACTOR":
            record["name"] = "Every actor"

    @hookimpl
    def ki_network_loaded(self, network: Network) -> None:
        self.calls.append("ki_network_loaded")
        self.loaded_network = network

    @hookimpl
    def ki_network_import_commands(self) -> list[click.Command]:
        self.calls.append("ki_network_import_commands")
        return [import_everything]

    @hookimpl
    def ki_network_rules(self) -> list[NoLanguageRule]:
        self.calls.append("ki_network_rules")
        return [NoLanguageRule()]

    @hookimpl
    def ki_network_duplicate_signals(self) -> list[SameLocation]:
        self.calls.append("ki_network_duplicate_signals")
        return [SameLocation()]

    @hookimpl
    def ki_network_exporters(self) -> list[CountsExporter]:
        self.calls.append("ki_network_exporters")
        return [CountsExporter()]

    @hookimpl
    def ki_network_calendar_event(self, component: Any, item: Offer | Event,
                                  network: Network) -> None:
        self.calls.append("ki_network_calendar_event")
        component.add("categories", ["everything"])
        component.add("x-everything-network", network.config.name)


plugin = Everything()
