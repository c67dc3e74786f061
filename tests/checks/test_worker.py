"""The forked worker: same findings as in-process, and failures fall back to this process."""

from __future__ import annotations

import os
from datetime import date

import pytest

from ki_network.checks import run_rules, worker
from ki_network.network import Network
from ki_network.testing import tiny_network

pytestmark = pytest.mark.skipif(not worker.available(), reason="fork is not available here")


def test_a_forked_result_is_the_in_process_result() -> None:
    pending = worker.Pending(lambda: {"pid": os.getpid(), "squares": [n * n for n in range(5)]})
    assert pending.forked
    result = pending.result()
    assert result["squares"] == [0, 1, 4, 9, 16]
    assert result["pid"] != os.getpid()  # it really ran in the child
    assert pending.result() is result


def test_a_failing_child_is_computed_again_here_and_raises_here() -> None:
    calls = []

    def compute() -> int:
        calls.append(os.getpid())
        raise ValueError("no pairs today")

    pending = worker.Pending(compute)
    with pytest.raises(ValueError, match="no pairs today"):
        pending.result()
    assert calls == [os.getpid()]  # the child's call happened in the child


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worker.WORKERS_ENV, "0")
    pending = worker.Pending(os.getpid)
    assert not pending.forked
    assert pending.result() == os.getpid()


@pytest.fixture(scope="module")
def net() -> Network:
    offers = [{"id": f"cafe-{n}", "title": "Sprachcafé", "provider": "caritas",
               "topic": "language.informal", "municipality": "05374012",
               "target_groups": ["newcomers"], "location": "Talweg 1",
               "schedule": [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                             "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-07-14"}]}
              for n in range(2)]
    return tiny_network(offers=offers)


def test_duplicates_found_in_a_worker_equal_those_found_here(
        net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    here = run_rules(net, language="en", today=date(2026, 3, 2))
    monkeypatch.setattr(worker, "MIN_OFFERS", 0)
    forked: list[bool] = []
    real = worker.Pending.__init__

    def spy(self: worker.Pending[object], compute: object) -> None:
        real(self, compute)  # type: ignore[arg-type]
        forked.append(self.forked)

    monkeypatch.setattr(worker.Pending, "__init__", spy)
    there = run_rules(net, language="en", today=date(2026, 3, 2))
    assert forked == [True]
    assert there.findings == here.findings
    assert {f.rule for f in there.findings} >= {"duplicate-offer", "schedule-conflict"}


def test_a_rule_failing_in_the_worker_is_reported_with_its_id(
        net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    import attrs

    from ki_network.checks import BUILTIN_RULES
    from ki_network.model import Finding, Severity

    @attrs.frozen
    class Broken:
        id: str = "test.broken-in-background"
        default_severity: Severity = Severity.INFO
        background: bool = True

        def check(self, network: object, settings: object) -> list[Finding]:
            raise RuntimeError(f"failed in process {os.getpid()}")

    monkeypatch.setattr(worker, "MIN_OFFERS", 0)
    result = run_rules(net, today=date(2026, 3, 2), rules=[*BUILTIN_RULES, Broken()])
    [failure] = result.failed
    assert failure.rule == "test.broken-in-background"
    assert "RuntimeError: failed in process" in failure.error
    assert str(os.getpid()) not in failure.error  # it failed in the worker, not here
    assert {f.rule for f in result.findings} >= {"rule-failed", "duplicate-offer"}
