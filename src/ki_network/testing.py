"""Helpers for tests, above all for plugin authors.

>>> from ki_network.testing import bare_plugin_manager, tiny_network
>>> pm = bare_plugin_manager()
>>> tiny_network(plugin_manager=pm).actors["ki"].name
'Kommunales Integrationszentrum'
"""

from __future__ import annotations

import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy
import yaml

from .datadir.load import load
from .network import Network
from .plugin.manager import ENTRY_POINT_GROUP, make_plugin_manager

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


def bare_plugin_manager(*plugins: object, builtins: bool = True,
                        **named: object) -> pluggy.PluginManager:
    """A plugin manager without installed plugins, with ``plugins`` registered.

    Use it to test your plugin in isolation from whatever else is installed.  Plugins passed
    by keyword are registered under that name, which is the name ``network.yaml`` uses in
    ``plugins:`` (``bare_plugin_manager(oberberg=ki_network_oberberg)``).
    """
    pm = make_plugin_manager(entrypoints=False, builtins=builtins)
    for plugin in plugins:
        pm.register(plugin)
    for name, plugin in named.items():
        pm.register(plugin, name=name)
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


def entry_point_plugin(directory: Path, name: str, source: str, version: str = "0.0.1") -> str:
    """Make module ``source`` an installed plugin ``name`` for code that has ``directory``
    on its path (``sys.path``, or ``PYTHONPATH`` of a subprocess); returns the module name.

    It writes the module and a minimal ``.dist-info`` with an entry point in the
    ``ki_network`` group, which is all that entry-point discovery reads, so tests of the
    command line see the plugin as if pip had installed it::

        module = entry_point_plugin(tmp_path, "shouty", "def ki_network_topics(): ...")
        monkeypatch.syspath_prepend(tmp_path)   # or env={"PYTHONPATH": str(tmp_path)}
    """
    module = "ki_network_test_" + name.replace("-", "_")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist_info = directory / f"{module}-{version}.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: {version}\n",
        encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{name} = {module}\n", encoding="utf-8")
    return module
