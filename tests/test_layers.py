"""Data flows one way: no module imports a module of a higher layer.

The layers, lowest first, are the ones ``docs/architecture.md`` draws. A module belongs to the
layer of the longest prefix below that names it. Imports inside ``if TYPE_CHECKING:`` are
annotations, not data flow, and are not counted; every other import (at module level or
inside a function) is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ki_network

PACKAGE = Path(ki_network.__file__).parent

LAYERS: list[tuple[str, ...]] = [
    # values
    ("ki_network.errors", "ki_network.model", "ki_network.data", "ki_network.locale"),
    # reading records and turning them into the model
    ("ki_network.region", "ki_network.datadir.yamlio", "ki_network.datadir.config",
     "ki_network.datadir.records", "ki_network.datadir.build", "ki_network.datadir.serialize"),
    # the container and the plugin system
    ("ki_network.network", "ki_network.plugin"),
    # the data directory in and out
    ("ki_network.datadir",),
    # what every check and output reads: occurrences, duplicates, graph analyses
    ("ki_network.analysis", "ki_network.calendar.series", "ki_network.calendar.zones",
     "ki_network.calendar.recurrence", "ki_network.calendar.occurrences", "ki_network.duplicates"),
    # partner feeds in, joint calendars out
    ("ki_network.calendar",),
    # the checks
    ("ki_network.checks",),
    # outputs
    ("ki_network.report", "ki_network.web", "ki_network.interop",
     "ki_network.exports"),
    # the command line
    ("ki_network.cli", "ki_network.__main__"),
    # the default plugins: they may use anything, as a third party's plugin may
    ("ki_network.builtin",),
    # test helpers and the facade
    ("ki_network.testing", "ki_network"),
]


def layer_of(module: str) -> int:
    best, rank = "", -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, rank = prefix, index
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return rank


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return hidden


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every run-time import of ``ki_network`` in ``path``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_nodes(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("ki_network"):
                continue
            for alias in node.names:  # ``from . import spec`` imports the module ``spec``
                candidate = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py")
                found.append((node.lineno, candidate if is_module.exists() else target))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names
                         if alias.name.startswith("ki_network"))
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_against_the_layers(path: Path) -> None:
    module = module_name(path)
    own = layer_of(module)
    upward = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target} "
              f"(layer {layer_of(target)} > {own})"
              for line, target in imports_of(path) if layer_of(target) > own]
    assert not upward, "\n".join(upward)


def test_no_library_module_imports_a_builtin_plugin() -> None:
    """Built-in plugins are loaded by name (``DEFAULT_PLUGINS``), never imported."""
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}"
                 for path in SOURCES
                 if not module_name(path).startswith(("ki_network.builtin", "ki_network.cli"))
                 for line, target in imports_of(path)
                 if target.startswith("ki_network.builtin")]
    assert not offenders, "\n".join(offenders)


def test_the_layer_test_sees_an_upward_import(tmp_path: Path) -> None:
    """A model module importing the network would be caught."""
    assert layer_of("ki_network.network") > layer_of("ki_network.model")
    assert layer_of("ki_network.checks.engine") > layer_of("ki_network.calendar.ics_export")
    assert layer_of("ki_network.calendar.ics_import.merge") > layer_of("ki_network.datadir.save")
