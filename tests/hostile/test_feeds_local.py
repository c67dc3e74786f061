"""Hostile feeds: local ``calendar:`` paths (issue #10, 13).

Whoever edits ``actors.yaml`` chose what every load reads: ``/dev/zero`` ate the memory, a
FIFO hung the load, ``../../../../etc/passwd`` was read.  Live feeds are confined to the data
directory (or a folder ``network.yaml`` allows), regular files only, size-capped; ``ics
import FILE`` (a person names the file) reads regular files only, capped before reading.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ki_network import DataError, load
from ki_network.cli import main
from ki_network.testing import TINY, bare_plugin_manager, write_network

from ..conftest import time_limit

FEED = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@test\r\n"
        b"DTSTART:20260310T170000Z\r\nSUMMARY:Elternabend\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
EVENT_ID = "caritas-1-test-3d44fbd77f"
BUDGET = 10
posix_only = pytest.mark.skipif(os.name != "posix", reason="devices and FIFOs are POSIX")




def live(tmp_path: Path, calendar: str, **feeds: object) -> Path:
    actors = [dict(a) for a in TINY["actors.yaml"]]  # type: ignore[union-attr]
    actors[1]["calendar"] = calendar
    network = dict(TINY["network.yaml"])
    if feeds:
        network["feeds"] = feeds
    return write_network(tmp_path / "net", actors=actors, network=network)


def problem(directory: Path) -> str:
    with time_limit(BUDGET), pytest.raises(DataError) as caught:
        load(directory, bare_plugin_manager())
    message = str(caught.value)
    assert "actors.yaml:" in message
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize("calendar", ["../../../../etc/passwd", "/etc/passwd", "/dev/zero",
                                      "../outside.ics", "feeds/../../outside.ics"])
def test_paths_outside_the_data_directory_are_refused(tmp_path: Path, calendar: str) -> None:
    (tmp_path / "outside.ics").write_bytes(FEED)
    directory = live(tmp_path, calendar)
    assert problem(directory).endswith(
        f"calendar of actor 'caritas': file {calendar!r} lies outside the data directory (and "
        "outside the folders allowed in network.yaml 'feeds: folders')")


def test_a_symlink_out_of_the_data_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.ics").write_bytes(FEED)
    directory = live(tmp_path, "feeds/link.ics")
    (directory / "feeds").mkdir()
    (directory / "feeds" / "link.ics").symlink_to(tmp_path / "secret.ics")
    assert "lies outside the data directory" in problem(directory)


def test_an_allowed_folder_may_hold_feeds(tmp_path: Path) -> None:
    shared = tmp_path / "shared-feeds"
    shared.mkdir()
    (shared / "caritas.ics").write_bytes(FEED)
    directory = live(tmp_path, "../shared-feeds/caritas.ics", folders=["../shared-feeds"])
    with time_limit(BUDGET):
        assert EVENT_ID in load(directory, bare_plugin_manager()).events


@posix_only
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    directory = live(tmp_path, "feeds/pipe.ics")
    (directory / "feeds").mkdir()
    os.mkfifo(directory / "feeds" / "pipe.ics")
    assert problem(directory).endswith(
        "calendar of actor 'caritas': file 'feeds/pipe.ics' is not a regular file")


@posix_only
def test_a_device_inside_the_directory_is_refused(tmp_path: Path) -> None:
    directory = live(tmp_path, "feeds/zero.ics")
    (directory / "feeds").mkdir()
    (directory / "feeds" / "zero.ics").symlink_to("/dev/zero")
    # /dev/zero resolves outside; a directory is the device-like case that stays inside
    assert "lies outside the data directory" in problem(directory)
    (directory / "feeds" / "zero.ics").unlink()
    (directory / "feeds" / "zero.ics").mkdir()
    assert problem(directory).endswith("file 'feeds/zero.ics' is not a regular file")


def test_a_feed_file_larger_than_the_limit_is_refused(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    source = importlib.import_module("ki_network.builtin.ics")
    monkeypatch.setattr(source, "MAX_BYTES", 100)
    directory = live(tmp_path, "feeds/big.ics")
    (directory / "feeds").mkdir()
    (directory / "feeds" / "big.ics").write_bytes(FEED)
    assert problem(directory).endswith(
        f"file 'feeds/big.ics' is {len(FEED):,} bytes, more than the limit of 100")


@posix_only
@pytest.mark.parametrize("name", ["/dev/zero", "fifo"])
def test_ics_import_refuses_what_is_not_a_regular_file(tmp_path: Path, name: str) -> None:
    directory = write_network(tmp_path / "net")
    if name == "fifo":
        name = str(tmp_path / "pipe.ics")
        os.mkfifo(name)
    with time_limit(BUDGET):
        result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                           name, "--actor", "caritas",
                                           str(directory)])
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot read {name}: the file is not a regular file\n"


def test_imported_feed_outside_is_recorded_relative_to_the_data_directory(
        tmp_path: Path) -> None:
    """An absolute path would tell everyone who reads the exported events the layout of the
    machine that imported them."""
    directory = write_network(tmp_path / "net")
    source = tmp_path / "downloads" / "caritas.ics"
    source.parent.mkdir()
    source.write_bytes(FEED)
    with time_limit(BUDGET):
        result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                           str(source), "--actor", "caritas",
                                           str(directory)])
    assert result.exit_code == 0, result.output
    imported = yaml.safe_load((directory / "events.yaml").read_text(encoding="utf-8"))[-1]
    assert imported["imported"]["feed"] == "../downloads/caritas.ics"
    assert str(tmp_path) not in (directory / "events.yaml").read_text(encoding="utf-8")


def test_records_imported_under_an_absolute_path_are_matched_and_renamed(
        tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    source = tmp_path / "downloads" / "caritas.ics"
    source.parent.mkdir()
    source.write_bytes(FEED)
    args = ["ics", "import", "--lang", "en", str(source), "--actor", "caritas", str(directory)]
    with time_limit(BUDGET):
        CliRunner().invoke(main, args)
    events = directory / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace(
        "../downloads/caritas.ics", str(source.resolve())), encoding="utf-8")  # the old way
    with time_limit(BUDGET):
        again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "0 added" in again.stdout
    assert "1 unchanged" in again.stdout
    assert str(tmp_path) not in events.read_text(encoding="utf-8")
