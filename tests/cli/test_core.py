"""cli/core.py: what tests/test_cli_core.py leaves out — the text of ``validate`` and
``plugins`` (built-ins, disabled and broken plugins), and ``info`` of a network without
relations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.plugin.manager import DEFAULT_PLUGINS, DISABLE_ENV
from ki_network.testing import TINY, entry_point_plugin, write_network


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    return folder


def test_validate_says_what_it_counted(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    result = invoke("validate", directory, "--lang", "en")
    assert result.exit_code == 0
    assert result.stdout == (f"{directory}: valid (3 actors, 1 offers, 1 events, "
                             "1 relations)\n")


def test_plugins_text_lists_each_plugin_with_its_hooks() -> None:
    result = invoke("plugins")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for name in DEFAULT_PLUGINS:
        assert f"{name} (built-in)" in lines
    start = lines.index("ki_network.builtin.datadir (built-in)")
    assert lines[start + 1] == "    ki_network_read_records"


def test_plugins_of_a_directory_shows_what_it_switches_off(tmp_path: Path) -> None:
    files = {**TINY, "network.yaml": {**TINY["network.yaml"],
                                      "plugins": {"ki_network.builtin.hsds": False}}}
    directory = write_network(tmp_path / "net", files)
    text = invoke("plugins", directory).stdout
    assert "ki_network.builtin.hsds (built-in)" not in text
    assert f"ki_network.builtin.hsds: disabled in {directory}/network.yaml" in text
    document = json.loads(invoke("plugins", directory, "--format", "json").stdout)
    assert document["disabled"] == ["ki_network.builtin.hsds"]
    assert "ki_network.builtin.hsds" not in {p["name"] for p in document["plugins"]}


def test_plugins_of_a_directory_with_a_broken_network_yaml(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    (directory / "network.yaml").write_text("plugins: [hsds]\n", encoding="utf-8")
    result = invoke("plugins", directory)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{directory / 'network.yaml'}:1:1: 'plugins' must be a mapping", "1 problem found"]


def test_plugins_names_an_installed_plugin_that_cannot_load(site: Path) -> None:
    entry_point_plugin(site, "core-broken", "raise ImportError('no numpy here')\n")
    text = invoke("plugins").stdout
    assert any(line.startswith("core-broken: NOT LOADED: ") and "no numpy here" in line
               for line in text.splitlines())
    failed = json.loads(invoke("plugins", "--format", "json").stdout)["failed"]
    assert [f["name"] for f in failed] == ["core-broken"]


def test_plugins_shows_an_installed_plugin_with_its_version(site: Path) -> None:
    entry_point_plugin(site, "core-topics", """
        from ki_network import hookimpl

        @hookimpl
        def ki_network_topics():
            return []
    """, version="2.3.4")
    lines = invoke("plugins").stdout.splitlines()
    start = lines.index("core-topics (2.3.4)")
    assert lines[start + 1] == "    ki_network_topics"
    assert start < lines.index("ki_network.builtin.datadir (built-in)")  # installed first


def test_info_of_a_network_without_relations(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net", relations=[])
    result = invoke("info", directory, "--lang", "en")
    assert result.exit_code == 0
    assert "Tiny (region: -)" in result.stdout
    assert result.stdout.rstrip().endswith("isolated actors: caritas, ki, verein")
