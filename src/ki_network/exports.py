"""Export a network through the exporters that plugins (and the built-ins) contribute.

>>> import tempfile, pathlib, json
>>> from ki_network.testing import tiny_network
>>> target = pathlib.Path(tempfile.mkdtemp()) / "net.json"
>>> export(tiny_network(), target).name
'json'
>>> json.loads(target.read_text())["network"]["audience"]
'public'
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UnknownValueError
from .model import Visibility
from .network import audience_of

if TYPE_CHECKING:
    from .network import Network
    from .plugin.contracts import Exporter

__all__ = ["export", "exporters"]


def exporters(network: Network) -> dict[str, Exporter]:
    """The network's exporters by name (``json``, ``jsonl``, ``hsds`` and the plugins'), each
    writing for one audience only (:class:`~ki_network.plugin.contracts.AudienceExporter`)."""
    return {e.name: e for e in network.hooks.exporters()}


def export(network: Network, path: str | PathLike[str], *, to: str | None = None,
           audience: Visibility | str = Visibility.PUBLIC,
           options: Mapping[str, Any] | None = None) -> Exporter:
    """Write ``network`` to ``path`` with exporter ``to`` (default: the one for the suffix).

    :param audience: who will read the file (default ``public``): the exporter sees only
        what they may see; ``"internal"`` exports everything.
    :param options: passed to the exporter (``audience`` is set from ``audience``).
    :return: the exporter used.

    An unknown exporter name or suffix raises :class:`~ki_network.errors.UnknownValueError`;
    an exception inside a plugin's exporter becomes a :class:`~ki_network.PluginError`
    naming the plugin.
    """
    target = Path(path)
    found = exporters(network)
    if to is None:
        by_suffix = [e for e in found.values() if e.suffix == target.suffix]
        if not by_suffix:
            raise UnknownValueError("path", target.suffix or target.name,
                                    sorted({e.suffix for e in found.values()}),
                                    what="export suffix")
        exporter = by_suffix[0]
    elif to in found:
        exporter = found[to]
    else:
        raise UnknownValueError("to", to, found, what="exporter")
    chosen = audience_of(audience)
    with network.hooks.guard(exporter, "ki_network_exporters"):
        exporter.export(network, target, {**(options or {}), "audience": chosen.value})
    return exporter
