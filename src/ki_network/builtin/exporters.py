"""Built-in exporters: the network's records as one JSON document or as JSON Lines.

Both are audience-aware like every output: the network handed to ``export`` is already
restricted by :meth:`~ki_network.Network.for_audience`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..datadir.records import KINDS
from ..datadir.save import json_default
from ..datadir.serialize import records_of
from ..datadir.yamlio import atomic_write
from ..plugin.manager import hookimpl

if TYPE_CHECKING:
    from ..network import Network
    from ..plugin.contracts import Exporter


@attrs.frozen
class JsonExporter:
    """``{"network": {...}, "actors": [...], "offers": [...], ...}`` in one file."""

    name: str = "json"
    suffix: str = ".json"
    description: str = "all records in one JSON document, grouped by kind"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        document: dict[str, Any] = {
            "network": {"name": network.config.name, "region": network.config.region,
                        "timezone": network.config.timezone,
                        "audience": network.audience.value}}
        for kind in KINDS:
            document[kind] = records_of(network, kind)
        with atomic_write(path) as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1, default=json_default)
            handle.write("\n")


@attrs.frozen
class JsonLinesExporter:
    """One record a line, each tagged with ``record`` (``actor``, ``offer`` ...)."""

    name: str = "jsonl"
    suffix: str = ".jsonl"
    description: str = "one record a line, each with a 'record' field naming its kind"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        with atomic_write(path) as handle:
            for kind in KINDS:
                for record in records_of(network, kind):
                    line = {"record": kind.removesuffix("s"), **record}
                    handle.write(json.dumps(line, ensure_ascii=False, default=json_default))
                    handle.write("\n")


@hookimpl(trylast=True)
def ki_network_exporters() -> list[Exporter]:
    return [JsonExporter(), JsonLinesExporter()]
