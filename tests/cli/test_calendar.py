"""cli/calendar.py: the ``calendar`` command's options (window, state file, name, split) and
the ``conflicts`` command's window and --fail-on."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ki_network.calendar.ics_export.state import STATE_FILE
from ki_network.cli import main
from ki_network.testing import TINY, write_network


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


@pytest.fixture
def network(tmp_path: Path) -> Path:
    return write_network(tmp_path / "net")


def events(ics: Path) -> list[str]:
    return [line for line in ics.read_text(encoding="utf-8").splitlines()
            if line.startswith("SUMMARY")]


# -- calendar ---------------------------------------------------------------------------------


def test_writes_the_file_and_says_what_it_wrote(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "joint.ics"
    result = invoke("calendar", network, "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (2 events from 2 series, audience public)\n"
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert sorted(events(out)) == ["SUMMARY:Interkulturelles Fest", "SUMMARY:Sprachcafé"]


def test_the_state_file_is_kept_in_the_data_directory(network: Path, tmp_path: Path) -> None:
    invoke("calendar", network, "-o", tmp_path / "joint.ics")
    state = json.loads((network / STATE_FILE).read_text(encoding="utf-8"))
    assert state["version"] == 1 and state["components"]


def test_no_state_writes_none_and_state_chooses_where(network: Path, tmp_path: Path) -> None:
    assert invoke("calendar", network, "-o", tmp_path / "a.ics", "--no-state").exit_code == 0
    assert not (network / STATE_FILE).exists()
    elsewhere = tmp_path / "state" / "calendar.json"
    assert invoke("calendar", network, "-o", tmp_path / "b.ics", "--state",
                  elsewhere).exit_code == 0
    assert elsewhere.exists() and not (network / STATE_FILE).exists()
    # the same events either way (time stamps follow the clock)
    assert _stable(tmp_path / "a.ics") == _stable(tmp_path / "b.ics")


def _stable(ics: Path) -> list[str]:
    return [line for line in ics.read_text(encoding="utf-8").splitlines()
            if not line.startswith(("DTSTAMP", "LAST-MODIFIED", "CREATED"))]


def test_a_broken_state_file_is_exit_1(network: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("[]", encoding="utf-8")
    result = invoke("calendar", network, "-o", tmp_path / "x.ics", "--state", state)
    assert result.exit_code == 1
    assert "not a calendar state file" in result.stderr
    assert not (tmp_path / "x.ics").exists()


def test_name_is_the_calendar_name(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "joint.ics"
    invoke("calendar", network, "-o", out, "--no-state", "--name", "Kalender Gummersbach")
    assert "X-WR-CALNAME:Kalender Gummersbach" in out.read_text(encoding="utf-8")
    invoke("calendar", network, "-o", out, "--no-state")
    assert "X-WR-CALNAME:Tiny" in out.read_text(encoding="utf-8")  # the network's name


def test_the_window_selects_series(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "autumn.ics"
    result = invoke("calendar", network, "-o", out, "--no-state", "--from", "2026-09-01",
                    "--to", "2026-10-01T00:00")
    assert result.exit_code == 0, result.output
    assert events(out) == ["SUMMARY:Interkulturelles Fest"]  # the café ended in July


@pytest.mark.parametrize(("start", "end"), [("2026-10-01", "2026-09-01"),
                                            ("2026-09-01T10:00", "2026-09-01T10:00")])
def test_to_must_be_after_from(network: Path, tmp_path: Path, start: str, end: str) -> None:
    result = invoke("calendar", network, "-o", tmp_path / "x.ics", "--from", start, "--to", end)
    assert result.exit_code == 2 and "--to must be after --from" in result.stderr
    assert not (tmp_path / "x.ics").exists()


def test_a_malformed_time_is_a_usage_error(network: Path, tmp_path: Path) -> None:
    result = invoke("calendar", network, "-o", tmp_path / "x.ics", "--from", "19.09.2026")
    assert result.exit_code == 2 and "--from" in result.stderr


def test_municipality_by_code_or_name_in_any_case(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "gm.ics"
    assert invoke("calendar", network, "-o", out, "--no-state", "--municipality",
                  "05374012").exit_code == 0
    assert len(events(out)) == 2
    unknown = invoke("calendar", network, "-o", out, "--municipality", "Gummersbach")
    assert unknown.exit_code == 2  # a network without region knows codes only
    assert "no municipality 'Gummersbach'" in unknown.stderr


def test_split_by_needs_a_directory(network: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "joint.ics"
    a_file.write_text("", encoding="utf-8")
    result = invoke("calendar", network, "-o", a_file, "--split-by", "actor")
    assert result.exit_code == 2 and "with --split-by, -o names a directory" in result.stderr


def test_split_by_actor_writes_one_file_each(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "by-actor"
    result = invoke("calendar", network, "-o", out, "--split-by", "actor", "--no-state",
                    "--lang", "en")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{a}.ics" for a in ("caritas", "ki", "verein"))
    assert result.stdout.count("wrote ") == 3


# -- conflicts ---------------------------------------------------------------------------------


@pytest.fixture
def clash(tmp_path: Path) -> Path:
    """The festival's organiser is somewhere else at the same time."""
    extra: dict[str, Any] = {
        "id": "sitzung", "title": "Ausschusssitzung", "organisers": ["ki"],
        "municipality": "05374012", "location": "Rathaus, Raum 2",
        "start": "2026-09-19T15:00", "end": "2026-09-19T16:00"}
    fest = {**TINY["events.yaml"][0], "location": "Stadtpark"}
    return write_network(tmp_path / "clash", events=[fest, extra])


def conflicts(directory: Path, *args: str) -> Result:
    return invoke("conflicts", directory, "--from", "2026-09-01", "--to", "2026-10-01", *args)


def test_conflicts_text_and_summary(clash: Path) -> None:
    result = conflicts(clash, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("warning  organiser-double-booked: ")
    assert "'Interkulturelles Fest'" in lines[0] and "'Ausschusssitzung'" in lines[0]
    assert lines[1].startswith("         → ")  # the suggestion
    assert lines[-1] == "1 conflict between 2026-09-01 and 2026-10-01"


def test_no_conflicts_is_plural_and_exit_0(network: Path) -> None:
    result = conflicts(network)
    assert result.exit_code == 0
    assert result.stdout == "0 conflicts between 2026-09-01 and 2026-10-01\n"


def test_fail_on_follows_the_severity(clash: Path) -> None:
    severity = json.loads(conflicts(clash, "--format", "json", "--fail-on", "never").stdout
                          )["findings"][0]["severity"]
    order = ["info", "warning", "error"]
    for level in order:
        expected = 1 if order.index(severity) >= order.index(level) else 0
        assert conflicts(clash, "--fail-on", level).exit_code == expected, level
    assert conflicts(clash, "--fail-on", "never").exit_code == 0


def test_the_window_defaults_to_a_year_from_today(network: Path) -> None:
    result = invoke("conflicts", network, "--format", "json")
    window = json.loads(result.stdout)["window"]
    today = date.today()
    assert window == {"from": today.isoformat(), "to": (today + timedelta(365)).isoformat()}


def test_a_window_with_times(network: Path) -> None:
    result = invoke("conflicts", network, "--from", "2026-09-19T14:00", "--to",
                    "2026-09-19T18:00", "--format", "json")
    assert json.loads(result.stdout)["window"] == {"from": "2026-09-19T14:00:00",
                                                   "to": "2026-09-19T18:00:00"}


def test_conflicts_json_names_subjects(clash: Path) -> None:
    (finding,) = json.loads(conflicts(clash, "--format", "json").stdout)["findings"]
    assert finding["rule"] == "organiser-double-booked"
    assert finding["subjects"] == ["fest", "sitzung"]
    assert finding["suggestion"]
