"""``ki-network check`` in a real process: the JSON contract, exit codes, languages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ki_network.testing import TINY, write_network

TODAY = "2026-03-02"


def network(tmp_path: Path, rules: dict[str, Any] | None = None) -> Path:
    files = dict(TINY)
    files["network.yaml"] = {**TINY["network.yaml"], "rules": rules or {}}
    return write_network(tmp_path / "net", files)


def test_json_contract(tmp_path: Path, cli: Callable[..., Any]) -> None:
    done = cli("check", network(tmp_path), "--format", "json", "--today", TODAY)
    assert done.code == 0, done.stderr  # warnings only; the default --fail-on is error
    data = json.loads(done.stdout)
    # the findings, and (added for `report --since`) for whom and as of when
    assert list(data) == ["findings", "audience", "today"]
    assert data["audience"] == "internal" and data["today"] == TODAY
    assert {(f["rule"], tuple(f["subjects"]), f["severity"]) for f in data["findings"]} == {
        ("isolated-actor", ("verein",), "warning"),
        ("missing-contact", ("cafe-gm",), "warning"),
        ("suggested-introduction", ("ki", "verein"), "info"),
    }
    for finding in data["findings"]:
        assert list(finding) == ["rule", "severity", "subjects", "message", "suggestion",
                                 "evidence"]
        assert finding["message"] and finding["suggestion"]


def test_fail_on_follows_the_findings(tmp_path: Path, cli: Callable[..., Any]) -> None:
    directory = network(tmp_path)
    assert cli("check", directory, "--today", TODAY, "--fail-on", "error").code == 0
    assert cli("check", directory, "--today", TODAY, "--fail-on", "warning").code == 1
    assert cli("check", directory, "--today", TODAY, "--fail-on", "warning",
               "--rule", "suggested-introduction").code == 0
    assert cli("check", directory, "--today", TODAY, "--fail-on", "info",
               "--rule", "suggested-introduction").code == 1
    assert cli("check", directory, "--today", TODAY, "--fail-on", "never").code == 0


def test_severity_from_network_yaml_makes_it_fail(tmp_path: Path,
                                                  cli: Callable[..., Any]) -> None:
    directory = network(tmp_path, {"isolated-actor": {"severity": "error"}})
    done = cli("check", directory, "--today", TODAY, "--format", "json")
    assert done.code == 1
    severities = {f["rule"]: f["severity"] for f in json.loads(done.stdout)["findings"]}
    assert severities["isolated-actor"] == "error"


def test_languages(tmp_path: Path, cli: Callable[..., Any]) -> None:
    directory = network(tmp_path)
    english = cli("check", directory, "--today", TODAY, "--lang", "en")
    german = cli("check", directory, "--today", TODAY, "--lang", "de")
    default = cli("check", directory, "--today", TODAY)
    assert "Isolated actors (isolated-actor): 1" in english.stdout
    assert "Kulturverein (verein) has no ties to anyone in the network" in english.stdout
    assert "[warning]" in english.stdout
    assert "Akteure ohne Anbindung (isolated-actor): 1" in german.stdout
    assert "Kulturverein (verein) hat keine Verbindung zu jemandem im Netzwerk" in german.stdout
    assert "[Warnung]" in german.stdout
    assert "Tiny: 0 Fehler, 2 Warnungen, 1 Hinweise." in german.stdout
    assert default.stdout == german.stdout  # the tiny network says language: de


def test_bad_rule_settings_are_reported_with_their_position(tmp_path: Path,
                                                           cli: Callable[..., Any]) -> None:
    directory = network(tmp_path, {"isolated-actr": False})
    done = cli("check", directory)
    assert done.code == 1
    assert done.stderr.startswith(f"{directory / 'network.yaml'}:")
    assert "unknown rule 'isolated-actr'" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_exit_2(tmp_path: Path, cli: Callable[..., Any]) -> None:
    directory = network(tmp_path)
    assert cli("check", directory, "--lang", "fr").code == 2
    assert cli("check", directory, "--fail-on", "sometimes").code == 2
    assert cli("check", tmp_path / "missing").code == 2
    unknown = cli("check", directory, "--rule", "no-such-rule")
    assert unknown.code == 1
    assert "unknown rule 'no-such-rule'" in unknown.stderr


def test_invalid_data_exits_1_with_positions(tmp_path: Path, cli: Callable[..., Any]) -> None:
    directory = network(tmp_path)
    offers = yaml.safe_load((directory / "offers.yaml").read_text(encoding="utf-8"))
    offers[0]["provider"] = "nobody"
    (directory / "offers.yaml").write_text(yaml.safe_dump(offers), encoding="utf-8")
    done = cli("check", directory)
    assert done.code == 1
    assert f"{directory / 'offers.yaml'}:" in done.stderr
    assert "Traceback" not in done.stderr


def test_public_audience_hides_internal_subjects(tmp_path: Path,
                                                 cli: Callable[..., Any]) -> None:
    files = dict(TINY)
    files["actors.yaml"] = [*TINY["actors.yaml"],
                            {"id": "geheimrat", "name": "Geheimer Arbeitskreis",
                             "kind": "other", "visibility": "internal"}]
    directory = write_network(tmp_path / "net", files)
    internal = cli("check", directory, "--today", TODAY, "--format", "json")
    public = cli("check", directory, "--today", TODAY, "--format", "json",
                 "--audience", "public")
    assert "geheimrat" in internal.stdout
    assert "geheimrat" not in public.stdout and "Geheimer" not in public.stdout


def test_a_plugin_rule_that_raises(tmp_path: Path) -> None:
    """An installed plugin whose rule raises: reported with rule id and plugin, the other
    rules still run, and the exit code says so (a failed rule is an error)."""
    import os
    import subprocess
    import sys

    from ki_network.testing import entry_point_plugin

    entry_point_plugin(tmp_path / "site", "kaputt", """
        from ki_network.model import Severity
        from ki_network.plugin.manager import hookimpl

        class Kaputt:
            id = "kaputt.rule"
            default_severity = Severity.WARNING

            def check(self, network, settings):
                raise KeyError("offer-that-is-not-there")

        @hookimpl
        def ki_network_rules():
            return [Kaputt()]
        """)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run(
        [sys.executable, "-m", "ki_network", "check", str(network(tmp_path)), "--format",
         "json", "--today", TODAY], capture_output=True, text=True, env=env, timeout=120,
        check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    findings = json.loads(done.stdout)["findings"]
    [failed] = [f for f in findings if f["rule"] == "rule-failed"]
    assert failed["severity"] == "error"
    assert failed["evidence"]["rule"] == "kaputt.rule"
    assert failed["evidence"]["plugin"] == "kaputt"
    assert "KeyError: 'offer-that-is-not-there'" in failed["message"]
    assert {"isolated-actor", "missing-contact"} <= {f["rule"] for f in findings}
