"""The data directory: broken files, hostile encodings and extreme values.

Each case ends in a clear ``file:line:column: message`` (exit 1) or a valid network — never
a traceback, a hang, a cascade of follow-up errors or a silently lost record.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ki_network.datadir import record_decision
from ki_network.datadir.load import load
from ki_network.errors import DataError
from ki_network.testing import TINY, bare_plugin_manager

from .conftest import problems, run, tiny, write

# -- a syntax error comes first, alone -------------------------------------------------------

# named by municipality name: without network.yaml's region each would be unknown
MANY_OFFERS = [dict(copy.deepcopy(TINY["offers.yaml"][0]), id=f"offer-{n}",
                    municipality="Gummersbach") for n in range(200)]


@pytest.mark.parametrize(("name", "text", "where", "message"), [
    ("network.yaml", "name: Tiny\nregion: [oberberg\n", "network.yaml:3:1",
     "not valid YAML"),
    ("network.yaml", "name: 'Tiny\n", "network.yaml:2:1", "not valid YAML"),
    ("network.yaml", "name: Tiny\n\tlanguage: de\n", "network.yaml:2:1", "not valid YAML"),
    ("network.yaml", "- a list\n", "network.yaml:1:1", "must be a mapping"),
    ("actors.yaml", "- id: ki\n  name: [KI\n", "actors.yaml:3:1", "not valid YAML"),
    ("actors.yaml", "- id: ki\n name: x\n", "actors.yaml:2:2", "not valid YAML"),
    ("actors.yaml", "- &a {id: ki}\n- *a\n", "actors.yaml:1:3", "anchors and aliases"),
    ("actors.yaml", "- !!python/object:os.system {}\n", "actors.yaml:1:3", "custom tags"),
    ("actors.yaml", "- {id: ki, id: ki}\n", "actors.yaml:1:12", "duplicate key 'id'"),
    ("actors.yaml", b"- id: k\xffi\n", "actors.yaml", "not UTF-8 text"),
    ("actors.yaml", "- " + "[" * 20000 + "\n", "actors.yaml:1:1002", "nesting depth"),
])
def test_a_syntax_error_stands_alone(tmp_path: Path, name: str, text: str | bytes, where: str,
                                     message: str) -> None:
    """200 offers name actors of a file that did not parse: none of them is reported."""
    files: dict[str, Any] = tiny(offers=MANY_OFFERS)
    files["network.yaml"] = {"name": "Tiny", "region": "oberberg"}
    files[name] = text
    directory = write(tmp_path / "net", files)
    result = run("validate", directory)
    assert result.exit_code == 1
    found = problems(result)
    assert len(found) == 1, found[:5]
    assert found[0].startswith(str(directory / where)), found[0]
    assert message in found[0]


def test_syntax_errors_in_two_files_are_both_reported(tmp_path: Path) -> None:
    files: dict[str, Any] = tiny(offers=MANY_OFFERS)
    files["network.yaml"] = {"name": "Tiny", "region": "oberberg"}
    files["actors.yaml"] = "- id: [ki\n"
    files["events.yaml"] = "- id: fest\n  title: 'x\n"
    result = run("validate", write(tmp_path / "net", files))
    assert result.exit_code == 1
    assert [p.split(":")[0].rsplit("/", 1)[1] for p in problems(result)] == [
        "actors.yaml", "events.yaml"]


# -- JSON Lines --------------------------------------------------------------------------------

GOOD = json.dumps({"source": "ki", "target": "verein", "kind": "cooperates"}).encode()


@pytest.mark.parametrize(("line", "column", "message"), [
    (b"[" * 100_000, 1, "not readable: nested too deeply"),
    (b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 1, "not readable: nested too deeply"),
    (b'{"source": ' + b"9" * 5000 + b"}", 1, "not readable: a number is too long"),
    (b'{"source": "ki\xff"}', 15, "not UTF-8 text (invalid start byte)"),
    (b'{"source": "\xc3"}', 13, "not UTF-8 text"),
    (b'{"source": "ki", "target": "caritas"', 1, "not valid JSON"),
    (b'{"source": NaN}', 1, "'source' must be a list of texts"),
    (b"[1, 2]", 1, "each line must be one JSON object"),
    (b'"just text"', 1, "each line must be one JSON object"),
    (b"\x00\x00", 1, "not valid JSON"),
])
def test_a_bad_json_line_is_a_problem_at_its_line(tmp_path: Path, line: bytes, column: int,
                                                  message: str) -> None:
    files: dict[str, Any] = tiny()
    del files["relations.yaml"]
    files["relations.jsonl"] = GOOD + b"\n" + line + b"\n" + GOOD.replace(b"verein", b"caritas")
    directory = write(tmp_path / "net", files)
    result = run("validate", directory)
    assert result.exit_code == 1
    found = problems(result)
    assert found[0].startswith(f"{directory / 'relations.jsonl'}:2:{column}: "), found
    assert message in found[0]


def test_a_byte_order_mark_and_blank_lines_are_fine(tmp_path: Path) -> None:
    files: dict[str, Any] = tiny()
    del files["relations.yaml"]
    files["relations.jsonl"] = b"\xef\xbb\xbf" + GOOD + b"\n\n   \n"
    assert run("validate", write(tmp_path / "net", files)).exit_code == 0


# -- YAML values -------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    ("9" * 5000, "cannot read '9999"),
    ("!!int x", "cannot read 'x' as int"),
    ("!!float 1e99999", None),  # inf: a text field refuses no float, but nothing breaks
    ("!!binary aGVsbG8=", "the tag !!binary is not allowed"),
    ("!!set {a}", "the tag !!set is not allowed"),
])
def test_odd_yaml_values(tmp_path: Path, value: str, message: str | None) -> None:
    files: dict[str, Any] = tiny()
    files["relations.yaml"] = f"- source: ki\n  target: caritas\n  kind: cooperates\n" \
                              f"  programme: {value}\n"
    result = run("validate", write(tmp_path / "net", files))
    if message is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert message in result.stderr
        assert len(problems(result)) == 1


# -- extreme dates -----------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["0001", "1000", "1899", "2201", "9999"])
@pytest.mark.parametrize(("file", "change", "field"), [
    ("offers", lambda y: {"valid_from": f"{y}-01-01"}, "valid_from"),
    ("offers", lambda y: {"valid_to": f"{y}-12-31"}, "valid_to"),
    ("offers", lambda y: {"schedule": [{"start": f"{y}-01-13T09:30",
                                        "end": f"{y}-01-13T11:00"}]}, "start"),
    ("offers", lambda y: {"schedule": [{"start": "2026-01-13T09:30",
                                        "end": f"{y}-01-13T11:00"}]}, "end"),
    ("offers", lambda y: {"schedule": [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                                        "rrule": "FREQ=WEEKLY", "until": f"{y}-12-31"}]},
     "until"),
    ("offers", lambda y: {"schedule": [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                                        "rrule": "FREQ=WEEKLY", "exdates": [f"{y}-12-31"]}]},
     "exdates"),
    ("events", lambda y: {"start": f"{y}-06-01", "end": f"{y}-06-02"}, "start"),
    ("events", lambda y: {"rdates": [f"{y}-06-01T10:00"]}, "rdates"),
    ("relations", lambda y: {"since": f"{y}-01-01"}, "since"),
])
def test_years_outside_1900_2200_are_refused(tmp_path: Path, year: str, file: str, change: Any,
                                             field: str) -> None:
    directory = write(tmp_path / "net", tiny(**{file: change(year)}))
    result = run("validate", directory)
    assert result.exit_code == 1, result.output
    found = problems(result)
    assert any(f"the year {year} is outside 1900-2200" in p and p.startswith(
        f"{directory / file}.yaml:") for p in found), found
    assert all("Traceback" not in p for p in found)


def test_an_until_inside_the_rule_is_checked_too(tmp_path: Path) -> None:
    schedule = [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                 "rrule": "FREQ=WEEKLY;UNTIL=99991231T000000Z"}]
    result = run("validate", write(tmp_path / "net", tiny(offers={"schedule": schedule})))
    assert result.exit_code == 1
    assert "UNTIL: the year 9999 is outside 1900-2200" in result.stderr


@pytest.mark.parametrize("year", ["1900", "2200"])
def test_the_edge_years_work_everywhere(tmp_path: Path, year: str) -> None:
    directory = write(tmp_path / "net", tiny(
        events={"start": f"{year}-06-01T10:00", "end": f"{year}-06-01T12:00"},
        offers={"valid_to": f"{year}-12-31", "schedule": [
            {"start": f"{year}-01-13T09:30", "end": f"{year}-01-13T11:00",
             "rrule": "FREQ=WEEKLY;BYDAY=TU"}]}))
    assert run("validate", directory).exit_code == 0
    out = directory.parent / "out.ics"
    assert run("calendar", directory, "-o", out).exit_code == 0
    for command in (["conflicts", "--from", f"{year}-01-01", "--fail-on", "never"],
                    ["check", "--today", f"{year}-06-01", "--fail-on", "never"],
                    ["report", "-o", directory.parent / "r.html", "--today", f"{year}-06-01"]):
        result = run(command[0], directory, *command[1:])
        assert result.exit_code == 0, (command, result.output)


# -- nothing lost ------------------------------------------------------------------------------

@pytest.fixture
def decided(tmp_path: Path) -> Path:
    files: dict[str, Any] = tiny()
    files["offers.yaml"].append(dict(copy.deepcopy(files["offers.yaml"][0]), id="cafe-2"))
    files["decisions.yaml"] = (
        "# decisions of the KI\n"
        "- a: cafe-gm   # the first one\n"
        "  b: cafe-2\n"
        "  verdict: distinct\n"
        "  note: different rooms\n"
        "  ticket: 42  # our tracker\n"
        "  checked: {by: phone, on: 2026-01-02}\n")
    return write(tmp_path / "net", files)


@pytest.mark.parametrize(("note", "expected_note"), [(None, "different rooms"),
                                                     ("same room after all", None)])
def test_deciding_a_decided_pair_again_keeps_its_fields_and_comments(
        decided: Path, note: str | None, expected_note: str | None) -> None:
    net = load(decided, bare_plugin_manager())
    record_decision(net, "cafe-2", "cafe-gm", "same", note=note, by="anna", on=date(2026, 3, 1))
    text = (decided / "decisions.yaml").read_text(encoding="utf-8")
    assert text.startswith("# decisions of the KI\n- a: cafe-gm   # the first one\n")
    assert "  ticket: 42  # our tracker\n" in text
    assert "checked: {by: phone, on: 2026-01-02}" in text
    [decision] = load(decided, bare_plugin_manager()).decisions
    assert decision.verdict == "same" and decision.by == "anna"
    assert decision.note == (expected_note or note)
    assert decision.extra["ticket"] == 42


def test_deciding_again_on_the_command_line(decided: Path) -> None:
    result = run("duplicates", decided, "--decide", "cafe-gm", "cafe-2", "same")
    assert result.exit_code == 0, result.output
    assert "ticket: 42  # our tracker" in (decided / "decisions.yaml").read_text()


def test_a_refused_text_does_not_hide_the_record(tmp_path: Path) -> None:
    """One bad character: one problem, not one for every record naming that actor."""
    directory = write(tmp_path / "net", tiny(actors={"name": "K\u202eI"}))
    result = run("validate", directory)
    assert result.exit_code == 1
    assert len(problems(result)) == 1


def test_a_broken_file_never_passes_as_empty(tmp_path: Path) -> None:
    files: dict[str, Any] = tiny()
    files["events.yaml"] = "- id: fest\n  title: [x\n"
    with pytest.raises(DataError) as caught:
        load(write(tmp_path / "net", files), bare_plugin_manager())
    assert "events.yaml" in str(caught.value)
