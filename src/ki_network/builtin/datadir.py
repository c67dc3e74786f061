"""The data directory source: ``actors.yaml``, ``offers.yaml`` ... or their ``.jsonl`` twins."""

from __future__ import annotations

import json
from pathlib import Path

from ..datadir.config import NetworkConfig
from ..datadir.records import KINDS, SUFFIXES, RecordSet, list_file
from ..datadir.yamlio import Items, Record, read_yaml
from ..errors import Origin, Problem
from ..plugin.manager import hookimpl

#: Kinds whose file must exist; the others are optional.
REQUIRED = ("actors",)


@hookimpl(tryfirst=True)
def ki_network_read_records(directory: Path, config: NetworkConfig, records: RecordSet) -> None:
    for kind in KINDS:
        path = list_file(directory, kind)
        if path is None:
            if kind in REQUIRED:
                records.problem(Problem(Origin(str(directory / f"{kind}.yaml")), "file not found"))
            continue
        records.files[kind] = path
        display = str(path)
        others = [directory / f"{kind}{suffix}" for suffix in SUFFIXES
                  if directory / f"{kind}{suffix}" != path
                  and (directory / f"{kind}{suffix}").exists()]
        if others:  # reading one and ignoring the other would drop records silently
            records.problem(Problem(Origin(str(others[0])), f"{kind} are in {path.name} and "
                                    f"{others[0].name}; keep one of them"))
        if path.suffix == ".jsonl":
            read_jsonl(path, display, kind, records)
        else:
            read_yaml_list(path, display, kind, records)


def read_yaml_list(path: Path, display: str, kind: str, records: RecordSet) -> None:
    data, problems = read_yaml(path, display)
    for problem in problems:
        records.problem(problem)
    if problems:
        records.unreadable.append(kind)
    if problems or data is None:
        return
    if not isinstance(data, list):
        origin = data.origin if isinstance(data, Record) else Origin(display, 1, 1)
        records.problem(Problem(origin, f"{display} must be a list of {kind}, one '- ' item each"))
        return
    for index, item in enumerate(data):
        if isinstance(item, Record):
            records.add(kind, item)
        else:
            records.problem(Problem(_item_origin(display, data, index),
                                    f"item {index + 1} is not a mapping of fields"))


def _item_origin(display: str, items: list[object], index: int) -> Origin:
    if isinstance(items, Items):
        return items.origins[index]
    # Without positions (another source's list): the previous mapping's is the best guess.
    for previous in reversed(items[:index]):
        if isinstance(previous, Record):
            return Origin(display, previous.origin.line, 0)
    return Origin(display)


def read_jsonl(path: Path, display: str, kind: str, records: RecordSet) -> None:
    try:
        handle = path.open("rb")
    except OSError as exc:
        records.problem(Problem(Origin(display), f"cannot read: {exc.strerror}"))
        return
    # The decoder is called directly (json.loads adds a few checks per call, which at
    # 300,000 lines cost a third of a second); anything unusual goes through json.loads
    # for its exact message.  Lines are decoded one by one, so that a byte that is not
    # UTF-8, nesting too deep for Python or a number too long to read is a problem at its
    # line, not the end of the file.
    decode, add = json.JSONDecoder().raw_decode, records.add
    with handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                records.problem(Problem(Origin(display, number, exc.start + 1),
                                        f"not UTF-8 text ({exc.reason})"))
                continue
            try:
                data, end = decode(line)
                clean = end == len(line) or line[end:].isspace()
            except (ValueError, RecursionError):
                clean = False
            if not clean:
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    if line.strip():  # blank lines are allowed
                        records.problem(Problem(Origin(display, number, exc.colno),
                                                f"not valid JSON: {exc.msg}"))
                    continue
                except RecursionError:
                    records.problem(Problem(Origin(display, number, 1),
                                            "not readable: nested too deeply"))
                    continue
                except ValueError:  # Python reads no integer of more than 4300 digits
                    records.problem(Problem(Origin(display, number, 1),
                                            "not readable: a number is too long"))
                    continue
            if type(data) is not dict:
                records.problem(Problem(Origin(display, number, 1),
                                        "each line must be one JSON object"))
                continue
            add(kind, Record(data, origin=Origin(display, number, 1)))
