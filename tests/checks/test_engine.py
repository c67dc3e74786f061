"""The rule engine: settings from network.yaml, failures kept apart, translated texts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from ki_network import load
from ki_network.checks import (
    BUILTIN_RULES,
    RULE_FAILED,
    RuleContext,
    run_rules,
    validate_rule_settings,
)
from ki_network.model import Finding, Severity
from ki_network.plugin.contracts import Rule
from ki_network.plugin.manager import hookimpl
from ki_network.testing import TINY, bare_plugin_manager, write_network

TODAY = date(2026, 3, 2)


@attrs.frozen
class Exploding:
    id: str = "test.exploding"
    default_severity: Severity = Severity.WARNING

    def check(self, network: Any, settings: Mapping[str, Any]) -> Iterator[Finding]:
        yield Finding(self.id, Severity.INFO, ("ki",), "before the crash")
        raise ZeroDivisionError("the rule divided by zero")


@attrs.frozen
class NotAFinding:
    id: str = "test.not-a-finding"
    default_severity: Severity = Severity.INFO

    def check(self, network: Any, settings: Mapping[str, Any]) -> list[object]:
        return ["a string is not a finding"]


@attrs.frozen
class Echo:
    """Reports its settings, to see what the engine hands over."""

    id: str = "test.echo"
    default_severity: Severity = Severity.INFO

    def check(self, network: Any, settings: Mapping[str, Any]) -> Iterator[Finding]:
        yield Finding(self.id, self.default_severity, ("ki",), "echo", "",
                      {"settings": dict(settings), "is_context": isinstance(settings, RuleContext)})


# Exploding, NotAFinding and Echo are written as rules were before the protocol named
# ``title`` and ``background`` and typed the context: they must keep working.


class RulesPlugin:
    @hookimpl
    def ki_network_rules(self) -> list[object]:
        return [Exploding(), NotAFinding(), Echo()]


def load_with(tmp_path: Path, rules: Mapping[str, Any] | None = None, **overrides: Any) -> Any:
    files = dict(TINY)
    files["network.yaml"] = {**TINY["network.yaml"], "rules": dict(rules or {})}
    directory = write_network(tmp_path / "net", files, **overrides)
    return load(directory, bare_plugin_manager(RulesPlugin()))


def test_builtin_rules_follow_the_protocol() -> None:
    ids = [rule.id for rule in BUILTIN_RULES]
    assert all(isinstance(rule, Rule) for rule in BUILTIN_RULES)
    assert len(ids) == len(set(ids))
    assert {"duplicate-offer", "overlapping-offers", "schedule-conflict", "holiday-collision",
            "coverage-gap", "language-gap", "isolated-actor", "suggested-introduction",
            "expired-offer", "stale-offer", "missing-contact", "missing-location"} <= set(ids)


def test_a_rule_that_raises_is_reported_and_the_others_run(tmp_path: Path) -> None:
    net = load_with(tmp_path)
    result = run_rules(net, language="en", today=TODAY)
    failed = {f.evidence["rule"]: f for f in result.findings if f.rule == RULE_FAILED}
    assert set(failed) == {"test.exploding", "test.not-a-finding"}
    crash = failed["test.exploding"]
    assert crash.severity is Severity.ERROR
    assert "test.exploding" in crash.message and "ZeroDivisionError" in crash.message
    assert "the rule divided by zero" in crash.evidence["error"]
    assert "not str" in failed["test.not-a-finding"].evidence["error"]
    # half-finished output of the failed rule is not mixed into the findings
    assert not [f for f in result.findings if f.rule == "test.exploding"]
    assert {f.rule for f in result.findings} >= {"test.echo", "isolated-actor"}
    assert [x.rule for x in result.failed] == ["test.exploding", "test.not-a-finding"]


def test_rules_written_before_title_and_background_still_run(tmp_path: Path) -> None:
    net = load_with(tmp_path)
    rules = {rule.id: rule for rule in net.hooks.rules()}
    echo = rules["test.echo"]
    assert isinstance(echo, Rule)
    assert (echo.title, echo.background) == ("", False)
    assert net.hooks.contributor(echo) == net.hooks.contributor(Echo())
    assert net.hooks.contributor(echo) is not None
    result = run_rules(net, today=TODAY, only=["test.echo"])
    assert result.titles["test.echo"] == "test.echo"  # no title: the id
    assert [f.rule for f in result.findings] == ["test.echo"]


def test_rule_settings_reach_the_rule_as_a_context(tmp_path: Path) -> None:
    net = load_with(tmp_path, {"test.echo": {"limit": 3}})
    [echo] = run_rules(net, today=TODAY, only=["test.echo"]).findings
    assert echo.evidence == {"settings": {"limit": 3}, "is_context": True}


def test_disabled_rules_do_not_run(tmp_path: Path) -> None:
    net = load_with(tmp_path, {"test.exploding": False, "isolated-actor": {"enabled": False}})
    result = run_rules(net, today=TODAY)
    assert "test.exploding" not in result.rules
    assert "isolated-actor" not in result.rules
    assert not [f for f in result.findings if f.rule in {"isolated-actor", RULE_FAILED}
                and f.evidence.get("rule") != "test.not-a-finding"]


def test_configured_severity_replaces_the_rules(tmp_path: Path) -> None:
    net = load_with(tmp_path, {"isolated-actor": {"severity": "error"}})
    result = run_rules(net, today=TODAY, only=["isolated-actor"])
    assert [(f.rule, f.severity) for f in result.findings] == [("isolated-actor",
                                                                 Severity.ERROR)]
    assert result.reaches(Severity.ERROR)


def test_only_runs_the_rules_asked_for(tmp_path: Path) -> None:
    result = run_rules(load_with(tmp_path), today=TODAY, only=["missing-contact"])
    assert result.rules == ["missing-contact"]
    assert {f.rule for f in result.findings} == {"missing-contact"}


def test_findings_are_sorted_most_severe_first(tmp_path: Path) -> None:
    result = run_rules(load_with(tmp_path), today=TODAY)
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert result.worst() is Severity.ERROR


def test_rule_settings_are_validated_with_their_position(tmp_path: Path) -> None:
    net = load_with(tmp_path, {"isolated-actr": False, "coverage-gap": {"severity": "fatal"},
                               "stale-offer": {"enabled": "yes"}, "language-gap": 3})
    problems = validate_rule_settings(net, net.hooks.rules())
    assert len(problems) == 4
    assert all(p.startswith(str(tmp_path / "net" / "network.yaml") + ":") for p in problems)
    text = "\n".join(problems)
    assert "unknown rule 'isolated-actr'" in text and "isolated-actor" in text
    assert "severity must be info, warning or error, not 'fatal'" in text
    assert "enabled must be true or false" in text
    assert "settings of rule 'language-gap' must be a mapping or false" in text


def test_a_wrong_parameter_type_is_a_failed_rule(tmp_path: Path) -> None:
    net = load_with(tmp_path, {"suggested-introduction": {"limit": "many"}})
    result = run_rules(net, today=TODAY, only=["suggested-introduction"])
    [failure] = result.findings
    assert failure.rule == RULE_FAILED
    assert "parameter 'limit' must be int" in failure.message


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Kulturverein (verein) has no ties to anyone in the network"),
    ("de", "Kulturverein (verein) hat keine Verbindung zu jemandem im Netzwerk"),
])
def test_messages_are_in_the_language_of_the_run(tmp_path: Path, language: str,
                                                 expected: str) -> None:
    result = run_rules(load_with(tmp_path), language=language, today=TODAY,
                       only=["isolated-actor"])
    assert [f.message for f in result.findings] == [expected]
    assert result.titles["isolated-actor"] == (
        "Isolated actors" if language == "en" else "Akteure ohne Anbindung")


def test_the_network_language_is_the_default_and_unknown_ones_raise(tmp_path: Path
                                                                         ) -> None:
    net = load_with(tmp_path)
    assert run_rules(net, today=TODAY).language == "de"  # the tiny network is German
    with pytest.raises(ValueError, match="no language 'tr'"):
        run_rules(net, language="tr", today=TODAY)  # asked for explicitly: an error


def test_json_contract(tmp_path: Path) -> None:
    data = run_rules(load_with(tmp_path), today=TODAY).as_json()
    assert list(data) == ["findings"]
    for finding in data["findings"]:
        assert list(finding) == ["rule", "severity", "subjects", "message", "suggestion",
                                 "evidence"]
        assert finding["severity"] in {"info", "warning", "error"}
        assert isinstance(finding["subjects"], list)
        assert isinstance(finding["evidence"], dict)
