"""Hostile feeds: junk instead of a calendar, and feeds that suddenly lose their events
(issue #10, 6).

Before, an HTML login page, an empty, binary or UTF-16 file was read as "0 VEVENTs" (exit 0)
and the re-import marked every event of that partner cancelled.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from ki_network import DataError, EventStatus, load
from ki_network.calendar.ics_import.merge import MassRemoval, merge_into
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.cli import main
from ki_network.testing import TINY, bare_plugin_manager, write_network


def feed(*uids: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for number, uid in enumerate(uids, 1):
        lines += ["BEGIN:VEVENT", f"UID:{uid}",
                  f"DTSTART;TZID=Europe/Berlin:202603{10 + number:02d}T180000",
                  "DURATION:PT1H", f"SUMMARY:Treffen {uid}", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


FOUR = feed("a", "b", "c", "d")

JUNK = {
    "login-page": (b"<!DOCTYPE html>\n<html><head><title>Anmelden</title></head>"
                   b"<body><form action=/login>...</form></body></html>\n",
                   "an HTML page (a login or error page?), not an iCalendar feed"),
    "empty": (b"", "the file is empty, not an iCalendar feed"),
    "blanks": (b"\r\n  \n", "the file holds only blanks, not an iCalendar feed"),
    "binary": (bytes(range(256)) * 8, "binary data, not an iCalendar feed"),
    "gzip-file": (b"\x1f\x8b\x08\x00" + bytes(200), "binary data, not an iCalendar feed"),
    "utf-16": (FOUR.decode().encode("utf-16"),
               "UTF-16 text; iCalendar feeds are UTF-8: save or export it as UTF-8"),
    "utf-16-be-no-bom": (FOUR.decode().encode("utf-16-be"),
                         "UTF-16 text; iCalendar feeds are UTF-8: save or export it as UTF-8"),
    "json-error": (b'{"error": "unauthorized"}\n',
                   "no BEGIN:VCALENDAR line: not an iCalendar feed"),
}


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def network(tmp_path: Path) -> Path:
    directory = write_network(tmp_path / "net")
    (directory / "feeds").mkdir()
    (directory / "feeds" / "caritas.ics").write_bytes(FOUR)
    result = invoke("ics", "import", "--lang", "en",
                    directory / "feeds" / "caritas.ics", "--actor", "caritas",
                    directory)
    assert result.exit_code == 0, result.output
    assert "4 added" in result.stdout
    return directory


@pytest.mark.parametrize("name", list(JUNK))
def test_junk_is_refused_and_nothing_is_cancelled(network: Path, name: str) -> None:
    data, reason = JUNK[name]
    source = network / "feeds" / "caritas.ics"
    source.write_bytes(data)
    before = (network / "events.yaml").read_bytes()
    result = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert result.exit_code == 1
    assert result.stderr == f"error: {source}: {reason}\n"
    assert (network / "events.yaml").read_bytes() == before
    assert all(e.status is EventStatus.CONFIRMED
               for e in load(network, bare_plugin_manager()).events.values())


@pytest.mark.parametrize("name", ["login-page", "empty", "utf-16"])
def test_junk_as_a_live_feed_is_a_problem_at_the_actor(tmp_path: Path, name: str) -> None:
    data, reason = JUNK[name]
    actors = [dict(a) for a in TINY["actors.yaml"]]  # type: ignore[union-attr]
    actors[1]["calendar"] = "feeds/caritas.ics"
    directory = write_network(tmp_path / "net", actors=actors)
    (directory / "feeds").mkdir()
    (directory / "feeds" / "caritas.ics").write_bytes(data)
    with pytest.raises(DataError) as caught:
        load(directory, bare_plugin_manager())
    assert str(caught.value).endswith(
        f"calendar of actor 'caritas': file 'feeds/caritas.ics': {reason}")
    assert "actors.yaml:" in str(caught.value)


def test_an_empty_calendar_needs_allow_mass_removal(network: Path) -> None:
    source = network / "feeds" / "caritas.ics"
    source.write_bytes(feed())  # a valid calendar without events
    before = (network / "events.yaml").read_bytes()
    refused = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: feeds/caritas.ics: the feed no longer has 4 of the 4 events imported from it "
        "before (100%, more than 50%); nothing was changed.  If the partner really removed "
        "them, import again with --allow-mass-removal (or set 'feeds: allow_mass_removal: "
        "true' in network.yaml)\n")
    assert (network / "events.yaml").read_bytes() == before
    allowed = invoke("ics", "import", "--lang", "en",
                     source, "--actor", "caritas", "--allow-mass-removal",
                     network)
    assert allowed.exit_code == 0, allowed.output
    assert "4 marked removed" in allowed.stdout
    statuses = {e.status for e in load(network, bare_plugin_manager()).events.values()
                if e.id != "fest"}
    assert statuses == {EventStatus.CANCELLED}


def test_a_few_removals_need_nothing(network: Path) -> None:
    source = network / "feeds" / "caritas.ics"
    source.write_bytes(feed("a", "b", "c"))
    result = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert result.exit_code == 0, result.output
    assert "1 marked removed" in result.stdout


def test_half_is_allowed_more_is_not(network: Path) -> None:
    source = network / "feeds" / "caritas.ics"
    source.write_bytes(feed("a"))
    assert invoke("ics", "import", "--lang", "en",
                  source, "--actor", "caritas", network).exit_code == 1
    source.write_bytes(feed("a", "b"))
    result = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert result.exit_code == 0, result.output
    assert "2 marked removed" in result.stdout
    # the share counts events not yet marked removed: 1 of the 2 left is 50 %
    source.write_bytes(feed("a"))
    result = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert result.exit_code == 0, result.output
    assert "1 marked removed" in result.stdout


@pytest.mark.parametrize(("settings", "code"), [
    ({"allow_mass_removal": True}, 0), ({"max_removed_share": 1.0}, 0),
    ({"max_removed_share": 0.1}, 1)])
def test_the_share_is_a_setting(network: Path, settings: dict[str, object], code: int) -> None:
    (network / "network.yaml").write_text(yaml.safe_dump(
        {**TINY["network.yaml"], "feeds": settings}), encoding="utf-8")
    source = network / "feeds" / "caritas.ics"
    source.write_bytes(feed("a", "b", "c") if code == 1 else feed())
    result = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert result.exit_code == code, result.output


def test_a_wrong_setting_is_a_warning_and_the_default_applies(network: Path) -> None:
    (network / "network.yaml").write_text(yaml.safe_dump(
        {**TINY["network.yaml"], "feeds": {"max_removed_share": "all"}}), encoding="utf-8")
    source = network / "feeds" / "caritas.ics"
    source.write_bytes(feed())
    result = invoke("ics", "import", "--lang", "en", source, "--actor", "caritas", network)
    assert result.exit_code == 1
    assert "'feeds: max_removed_share' must be a number from 0 to 1" in result.stderr
    assert "more than 50%" in result.stderr


def test_merge_into_refuses_mass_removal_for_library_users(network: Path) -> None:
    empty = read_ics(feed(), actor="caritas", source="feeds/caritas.ics")
    before = (network / "events.yaml").read_bytes()
    with pytest.raises(MassRemoval, match="4 of the 4 events"):
        merge_into(network, empty, feed_name="feeds/caritas.ics", today=date(2026, 12, 1))
    assert (network / "events.yaml").read_bytes() == before
    report = merge_into(network, empty, feed_name="feeds/caritas.ics", today=date(2026, 12, 1),
                        allow_mass_removal=True)
    assert len(report.removed) == 4
