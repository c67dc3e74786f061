"""Schedules and rules: recurrence rules that cannot be meant are refused, and every
expansion is bounded by its window and a count, so no command hangs or eats the memory."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from ki_network.calendar import occurrences
from ki_network.calendar.recurrence import MAX_OCCURRENCES, make_rule
from ki_network.datadir.build.times import rrule_refusal
from ki_network.model import Schedule
from ki_network.testing import bare_plugin_manager, tiny_network

from .conftest import problems, run, tiny, write


def schedule(rule: str, start: str = "2026-01-13T09:30", end: str = "2026-01-13T11:00",
             **more: Any) -> dict[str, Any]:
    return {"schedule": [{"start": start, "end": end, "rrule": rule, **more}]}


REFUSED = [
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL=0 never advances"),
    ("FREQ=DAILY;INTERVAL=00", "INTERVAL=0 never advances"),
    ("FREQ=SECONDLY", "FREQ=SECONDLY repeats more often than daily"),
    ("FREQ=MINUTELY", "FREQ=MINUTELY repeats more often than daily"),
    ("FREQ=HOURLY;COUNT=3", "FREQ=HOURLY repeats more often than daily"),
    ("freq=minutely;interval=5", "FREQ=MINUTELY repeats more often than daily"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "the rule has no occurrence on any day"),
    ("FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "the rule has no occurrence on any day"),
    ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=6,9,11", "the rule has no occurrence on any day"),
    ("FREQ=WEEKLY;BYYEARDAY=367", None),  # dateutil refuses it itself: malformed
    ("FREQ=DAILY;INTERVAL=7;BYDAY=WE", "never repeats after its first occurrence"),
    ("FREQ=MONTHLY;INTERVAL=12;BYMONTH=3", "never repeats after its first occurrence"),
    ("FREQ=DAILY;BYSETPOS=2", "never repeats after its first occurrence"),
    ("FREQ=WEEKLY;UNTIL=00010101T000000Z", "UNTIL: the year 0001 is outside 1900-2200"),
    ("FREQ=WEEKLY;UNTIL=99991231", "UNTIL: the year 9999 is outside 1900-2200"),
    ("FREQ=FORTNIGHTLY", None),
    ("BYDAY=TU", "malformed rrule"),
]


@pytest.mark.parametrize(("rule", "message"), REFUSED, ids=[r for r, _ in REFUSED])
def test_rules_that_cannot_be_meant_are_refused(tmp_path: Path, rule: str,
                                                message: str | None) -> None:
    directory = write(tmp_path / "net", tiny(offers=schedule(rule)))
    started = time.monotonic()
    result = run("validate", directory)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    [problem] = problems(result)
    # the rrule's own line in offers.yaml
    lines = (directory / "offers.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "rrule:" in text)
    assert problem.startswith(f"{directory / 'offers.yaml'}:{line}:"), problem
    assert message is None or message in problem, problem


@pytest.mark.parametrize("rule", [
    "FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=1TU",
    "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=DAILY;COUNT=1",
    "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO", "FREQ=DAILY;INTERVAL=7",
    "FREQ=WEEKLY;COUNT=100000000", "RRULE:FREQ=WEEKLY", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU",
])
def test_rules_people_write_are_accepted(tmp_path: Path, rule: str) -> None:
    directory = write(tmp_path / "net", tiny(offers=schedule(rule)))
    result = run("validate", directory)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY",
                                  "FREQ=MINUTELY;INTERVAL=1;BYHOUR=9,10"])
def test_sub_daily_rules_when_allowed_are_bounded(tmp_path: Path, rule: str) -> None:
    files = tiny(offers=schedule(rule, end="2026-01-13T09:30:01"))
    files["network.yaml"] = {**files["network.yaml"], "recurrence": {"sub_daily": True}}
    directory = write(tmp_path / "net", files)
    assert run("validate", directory).exit_code == 0
    started = time.monotonic()
    for command in (["calendar", "-o", tmp_path / "c.ics"],
                    ["calendar", "-o", tmp_path / "w.ics", "--from", "2026-02-01",
                     "--to", "2026-02-02"],
                    ["conflicts", "--from", "2026-02-01", "--to", "2026-02-08",
                     "--fail-on", "never"]):
        result = run(command[0], directory, *command[1:])
        assert result.exit_code == 0, (command, result.output)
    assert time.monotonic() - started < 25


def test_the_sub_daily_setting_is_checked(tmp_path: Path) -> None:
    files = tiny()
    files["network.yaml"] = {**files["network.yaml"], "recurrence": {"sub_daily": "yes"}}
    result = run("validate", write(tmp_path / "net", files))
    assert result.exit_code == 1
    assert "'recurrence' must be a mapping like {sub_daily: true}" in result.stderr


def test_an_expansion_never_exceeds_its_count() -> None:
    net = tiny_network(bare_plugin_manager())
    every_second = attrs.evolve(net.offers["cafe-gm"], schedule=(Schedule(
        datetime(2026, 1, 1, 0, 0), datetime(2026, 1, 1, 0, 0, 1), "FREQ=SECONDLY"),),
        valid_to=None)
    started = time.monotonic()
    found = occurrences(net, date(2026, 1, 1), date(2026, 1, 8), [every_second])
    assert len(found) == MAX_OCCURRENCES
    assert time.monotonic() - started < 20


def test_interval_zero_made_in_python_fails_clearly() -> None:
    schedule_ = Schedule(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10),
                         "FREQ=WEEKLY;INTERVAL=0")
    with pytest.raises(ValueError, match="INTERVAL must be at least 1"):
        make_rule(schedule_, datetime(2026, 1, 1, 9), None)


@pytest.mark.parametrize("rule", [r for r, m in REFUSED
                                  if m is not None and ("never" in m or "any day" in m)])
def test_refusing_a_rule_is_quick(rule: str) -> None:
    started = time.monotonic()
    assert rrule_refusal(rule, datetime(2031, 5, 6, 7, 8)) is not None
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(("start", "until"), [("1900-01-01T00:00", "1900-12-31"),
                                              ("2200-01-01T00:00", "2200-12-31")])
def test_daily_series_at_the_edges_of_time(tmp_path: Path, start: str, until: str) -> None:
    directory = write(tmp_path / "net", tiny(offers=schedule(
        "FREQ=DAILY", start=start, end=start.replace("00:00", "01:00"), until=until)))
    assert run("validate", directory).exit_code == 0
    for command in (["calendar", "-o", tmp_path / "c.ics", "--from", start[:10]],
                    ["conflicts", "--from", start[:10], "--fail-on", "never"]):
        assert run(command[0], directory, *command[1:]).exit_code == 0
