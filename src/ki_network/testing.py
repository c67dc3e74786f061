"""Helpers for tests, above all for plugin authors.

>>> from ki_network.testing import bare_plugin_manager, tiny_network
>>> pm = bare_plugin_manager()
>>> tiny_network(plugin_manager=pm).actors["ki"].name
'Kommunales Integrationszentrum'
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy
import yaml

from .loader import load
from .network import Network
from .plugins import make_plugin_manager

TINY = {
    "network.yaml": {"name": "Tiny", "timezone": "Europe/Berlin", "language": "de"},
    "actors.yaml": [
        {"id": "ki", "name": "Kommunales Integrationszentrum", "kind": "administration",
         "municipalities": ["05374012"], "contact": {"email": "ki@ki.example"}},
        {"id": "caritas", "name": "Caritas", "kind": "provider", "municipalities": ["05374012"]},
        {"id": "verein", "name": "Kulturverein", "kind": "migrant_organisation",
         "municipalities": ["05374012"]},
    ],
    "offers.yaml": [
        {"id": "cafe-gm", "title": {"de": "Sprachcafé", "en": "Language café"},
         "provider": "caritas", "topic": "language.informal", "target_groups": ["newcomers"],
         "languages": ["de", "ar"], "municipality": "05374012", "location": "Talweg 1",
         "schedule": [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                       "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-07-14"}]},
    ],
    "events.yaml": [
        {"id": "fest", "title": "Interkulturelles Fest", "organisers": ["ki", "verein"],
         "topic": "cohesion.encounter", "municipality": "05374012",
         "start": "2026-09-19T14:00", "end": "2026-09-19T18:00"},
    ],
    "relations.yaml": [{"source": "ki", "target": "caritas", "kind": "cooperates"}],
}


def bare_plugin_manager(*plugins: object, builtins: bool = True) -> pluggy.PluginManager:
    """A plugin manager without installed plugins, with ``plugins`` registered.

    Use it to test your plugin in isolation from whatever else is installed.
    """
    pm = make_plugin_manager(entrypoints=False, builtins=builtins)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()  # a misspelt hook name fails here, not silently later
    return pm


def write_network(directory: Path, files: Mapping[str, Any] | None = None,
                  **overrides: Sequence[Any] | Mapping[str, Any]) -> Path:
    """Write a data directory (default: the tiny network) to ``directory``.

    ``overrides`` replace whole files by name without suffix, e.g. ``offers=[...]``.
    """
    content = dict(TINY if files is None else files)
    for name, value in overrides.items():
        content[f"{name}.yaml"] = value
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in content.items():
        (directory / name).write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    return directory


def tiny_network(plugin_manager: pluggy.PluginManager | None = None,
                 **overrides: Sequence[Any] | Mapping[str, Any]) -> Network:
    """Load a tiny network (3 actors, 1 offer, 1 event, 1 relation) from a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_network(Path(tmp), None, **overrides)
        return load(directory, plugin_manager or bare_plugin_manager())
