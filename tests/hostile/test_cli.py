"""Command-line misuse: bad output paths, dates out of range, unreadable option files, and what
each audience is shown.  Always one clear line and exit 1 or 2, never a traceback."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import run, tiny, write

WRITERS = {
    "calendar": ("calendar", ".ics"),
    "report": ("report", ".html"),
    "graph": ("graph", ".graphml"),
    "export": ("export", ".json"),
}


@pytest.fixture
def net(tmp_path: Path) -> Path:
    return write(tmp_path / "net", tiny())


def _args(command: str, directory: Path, output: str | Path) -> list[str | Path]:
    extra: list[str | Path] = ["--today", "2026-03-02"] if command == "report" else []
    return [command, directory, "-o", output, *extra]


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize(("target", "code", "message"), [
    ("", 2, "(the output file name is empty|is a directory; name a file)"),
    (" ", 2, "the output file name is empty"),
    ("<dir>", 2, "is a directory"),
    ("<file>/x", 1, "Could not open file '.*a-file/x.*': (File exists|Not a directory)"),
    ("<file>/sub/x", 1, "Could not open file '.*': (File exists|Not a directory)"),
    ("/proc/version/x", 1, "Could not open file '/proc/version/x"),
])
def test_unusable_outputs_are_one_clear_line(  # noqa: PLR0917 - parametrized
        tmp_path: Path, net: Path, command: str, target: str, code: int, message: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    suffix = WRITERS[command][1]
    output = (target.replace("<dir>", str(tmp_path)).replace("<file>", str(blocker))
              + (suffix if target.strip() and target != "<dir>" else ""))
    result = run(*_args(command, net, output))
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    error_lines = [line for line in lines if "Error" in line or "error" in line]
    assert error_lines, result.output
    assert re.search(message, result.stderr), result.stderr
    assert not list(tmp_path.glob("**/.*.tmp"))


@pytest.mark.parametrize("command", WRITERS)
def test_a_normal_output_still_works(tmp_path: Path, net: Path, command: str) -> None:
    out = tmp_path / "new" / f"out{WRITERS[command][1]}"
    result = run(*_args(command, net, out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
@pytest.mark.parametrize("args", [
    ["check", "--today", "<day>"],
    ["report", "-o", "<tmp>/r.html", "--today", "<day>"],
    ["report", "-o", "<tmp>/r.html", "--week", "<day>"],
    ["calendar", "-o", "<tmp>/c.ics", "--from", "<day>"],
    ["calendar", "-o", "<tmp>/c.ics", "--to", "<day>"],
    ["conflicts", "--from", "<day>"],
    ["conflicts", "--to", "<day>T10:00"],
])
def test_dates_out_of_range_are_usage_errors(tmp_path: Path, net: Path, day: str,
                                              args: list[str]) -> None:
    filled = [a.replace("<day>", day).replace("<tmp>", str(tmp_path)) for a in args]
    result = run(filled[0], net, *filled[1:])
    assert result.exit_code == 2, result.output
    assert "the year must lie between 1900 and 2200" in result.stderr


@pytest.mark.parametrize("content", [b"\xff\xfe\x00c\x00a", b"cafe-gm\n\x80", b"\xc3("])
def test_only_new_with_a_file_that_is_no_text(tmp_path: Path, net: Path,
                                              content: bytes) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_bytes(content)
    result = run("duplicates", net, "--only-new", ids)
    assert result.exit_code == 2
    assert "not UTF-8 text" in result.stderr and str(ids) in result.stderr


def test_only_new_with_a_good_file(tmp_path: Path, net: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("\ufeff# new\ncafe-gm\n", encoding="utf-8")
    assert run("duplicates", net, "--only-new", ids).exit_code == 0


# -- audiences ---------------------------------------------------------------------------------

@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    files: dict[str, Any] = copy.deepcopy(tiny())
    files["actors.yaml"].append({"id": "geheim-amt", "name": "Geheimes Amt", "kind": "other",
                                 "visibility": "internal"})
    offer, event = files["offers.yaml"][0], files["events.yaml"][0]
    files["offers.yaml"].append(dict(copy.deepcopy(offer), id="cafe-intern",
                                     provider="geheim-amt", visibility="internal"))
    files["offers.yaml"].append(dict(copy.deepcopy(offer), id="cafe-public-2"))
    event["location"] = "Talweg 1"  # the same place at the same time: a conflict
    files["events.yaml"].append(dict(copy.deepcopy(event), id="fest-intern",
                                     organisers=["geheim-amt"]))
    files["decisions.yaml"] = [
        {"a": "cafe-gm", "b": "cafe-intern", "verdict": "distinct",
         "note": "intern: Frau Müller fragen", "by": "mueller"},
        {"a": "cafe-gm", "b": "cafe-public-2", "verdict": "same", "note": "interne Notiz",
         "by": "schmidt", "ticket": "T-1"},
    ]
    return write(tmp_path / "net", files)


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_public_exports_hold_no_internal_decisions(tmp_path: Path, mixed: Path,
                                                   suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    assert run("export", mixed, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for secret in ("cafe-intern", "geheim-amt", "Müller", "mueller", "schmidt",
                   "interne Notiz", "T-1"):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines()] if suffix == ".jsonl" else \
        [dict(d, record="decision") for d in json.loads(text)["decisions"]]
    decisions = [line for line in lines if line["record"] == "decision"]
    assert decisions == [{"record": "decision", "a": "cafe-gm", "b": "cafe-public-2",
                          "verdict": "same"}]


def test_internal_export_keeps_every_decision(tmp_path: Path, mixed: Path) -> None:
    out = tmp_path / "out.json"
    assert run("export", mixed, "-o", out, "--audience", "internal").exit_code == 0
    decisions = json.loads(out.read_text(encoding="utf-8"))["decisions"]
    assert [d.get("note") for d in decisions] == ["intern: Frau Müller fragen", "interne Notiz"]


@pytest.mark.parametrize(("args", "hidden"), [
    (["info"], ["geheim-amt"]),
    (["info", "--format", "json"], ["geheim-amt"]),
    (["conflicts", "--from", "2026-01-01", "--fail-on", "never"], ["Geheimes Amt"]),
    (["conflicts", "--from", "2026-01-01", "--format", "json", "--fail-on", "never"],
     ["fest-intern", "Geheimes Amt"]),
])
def test_info_and_conflicts_are_public_by_default(mixed: Path, args: list[str],
                                                  hidden: list[str]) -> None:
    public = run(args[0], mixed, *args[1:])
    internal = run(args[0], mixed, *args[1:], "--audience", "internal")
    assert public.exit_code == 0 and internal.exit_code == 0, public.output
    for secret in hidden:
        assert secret not in public.output
    assert any(secret in internal.output for secret in hidden)


def test_info_counts_per_audience(mixed: Path) -> None:
    counts = {audience: json.loads(run("info", mixed, "--format", "json", "--audience",
                                       audience).stdout)["counts"]
              for audience in ("public", "internal")}
    assert counts["public"]["actors"] == 3 and counts["internal"]["actors"] == 4
    assert counts["public"]["decisions"] == 1 and counts["internal"]["decisions"] == 2


@pytest.mark.parametrize("actor", ["geheim-amt", "geheim-amtt", "geheim"])
def test_calendar_actor_suggests_no_hidden_actor(tmp_path: Path, mixed: Path,
                                                 actor: str) -> None:
    result = run("calendar", mixed, "-o", tmp_path / "c.ics", "--actor", actor)
    assert result.exit_code == 2
    assert "geheim-amt'" not in result.stderr.replace(f"'{actor}'", "")
    assert "no actor" in result.stderr


def test_calendar_actor_suggestion_for_partners_names_visible_actors(
        tmp_path: Path, mixed: Path) -> None:
    result = run("calendar", mixed, "-o", tmp_path / "c.ics", "--actor", "caritass")
    assert result.exit_code == 2
    assert "caritas" in result.stderr
    internal = run("calendar", mixed, "-o", tmp_path / "c.ics", "--actor", "geheim-amtt",
                   "--audience", "internal")
    assert internal.exit_code == 2 and "geheim-amt" in internal.stderr
