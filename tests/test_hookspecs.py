"""The hook specifications: each hook is documented, tested, and called.

The meta-tests at the top keep the promise of ``hookspecs.py``: every hook is in
``docs/plugins.md`` with its signature, has a ``test_hook_<name>`` below, and the test plugin
``tests/plugins/everything.py`` implements all of them.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import icalendar
import pytest

from ki_network import Hooks, Network, load
from ki_network.checks import RuleContext
from ki_network.plugin import spec as hookspecs
from ki_network.plugin._docgen import hook_names, is_firstresult, signature_of
from ki_network.plugin.contracts import DuplicateSignal, Exporter, Rule
from ki_network.testing import bare_plugin_manager, write_network

TESTS = Path(__file__).parent
DOCS = TESTS.parent / "docs" / "plugins.md"


def load_everything() -> ModuleType:
    """``tests/plugins/everything.py`` (tests are not a package under importlib mode)."""
    name = "ki_network_tests_everything"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TESTS / "plugins" / "everything.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


everything = load_everything()

FILES: dict[str, Any] = {
    "network.yaml": {"name": "Everywhere", "region": "everywhere",
                     "plugins": {"everything": {"greeting": "hallo"}}},
    "actors.yaml": [
        {"id": "ki", "name": "KI", "kind": "administration", "municipalities": ["Everytown"]},
        {"id": "club", "name": "Club", "kind": "migrant_organisation",
         "municipalities": ["09999001"]},
    ],
    "offers.yaml": [
        {"id": "treff", "title": "Allestreff", "provider": "club", "topic": "Allestreff",
         "target_groups": ["everyone"], "municipality": "Everytown", "location": "Markt 1",
         "schedule": [{"start": "2026-03-03T18:00", "end": "2026-03-03T20:00",
                       "rrule": "FREQ=WEEKLY;BYDAY=TU"}]},
        {"id": "treff-2", "title": "Allestreff II", "provider": "ki", "topic": "everything",
         "languages": ["de"], "municipality": "Everytown", "location": "markt 1"},
    ],
    "relations.yaml": [{"source": "ki", "target": "club", "kind": "cooperates"}],
}


@pytest.fixture
def plugin() -> Any:
    return everything.Everything()


@pytest.fixture
def net(tmp_path: Path, plugin: Any) -> Network:
    return load(write_network(tmp_path, FILES), bare_plugin_manager(everything=plugin))


# -- meta-tests ----------------------------------------------------------------------------


def test_hooks_are_found() -> None:
    names = hook_names()
    assert len(names) == 14
    assert all(name.startswith("ki_network_") for name in names)


def test_every_hook_has_a_docstring_with_its_parameters() -> None:
    for name in hook_names():
        function = getattr(hookspecs, name)
        doc = inspect.getdoc(function) or ""
        assert doc, f"{name} has no docstring"
        for parameter in inspect.signature(function).parameters:
            assert f"``{parameter}``" in doc or f":param {parameter}:" in doc, (
                f"{name}'s docstring does not explain {parameter!r}")


def test_every_hook_is_in_the_docs_with_its_signature() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in hook_names() if signature_of(name) not in text]
    assert missing == []


def test_every_hook_has_a_test_named_after_it() -> None:
    tests = set()
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    missing = [name for name in hook_names() if f"test_hook_{name}" not in tests]
    assert missing == []


def test_the_test_plugin_implements_every_hook() -> None:
    implemented = {name for name in dir(everything.Everything) if name.startswith("ki_network_")}
    assert implemented == set(hook_names())
    bare_plugin_manager(everything.Everything())  # check_pending: every implementation is valid


def test_every_hook_of_the_test_plugin_is_called(net: Network, plugin: Any) -> None:
    hooks = net.hooks
    net.closed_days(2026)
    hooks.rules()
    hooks.duplicate_signals()
    hooks.exporters()
    hooks.import_commands()
    hooks.calendar_event(icalendar.Event(), net.offers["treff"], net)
    assert set(plugin.calls) == set(hook_names())


def test_hooks_wrapper_has_a_method_per_hook() -> None:
    for name in hook_names():
        assert callable(getattr(Hooks, name.removeprefix("ki_network_"))), name


# -- one test per hook ---------------------------------------------------------------------


def test_hook_ki_network_configure(net: Network, plugin: Any) -> None:
    assert plugin.settings == {"greeting": "hallo"}
    assert plugin.calls[0] == "ki_network_configure"  # before anything is read


def test_hook_ki_network_region_municipalities(net: Network) -> None:
    assert [m.name for m in net.region.municipalities] == ["Everytown"]
    assert net.actors["club"].municipalities == ("09999001",)
    assert net.offers["treff"].municipality == "09999001"
    assert net.main_languages("09999001") == ("de", "eo")


def test_hook_ki_network_closed_days(net: Network) -> None:
    assert [d.name for d in net.closed_on(date(2027, 6, 1))] == ["Everyday"]
    assert net.closed_on(date(2027, 6, 2)) == []


def test_hook_ki_network_topics(net: Network) -> None:
    assert net.topics["everything.test"].parent == "everything"
    assert "language.informal" in net.topics  # the built-in taxonomy is still there
    assert net.offers["treff-2"].topic == "everything"


def test_hook_ki_network_target_groups(net: Network) -> None:
    assert "everyone" in net.target_groups
    assert net.offers["treff"].target_groups == ("everyone",)


def test_hook_ki_network_label_aliases(net: Network) -> None:
    assert net.offers["treff"].topic == "everything.test"  # written as "Allestreff"


def test_hook_ki_network_read_records(net: Network) -> None:
    assert "everything-actor" in net.actors
    assert str(net.origins["everything-actor"]).endswith("everything:1:1")


def test_hook_ki_network_normalize_record(net: Network) -> None:
    assert net.actors["everything-actor"].name == "Every actor"


def test_hook_ki_network_loaded(net: Network, plugin: Any) -> None:
    assert plugin.loaded_network is net
    assert plugin.calls[-1] == "ki_network_loaded"


def test_hook_ki_network_import_commands(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = {c.name: c for c in net.hooks.import_commands()}
    assert {"everything", "hsds"} <= set(commands)  # the built-in one stays
    from click.testing import CliRunner

    from ki_network.cli import imports, main

    imports._commands.cache_clear()
    monkeypatch.setattr(imports, "make_plugin_manager", lambda: net.hooks.pm)
    try:
        listed = CliRunner().invoke(main, ["import", "--help"])
        assert "everything" in listed.output and "hsds" in listed.output
        result = CliRunner().invoke(main, ["import", "everything", "hallo"])
        assert result.exit_code == 0, result.output
        assert result.output == "everything imported hallo\n"
    finally:
        imports._commands.cache_clear()


def test_hook_ki_network_rules(net: Network) -> None:
    rules = {rule.id: rule for rule in net.hooks.rules()}
    rule = rules["everything.no-language"]
    assert isinstance(rule, Rule)
    findings = list(rule.check(net, RuleContext(net.config.rule_settings(rule.id))))
    assert [f.subjects for f in findings] == [("treff",)]
    assert findings[0].severity == "warning"


def test_hook_ki_network_duplicate_signals(net: Network) -> None:
    signals = {s.name: s for s in net.hooks.duplicate_signals()}
    signal = signals["everything.same-location"]
    assert isinstance(signal, DuplicateSignal)
    score = signal.compare(net.offers["treff"], net.offers["treff-2"], net)
    assert score == (1.0, "location 'Markt 1' vs 'markt 1'")


def test_hook_ki_network_exporters(net: Network, tmp_path: Path) -> None:
    exporters = {e.name: e for e in net.hooks.exporters()}
    assert {"json", "jsonl", "everything-counts"} <= set(exporters)  # built-ins stay
    exporter = exporters["everything-counts"]
    assert isinstance(exporter, Exporter)
    out = tmp_path / "out.counts.json"
    exporter.export(net.for_audience("public"), out, {"audience": "public"})
    assert out.read_text(encoding="utf-8") == (
        '{"actors": 3, "offers": 2, "events": 0, "audience": "public"}')


def test_hook_ki_network_calendar_event(net: Network) -> None:
    component = icalendar.Event()
    component.add("summary", "Allestreff")
    net.hooks.calendar_event(component, net.offers["treff"], net)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test//")
    calendar.add("version", "2.0")
    calendar.add_component(component)
    parsed = icalendar.Calendar.from_ical(calendar.to_ical()).walk("VEVENT")[0]
    assert parsed["X-EVERYTHING-NETWORK"] == "Everywhere"
    assert [str(c) for c in parsed["CATEGORIES"].cats] == ["everything"]



def test_first_result_hooks_say_so() -> None:
    for name in hook_names():
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert is_firstresult(name) == ("first non-None result" in doc), name
