"""Issue #12: every output of the library is public unless asked otherwise.

Each public output function is called with its defaults on the example network, whose
privacy markers (examples/oberberg/README.md, "Privacy markers") are internal or for partners
only: none of them may reach the output.  Every exporter the hook hands out — the built-ins
and one a plugin registers — is held to the same promise, even when called directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

import ki_network
from ki_network import hookimpl
from ki_network.checks import duplicate_findings
from ki_network.duplicates import match_offer
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager

ki_network_oberberg = pytest.importorskip("ki_network_oberberg")

TODAY = date(2027, 1, 11)
#: what the public must never see: internal and partners-only records and contact data
MARKERS = ("geheim-intern@ki-oberberg.example", "INTERN: Fallkonferenz",
           "ki-intern-fallkonferenz-seiteneinstieg", "ak-fallkonferenz-seiteneinstieg",
           "servicestelle-antidiskriminierung")


@attrs.frozen
class _EverythingItSees:
    """A plugin's exporter that writes every id and e-mail address it is given."""

    name: str = "leaky"
    suffix: str = ".leaky"
    description: str = "writes whatever it sees"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        seen = [*network.actors, *network.offers, *network.events,
                *(a.contact.email or "" for a in network.actors.values()),
                *(o.title.get("de") for o in network.offers.values())]
        path.write_text("\n".join(seen), encoding="utf-8")


class _LeakyPlugin:
    @hookimpl
    def ki_network_exporters(self) -> list[_EverythingItSees]:
        return [_EverythingItSees()]


@pytest.fixture(scope="module")
def net(oberberg: Path) -> Network:
    pm = bare_plugin_manager(oberberg=ki_network_oberberg, leaky=_LeakyPlugin())
    return ki_network.load(oberberg, pm)


def _some_offer(net: Network) -> Any:
    return attrs.evolve(net.offers["vhs-deutschkurs-a1-gummersbach"], id="new-offer")


def _file(write: Callable[[Path], object], suffix: str) -> Callable[[Network, Path], str]:
    def run(net: Network, tmp: Path) -> str:
        path = tmp / f"out{suffix}"
        write(path)
        return path.read_text(encoding="utf-8")
    return run


#: every public output function of the library, called with its defaults
OUTPUTS: dict[str, Callable[[Network, Path], str]] = {
    "export_calendar": lambda n, t: ki_network.export_calendar(n).data.decode(),
    "render_report": lambda n, t: ki_network.render_report(n, today=TODAY),
    "write_graph graphml": lambda n, t: _file(
        lambda p: ki_network.write_graph(n, p), ".graphml")(n, t),
    "write_graph gexf": lambda n, t: _file(lambda p: ki_network.write_graph(n, p), ".gexf")(n, t),
    "find_duplicates": lambda n, t: json.dumps(ki_network.find_duplicates(n).as_json()),
    "DuplicateIndex.match": lambda n, t: repr(ki_network.DuplicateIndex(n).match(
        _some_offer(n))) + repr(list(ki_network.DuplicateIndex(n).offers)),
    "match_offer": lambda n, t: repr(match_offer(n, _some_offer(n))),
    "duplicate_findings": lambda n, t: repr(duplicate_findings(n)),
    "run_checks": lambda n, t: json.dumps(ki_network.run_checks(n, today=TODAY).as_json(),
                                          default=str),
    "find_conflicts": lambda n, t: repr(ki_network.find_conflicts(
        n, date(2026, 9, 1), date(2027, 9, 1))),
}


@pytest.mark.parametrize("name", OUTPUTS)
def test_no_internal_marker_in_a_default_output(net: Network, tmp_path: Path,
                                                name: str) -> None:
    text = OUTPUTS[name](net, tmp_path)
    assert text
    leaked = [m for m in MARKERS if m in text]
    assert not leaked, f"{name} leaks {leaked}"


def _exporter_names(oberberg: Path) -> list[str]:
    pm = bare_plugin_manager(oberberg=ki_network_oberberg, leaky=_LeakyPlugin())
    return sorted(e.name for e in ki_network.Hooks(pm).exporters())


@pytest.mark.parametrize("name", _exporter_names(Path("examples/oberberg")))
def test_no_internal_marker_from_any_exporter(net: Network, tmp_path: Path, name: str) -> None:
    assert {"json", "jsonl", "hsds", "leaky"} <= set(ki_network.exporters(net))
    through_export = tmp_path / "a.out"
    ki_network.export(net, through_export, to=name)
    called_directly = tmp_path / "b.out"
    ki_network.exporters(net)[name].export(net, called_directly, {})  # no audience given
    for path in (through_export, called_directly):  # a file, or a directory of tables
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        text = "".join(f.read_text(encoding="utf-8") for f in files if f.is_file())
        leaked = [m for m in MARKERS if m in text]
        assert not leaked, f"exporter {name} leaks {leaked}"


def test_internal_is_asked_for_explicitly(net: Network, tmp_path: Path) -> None:
    """The markers are there to find: the same outputs show them when asked."""
    ki_network.export(net, tmp_path / "all.leaky", audience="internal")
    assert all(m in (tmp_path / "all.leaky").read_text(encoding="utf-8")
               for m in ("geheim-intern@ki-oberberg.example",
                         "ki-intern-fallkonferenz-seiteneinstieg"))
    data = ki_network.export_calendar(net, audience="internal").data.decode()
    assert "INTERN: Fallkonferenz" in data


def test_a_restricted_network_is_not_restricted_again(net: Network) -> None:
    public = ki_network.restricted(net)
    assert public.audience is ki_network.Visibility.PUBLIC
    assert ki_network.restricted(public) is public
    assert public.for_audience("internal") is public  # never widens
    partners = net.for_audience("partners")
    assert "servicestelle-antidiskriminierung" in partners.actors
    assert partners.for_audience("public").audience is ki_network.Visibility.PUBLIC


def test_selected_items_that_the_audience_may_not_see_are_left_out(net: Network) -> None:
    everything = list(net.items())
    data = ki_network.export_calendar(net, everything).data.decode()
    assert not [m for m in MARKERS if m in data]


def test_items_the_caller_made_are_exported_when_the_audience_may_see_them(
        net: Network) -> None:
    public_offer = attrs.evolve(net.offers["vhs-deutschkurs-a1-gummersbach"], id="ad-hoc")
    internal_offer = attrs.evolve(public_offer, id="ad-hoc-intern",
                                  visibility=ki_network.Visibility.INTERNAL)
    data = ki_network.export_calendar(net, [public_offer, internal_offer]).data.decode()
    assert "ad-hoc@" in data.replace("\r\n ", "") and "ad-hoc-intern" not in data
