"""The core commands: validate, info, graph, plugins; exit codes and help."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.testing import TINY, write_network

from .conftest import CliResult


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


@pytest.fixture
def network(tmp_path: Path) -> Path:
    """The tiny network plus an internal actor, a partners-only relation, an isolated actor."""
    actors = [*TINY["actors.yaml"],
              {"id": "intern", "name": "Interner Kreis", "kind": "other",
               "visibility": "internal"},
              {"id": "schule", "name": "Grundschule", "kind": "school"}]
    relations = [*TINY["relations.yaml"],
                 {"source": "ki", "target": "verein", "kind": "funds", "programme": "KOMM-AN"},
                 {"source": "ki", "target": "intern", "kind": "coordinates"},
                 {"source": "caritas", "target": "verein", "kind": "cooperates",
                  "visibility": "partners"}]
    return write_network(tmp_path / "net", actors=actors, relations=relations)


def test_info_json_counts(network: Path) -> None:
    result = invoke("info", network, "--format", "json", "--audience", "internal")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["counts"] == {"actors": 5, "offers": 1, "events": 1, "relations": 4,
                              "municipalities": 0, "decisions": 0}
    assert info["actors_by_kind"] == {"administration": 1, "migrant_organisation": 1,
                                      "other": 1, "provider": 1, "school": 1}
    assert info["offers_by_topic"] == {"language": 1}
    assert info["isolated_actors"] == ["schule"]
    assert info["components"] == 2
    assert info["name"] == "Tiny" and info["region"] is None


def test_info_text(network: Path) -> None:
    result = invoke("info", network, "--lang", "en", "--audience", "internal")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Tiny (region: -)"
    assert "  actors                5" in lines
    assert lines[-1] == "isolated actors: schule"


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_graph_files_read_back_with_networkx(network: Path, tmp_path: Path,
                                             suffix: str) -> None:
    out = tmp_path / f"net{suffix}"
    result = invoke("graph", network, "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out} (4 actors, 2 relations, audience public)"
    graph: Any = nx.read_graphml(out) if suffix == ".graphml" else nx.read_gexf(out)
    # public by default: no internal actor, no partners-only relation
    assert set(graph.nodes) == {"ki", "caritas", "verein", "schule"}
    edges = {(u, v) for u, v in graph.edges()}
    assert edges == {("ki", "caritas"), ("ki", "verein")}
    assert graph.nodes["verein"]["kind"] == "migrant_organisation"
    assert graph.nodes["ki"]["municipalities"] == "05374012"
    if suffix == ".graphml":
        assert graph.nodes["ki"]["name"] == "Kommunales Integrationszentrum"
        data = next(d for u, v, d in graph.edges(data=True) if v == "verein")
        assert data["kind"] == "funds" and data["programme"] == "KOMM-AN"
    else:
        assert graph.nodes["ki"]["label"] == "Kommunales Integrationszentrum"


def test_graph_for_internal_audience(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.graphml"
    assert invoke("graph", network, "-o", out, "--audience", "internal").exit_code == 0
    graph = nx.read_graphml(out)
    assert "intern" in graph.nodes
    assert graph.number_of_edges() == 4


def test_graph_usage_errors(network: Path, tmp_path: Path) -> None:
    result = invoke("graph", network, "-o", tmp_path / "net.png")
    assert result.exit_code == 2
    assert "the output must end in .graphml or .gexf" in result.output
    assert not (tmp_path / "net.png").exists()
    assert invoke("graph", network).exit_code == 2  # -o is required
    assert invoke("graph", network, "-o", tmp_path / "x.gexf", "--audience", "all"
                  ).exit_code == 2


def test_usage_errors_exit_2(network: Path, tmp_path: Path) -> None:
    assert invoke("info", network, "--format", "xml").exit_code == 2
    assert invoke("info", tmp_path / "missing").exit_code == 2
    assert invoke("nonsense").exit_code == 2
    assert invoke("validate").exit_code == 2


def test_invalid_data_is_exit_1_for_every_command(network: Path, tmp_path: Path) -> None:
    (network / "relations.yaml").write_text("- {source: ki, target: nobody, kind: funds}\n",
                                            encoding="utf-8")
    for args in (["validate"], ["info"], ["info", "--format", "json"],
                 ["graph", "-o", str(tmp_path / "g.gexf")]):
        result = invoke(args[0], network, *args[1:])
        assert result.exit_code == 1, args
        assert result.stderr.splitlines() == [
            f"{network / 'relations.yaml'}:1:16: unknown actor 'nobody'", "1 problem found"]
        assert result.stdout == ""
    assert not (tmp_path / "g.gexf").exists()


def test_help_explains_each_command() -> None:
    top = invoke("--help")
    assert top.exit_code == 0
    for name in ("validate", "info", "graph", "plugins"):
        assert name in top.stdout
    assert "Exit codes: 0 fine, 1 invalid data or findings, 2 usage error" in " ".join(
        top.stdout.split())
    assert "file:line:column" in invoke("validate", "--help").stdout
    assert "GraphML or GEXF" in invoke("graph", "--help").stdout
    assert "--format [text|json]" in invoke("info", "--help").stdout


def test_plugins_json_lists_builtins() -> None:
    result = invoke("plugins", "--format", "json")
    assert result.exit_code == 0
    plugins = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert "ki_network_read_records" in plugins["ki_network.builtin.datadir"]["hooks"]
    assert plugins["ki_network.builtin.datadir"]["builtin"] is True


def test_real_command_line(network: Path, cli: Callable[..., CliResult]) -> None:
    """The installed entry point, in its own process, with JSON on stdout only."""
    result = cli("info", network, "--format", "json", "--audience", "internal")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["actors"] == 5
    assert "Traceback" not in result.stderr
    version = cli("--version")
    assert version.code == 0 and "version" in version.stdout


# -- the example network -----------------------------------------------------------------


def test_example_is_valid(oberberg: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("validate", oberberg, "--lang", "en")
    assert result.code == 0, result.stderr
    assert "valid" in result.stdout


def test_example_counts(oberberg: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("info", oberberg, "--format", "json")
    assert result.code == 0, result.stderr
    info = json.loads(result.stdout)
    counts = info["counts"]
    assert counts["actors"] >= 60
    assert counts["offers"] >= 150
    assert counts["events"] >= 40
    assert counts["relations"] >= 120
    assert counts["municipalities"] == 13
    assert info["region"] == "oberberg"
    assert info["actors_by_kind"].get("migrant_organisation", 0) >= 10
    # the planted problem: a migrant organisation without ties
    assert info["isolated_actors"]
    # the integration centre is the hub that connects the others
    assert info["brokers"][0]["id"] == "ki-oberberg"
    assert info["brokers"][0]["betweenness"] > info["brokers"][1]["betweenness"]
