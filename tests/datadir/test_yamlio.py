"""Safe YAML with positions; atomic writes."""

from __future__ import annotations

import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ki_network.datadir.yamlio import Items, Record, atomic_write, parse_yaml, read_yaml
from ki_network.errors import Origin

TEXT = """\
# comment
- id: cafe
  title: {de: Sprachcafé, en: Café}
  schedule:
    - start: 2026-01-13T09:30
      until: 2026-07-14
- id: kurs
  provider:   awo
"""


def test_records_know_where_they_and_their_keys_stood() -> None:
    data, problems = parse_yaml(TEXT, "offers.yaml")
    assert problems == []
    assert isinstance(data, Items)
    assert data.origins == [Origin("offers.yaml", 2, 3), Origin("offers.yaml", 7, 3)]
    first, second = data
    assert isinstance(first, Record)
    assert first.origin == Origin("offers.yaml", 2, 3)
    assert first.origin_of("title") == Origin("offers.yaml", 3, 3)
    assert first["title"].origin == Origin("offers.yaml", 3, 10)
    entry = first["schedule"][0]
    assert entry.origin_of("until") == Origin("offers.yaml", 6, 7)
    assert entry["until"] == date(2026, 7, 14)
    assert entry["start"] == "2026-01-13T09:30"  # no seconds: not a YAML timestamp
    assert second.origin_of("provider") == Origin("offers.yaml", 8, 3)
    assert second.origin_of("missing") == second.origin


@pytest.mark.parametrize(("text", "value"), [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"),
    ("true", True), ("False", False), ("null", None), ("~", None), ("", None),
    ("05374012", "05374012"), ("0226112345", "0226112345"), ("007", "007"),
    ("9:30", "9:30"), ("1:30:00", "1:30:00"), ("1_000", "1_000"), ("0x1F", "0x1F"),
    ("0b101", "0b101"), ("0o17", "0o17"), ("1e3", "1e3"),
    ("12", 12), ("-3", -3), ("0", 0), ("+7", 7), ("1.5", 1.5), ("-0.25", -0.25),
    ("1.0e+16", 1e16), (".5", 0.5), (".inf", float("inf")),
    ("2026-01-31", date(2026, 1, 31)), ("2026-02-30", "2026-02-30"),
    ("2026-01-31 10:00:00", datetime(2026, 1, 31, 10, 0)),
    ("2026-01-31T10:00:00+01:00",
     datetime(2026, 1, 31, 10, 0, tzinfo=timezone(timedelta(hours=1)))),
])
def test_scalars_read_as_people_mean_them(text: str, value: object) -> None:
    data, problems = parse_yaml(f"a: {text}\n")
    assert problems == []
    assert data["a"] == value
    assert type(data["a"]) is type(value)


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ("a: &x [1]\nb: *x\n", 1, 4, "anchors and aliases are not allowed in data files"),
    ("a: !!python/object/apply:os.system [ls]\n", 1, 4, "custom tags are not allowed"),
    ("a: !Ref x\n", 1, 4, "custom tags are not allowed ('!Ref')"),
    ("a: !!set {x}\n", 1, 4, "the tag !!set is not allowed in data files"),
    ("a: !!omap [x: 1]\n", 1, 4, "the tag !!omap is not allowed in data files"),
    ("a: !!float many\n", 1, 4, "cannot read 'many' as float"),
    ("a: 1\na: 2\n", 2, 1, "duplicate key 'a'"),
    ("[1, 2]: x\n", 1, 1, "a mapping key must be a plain value"),
    ("a: [1, 2\n", 2, 1, "expected ',' or ']'"),
    ("a: b: c\n", 1, 5, "mapping values are not allowed in this context"),
    ("- a\n- b\n---\n- c\n", 3, 1,
     "expected a single document in the stream, but found another document"),
    ("a: " + "[" * 2000 + "]" * 2000 + "\n", 1, 0, "maximum nesting depth"),
])
def test_refused_with_position(text: str, line: int, column: int, message: str) -> None:
    data, problems = parse_yaml(text, "f.yaml")
    assert data is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.origin.path == "f.yaml"
    assert problem.origin.line == line
    if column:
        assert problem.origin.column == column
    assert problem.message.startswith("not valid YAML: ")
    assert message in problem.message


def test_alias_bomb_costs_nothing() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 30)]
    data, problems = parse_yaml("\n".join(lines))
    assert data is None
    assert "anchors and aliases" in problems[0].message


def test_read_yaml_files(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("\ufeffname: Grüße\n".encode())  # a byte-order mark is fine
    assert read_yaml(path) == ({"name": "Grüße"}, [])
    path.write_bytes("name: Gr\xfc\xdfe\n".encode("latin-1"))
    data, problems = read_yaml(path, "a.yaml")
    assert data is None
    assert str(problems[0]) == "a.yaml: not UTF-8 text (invalid start byte at byte 8)"
    missing, problems = read_yaml(tmp_path / "none.yaml", "none.yaml")
    assert (missing, [str(p) for p in problems]) == (None, ["none.yaml: file not found"])
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert read_yaml(tmp_path / "empty.yaml") == (None, [])


def test_atomic_write_replaces_whole_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.yaml"
    with atomic_write(path) as handle:
        handle.write("one\n")
    assert path.read_text(encoding="utf-8") == "one\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    with atomic_write(path) as handle:
        handle.write("two\n")
    assert path.read_text(encoding="utf-8") == "two\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the file's mode is kept
    with atomic_write(tmp_path / "b.bin", "wb") as handle:
        handle.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.yaml"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("crash while writing")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]  # no temporary file left
