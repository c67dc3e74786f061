"""The plugin manager: discovery, failures, disabling, settings, and the typed wrapper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pluggy
import pytest
from click.testing import CliRunner

from ki_network import DataError, Hooks, PluginError, hookimpl, load, make_plugin_manager
from ki_network.cli import main
from ki_network.errors import Origin, Problem
from ki_network.plugin.manager import DEFAULT_PLUGINS, DISABLE_ENV, TRACE_ENV
from ki_network.testing import (
    TINY,
    bare_plugin_manager,
    entry_point_plugin,
    tiny_network,
    write_network,
)

RAISES_IN_TOPICS = """
    from ki_network import hookimpl

    def _explode():
        raise ValueError("the taxonomy file\\nis missing")

    @hookimpl
    def ki_network_topics():
        _explode()
"""

GOOD = """
    from ki_network import hookimpl

    @hookimpl
    def ki_network_label_aliases():
        return {"Kaffeeklatsch": "cohesion.encounter"}
"""


def cli(*args: str, path: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess, with ``path`` on its PYTHONPATH."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KI_NETWORK_")}
    environ.update(env)
    if path is not None:
        environ["PYTHONPATH"] = str(path)
    return subprocess.run([sys.executable, "-m", "ki_network", *args], env=environ,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` where tests "install" plugins with ``entry_point_plugin``."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    return folder


# -- a plugin that raises ------------------------------------------------------------------


def test_a_plugin_that_raises_is_one_line_with_its_name_and_the_hook(tmp_path: Path) -> None:
    entry_point_plugin(tmp_path / "site", "shouty", RAISES_IN_TOPICS)
    data = write_network(tmp_path / "net")
    result = cli("validate", str(data), path=tmp_path / "site")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: plugin 'shouty' failed in hook ki_network_topics: "
        "ValueError: the taxonomy file is missing"]
    assert "Traceback" not in result.stdout + result.stderr


def test_the_error_names_the_plugin_in_process() -> None:
    class Broken:
        @hookimpl
        def ki_network_closed_days(self, region: str, year: int) -> None:
            raise KeyError(year)

    pm = bare_plugin_manager(broken=Broken())
    with pytest.raises(PluginError) as caught:
        Hooks(pm).closed_days("oberberg", 2026)
    assert (caught.value.plugin, caught.value.hook) == ("broken", "ki_network_closed_days")
    assert isinstance(caught.value.error, KeyError)
    assert str(caught.value) == (
        "plugin 'broken' failed in hook ki_network_closed_days: KeyError: 2026")


def test_data_errors_from_a_plugin_keep_their_positions() -> None:
    problem = Problem(Origin("offers.yaml", 3, 5), "this offer has no room booked")

    class Strict:
        @hookimpl
        def ki_network_loaded(self) -> None:
            raise DataError([problem])

    with pytest.raises(DataError) as caught:
        tiny_network(bare_plugin_manager(Strict()))
    assert caught.value.problems == [problem]


# -- discovery and broken plugins ----------------------------------------------------------


def test_installed_plugins_are_found_with_their_version(site: Path) -> None:
    entry_point_plugin(site, "kaffee", GOOD, version="2.3.4")
    result = CliRunner().invoke(main, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    plugins = {p["name"]: p for p in json.loads(result.output)["plugins"]}
    assert plugins["kaffee"] == {"name": "kaffee", "version": "2.3.4", "builtin": False,
                                 "hooks": ["ki_network_label_aliases"]}
    assert set(DEFAULT_PLUGINS) <= set(plugins)
    assert all(plugins[name]["builtin"] for name in DEFAULT_PLUGINS)


def test_a_plugin_that_fails_to_import_does_not_take_the_others_down(site: Path) -> None:
    entry_point_plugin(site, "kaffee", GOOD)
    entry_point_plugin(site, "broken", "import ki_network_no_such_module\n")
    result = CliRunner().invoke(main, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert "kaffee" in {p["name"] for p in listed["plugins"]}
    assert listed["failed"] == [{
        "name": "broken",
        "error": "ModuleNotFoundError: No module named 'ki_network_no_such_module'"}]


def test_a_broken_plugin_is_reported_when_loading(site: Path, tmp_path: Path) -> None:
    entry_point_plugin(site, "broken", "raise RuntimeError('half installed')\n")
    offer = {**TINY["offers.yaml"][0], "topic": "Kaffeeklatsch"}
    entry_point_plugin(site, "kaffee", GOOD)
    data = write_network(tmp_path / "net", offers=[offer])
    result = CliRunner().invoke(main, ["validate", str(data), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "warning: plugin 'broken' not loaded: RuntimeError: half installed" in result.stderr
    assert "valid (3 actors, 1 offers" in result.stdout


def test_a_misspelt_hook_is_a_load_failure_of_that_plugin(site: Path) -> None:
    entry_point_plugin(site, "typo", """
        from ki_network import hookimpl

        @hookimpl
        def ki_network_lable_aliases():
            return {}
    """)
    entry_point_plugin(site, "kaffee", GOOD)
    hooks = Hooks(make_plugin_manager())
    assert [f.name for f in hooks.load_failures] == ["typo"]
    assert "ki_network_lable_aliases" in hooks.load_failures[0].error
    assert "kaffee" in {p.name for p in hooks.plugins()}
    assert "typo" not in {p.name for p in hooks.plugins()}


def test_validate_prints_a_region_plugins_load_failure_before_the_data_problems(
        site: Path, tmp_path: Path) -> None:
    entry_point_plugin(site, "musterkreis", """
        from ki_network import Municipality, hookimpl

        @hookimpl
        def ki_network_region_municipalites(region):  # misspelt: the plugin does not load
            if region == "musterkreis":
                return [Municipality("05999001", "Musterstadt")]
            return None
    """)
    data = write_network(tmp_path / "net", network={**TINY["network.yaml"],
                                                          "region": "musterkreis"})
    result = CliRunner().invoke(main, ["validate", str(data)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("warning: plugin 'musterkreis' not loaded: invalid plugin: ")
    assert "ki_network_region_municipalites" in lines[0]
    assert not any(line.startswith("warning:") for line in lines[1:])
    region_problem = next(line for line in lines if "unknown region" in line)
    assert "plugins that failed to load: musterkreis" in region_problem


def test_check_pending_catches_a_misspelt_hook_in_tests() -> None:
    class Typo:
        @hookimpl
        def ki_network_topic(self) -> list[Any]:
            return []

    with pytest.raises(pluggy.PluginValidationError, match="ki_network_topic"):
        bare_plugin_manager(Typo())


# -- switching plugins off -----------------------------------------------------------------


def test_the_environment_variable_disables_named_plugins(site: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    entry_point_plugin(site, "kaffee", GOOD)
    monkeypatch.setenv(DISABLE_ENV, "kaffee, ki_network.builtin.hsds")
    result = CliRunner().invoke(main, ["plugins", "--format", "json"])
    names = {p["name"] for p in json.loads(result.output)["plugins"]}
    assert "kaffee" not in names
    assert "ki_network.builtin.hsds" not in names
    assert "ki_network.builtin.datadir" in names
    exporters = {e.name for e in Hooks(make_plugin_manager()).exporters()}
    assert "hsds" not in exporters
    assert "json" in exporters


def test_the_environment_variable_disables_in_a_real_process(tmp_path: Path) -> None:
    entry_point_plugin(tmp_path / "site", "shouty", RAISES_IN_TOPICS)
    data = write_network(tmp_path / "net")
    result = cli("validate", str(data), path=tmp_path / "site", KI_NETWORK_DISABLE_PLUGINS="shouty")
    assert result.returncode == 0, result.stderr


def test_network_yaml_false_disables_a_plugin_for_that_network_only(tmp_path: Path) -> None:
    calls: list[str] = []

    class Counting:
        @hookimpl
        def ki_network_label_aliases(self) -> dict[str, str]:
            calls.append("aliases")
            return {}

    pm = bare_plugin_manager(counting=Counting())
    off = write_network(tmp_path / "off", network={**TINY["network.yaml"],
                                                   "plugins": {"counting": False}})
    net = load(off, pm)
    assert calls == []
    assert "counting" not in {p.name for p in net.hooks.plugins()}
    load(write_network(tmp_path / "on"), pm)  # the same manager, another network
    assert calls == ["aliases"]


def test_settings_reach_the_plugin(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    class Configurable:
        @hookimpl
        def ki_network_configure(self, config: Any) -> None:
            seen.append(dict(config.plugin_settings("configurable")))

    settings = {"festival": "2026-09-05", "labels": {"Kaffeeklatsch": "cohesion.encounter"}}
    data = write_network(tmp_path, network={**TINY["network.yaml"],
                                            "plugins": {"configurable": settings}})
    load(data, bare_plugin_manager(configurable=Configurable()))
    assert seen == [settings]


# -- call order and tracing ----------------------------------------------------------------


def test_first_result_wins_for_municipalities() -> None:
    from ki_network import Municipality

    class Early:
        @hookimpl(tryfirst=True)
        def ki_network_region_municipalities(self, region: str) -> list[Municipality] | None:
            return None  # not ours: the next plugin is asked

    class Late:
        @hookimpl
        def ki_network_region_municipalities(self, region: str) -> list[Municipality]:
            return [Municipality("09999001", "Everytown")]

    hooks = Hooks(bare_plugin_manager(Early(), Late()))
    assert [m.name for m in hooks.region_municipalities("x") or []] == ["Everytown"]


def test_a_plugin_topic_wins_over_the_built_in_one() -> None:
    from ki_network import Topic

    class Relabel:
        @hookimpl
        def ki_network_topics(self) -> list[Topic]:
            return [Topic("language.informal", {"de": "Sprachtreff", "en": "Language meetup"},
                          "language")]

    topics = {t.id: t for t in Hooks(bare_plugin_manager(Relabel())).topics()}
    assert topics["language.informal"].label.get("de") == "Sprachtreff"
    assert "language.integration_course" in topics


def test_tracing_writes_hook_calls_to_stderr(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(TRACE_ENV, "1")
    Hooks(make_plugin_manager(entrypoints=False)).topics()
    assert "ki_network_topics" in capsys.readouterr().err


def test_plugins_of_a_network_leave_out_what_it_switches_off(site: Path, tmp_path: Path) -> None:
    entry_point_plugin(site, "kaffee", GOOD)
    data = write_network(tmp_path / "net", network={**TINY["network.yaml"],
                                                    "plugins": {"kaffee": False}})
    result = CliRunner().invoke(main, ["plugins", str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert "kaffee" not in {p["name"] for p in listed["plugins"]}
    assert listed["disabled"] == ["kaffee"]
    text = CliRunner().invoke(main, ["plugins", str(data)])
    assert f"kaffee: disabled in {data}/network.yaml" in text.output


def test_plugins_of_a_network_with_a_broken_network_yaml(tmp_path: Path) -> None:
    (tmp_path / "network.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["plugins", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path}/network.yaml:")
    assert "Traceback" not in result.output


class _FailingExporter:
    name = "failing"
    suffix = ".fail"
    description = "always fails"

    def export(self, network: Any, path: Path, options: Any) -> None:
        raise OSError("disk full")


class _ExporterPlugin:
    @hookimpl
    def ki_network_exporters(self) -> list[_FailingExporter]:
        return [_FailingExporter()]


def test_an_error_in_a_contributed_object_names_its_plugin(tmp_path: Path) -> None:
    net = tiny_network(bare_plugin_manager(failing=_ExporterPlugin()))
    exporters = {e.name: e for e in net.hooks.exporters()}
    assert net.hooks.contributor(exporters["failing"]) == "failing"
    assert net.hooks.contributor(exporters["json"]) == "ki_network.builtin.exporters"
    with pytest.raises(PluginError) as caught, net.hooks.guard(exporters["failing"],
                                                              "ki_network_exporters"):
        exporters["failing"].export(net, tmp_path / "x.fail", {})
    assert str(caught.value) == (
        "plugin 'failing' failed in hook ki_network_exporters: OSError: disk full")


def test_the_same_module_under_two_entry_points_is_loaded_once(site: Path) -> None:
    module = entry_point_plugin(site, "kaffee", GOOD)
    twin = site / "twin-0.1.dist-info"
    twin.mkdir()
    (twin / "METADATA").write_text("Metadata-Version: 2.1\nName: twin\nVersion: 0.1\n",
                                   encoding="utf-8")
    (twin / "entry_points.txt").write_text(f"[ki_network]\ntwin = {module}\n", encoding="utf-8")
    hooks = Hooks(make_plugin_manager())
    loaded = {p.name for p in hooks.plugins()} & {"kaffee", "twin"}
    failed = {f.name for f in hooks.load_failures}
    assert len(loaded) == 1
    assert failed == {"kaffee", "twin"} - loaded
    assert hooks.label_aliases(None) == {"Kaffeeklatsch": "cohesion.encounter"}
