"""Property-based fuzzing of the data-directory loader.

Whatever the files hold — arbitrary text where YAML is expected, arbitrary values in every
field, arbitrary bytes in JSON Lines — loading either gives a network or raises
:class:`~ki_network.DataError` with positioned problems; nothing else escapes, and no example
takes longer than its deadline.

The number of examples is bounded (``FUZZ_EXAMPLES`` per test, 40 by default; in CI the
``ci`` profile of ``tests/conftest.py`` replays them derandomized).  A longer run on demand::

    KI_NETWORK_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -q tests/fuzz
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ki_network.datadir.load import load
from ki_network.errors import DataError
from ki_network.testing import TINY, bare_plugin_manager

FUZZ_EXAMPLES = int(os.environ.get("KI_NETWORK_FUZZ_EXAMPLES", "40"))

fuzz = settings(max_examples=FUZZ_EXAMPLES, deadline=timedelta(seconds=10),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PM = bare_plugin_manager()


def _load(files: dict[str, Any]) -> None:
    """Load ``files``: a network, or a DataError whose every problem names a file."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for name, value in files.items():
            path = directory / name
            if isinstance(value, bytes):
                path.write_bytes(value)
            elif isinstance(value, str):
                path.write_text(value, encoding="utf-8", errors="surrogatepass")
            else:
                path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False),
                                encoding="utf-8")
        try:
            net = load(directory, PM)
        except DataError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.origin.path.startswith(tmp), problem
                assert problem.message and "\n" not in problem.message, problem
            return
        for actor in net.actors.values():  # what loaded is usable downstream
            net.for_audience("public")
            assert actor.id


scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=30) | st.dates().map(str)
           | st.sampled_from(["2026-01-13T09:30", "FREQ=WEEKLY;BYDAY=TU", "ki", "caritas",
                              "05374012", "public", "internal", "language.informal",
                              "FREQ=SECONDLY", "FREQ=DAILY;INTERVAL=0", "0001-01-01",
                              "javascript:x", "a\r\nb", "\u202e", "\x00"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


@fuzz
@given(name=st.sampled_from(["network.yaml", "actors.yaml", "offers.yaml", "events.yaml",
                             "relations.yaml", "decisions.yaml"]),
       text=st.text(max_size=400))
def test_any_text_in_a_yaml_file(name: str, text: str) -> None:
    files: dict[str, Any] = copy.deepcopy(dict(TINY))
    files[name] = text
    _load(files)


@fuzz
@given(name=st.sampled_from(["actors.yaml", "offers.yaml", "events.yaml", "relations.yaml"]),
       data=st.data())
def test_any_value_in_any_field(name: str, data: st.DataObject) -> None:
    files: dict[str, Any] = copy.deepcopy(dict(TINY))
    record = files[name][0]
    keys = [*record, "schedule", "contact", "url", "visibility", "geo", "extra-field"]
    for key in data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True)):
        record[key] = data.draw(values, label=key)
    _load(files)


@fuzz
@given(schedule=st.fixed_dictionaries({}, optional={
    "start": scalars, "end": scalars, "until": scalars, "exdates": values, "rdates": values,
    "rrule": st.lists(st.sampled_from(
        ["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=HOURLY",
         "FREQ=SECONDLY", "INTERVAL=0", "INTERVAL=3", "COUNT=5", "COUNT=0", "BYDAY=TU",
         "BYDAY=1MO,-1FR", "BYMONTH=2", "BYMONTHDAY=30", "BYMONTHDAY=-1", "BYSETPOS=3",
         "BYYEARDAY=366", "BYWEEKNO=53", "UNTIL=20260101", "UNTIL=99991231T000000Z",
         "BYHOUR=25", "WKST=SU", "X=1", ""]), max_size=5).map(";".join)}))
def test_any_schedule(schedule: dict[str, Any]) -> None:
    files: dict[str, Any] = copy.deepcopy(dict(TINY))
    files["offers.yaml"][0]["schedule"] = [schedule]
    _load(files)


@fuzz
@given(lines=st.lists(st.binary(max_size=120) | values.map(
    lambda v: json.dumps(v, default=str).encode()), max_size=6))
def test_any_bytes_in_json_lines(lines: list[bytes]) -> None:
    files: dict[str, Any] = copy.deepcopy(dict(TINY))
    del files["relations.yaml"]
    files["relations.jsonl"] = b"\n".join(lines)
    _load(files)


@pytest.mark.parametrize("depth", [10, 1000, 100_000])
def test_deep_nesting_everywhere(depth: int) -> None:
    files: dict[str, Any] = copy.deepcopy(dict(TINY))
    files["relations.yaml"] = "- " + "[" * depth + "]" * depth + "\n"
    _load(files)
    del files["relations.yaml"]
    files["relations.jsonl"] = b'{"a": ' + b"[" * depth + b"]" * depth + b"}\n"
    _load(files)
