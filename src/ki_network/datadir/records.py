"""Raw records as sources deliver them, before they are checked and built into the model."""

from __future__ import annotations

from pathlib import Path

import attrs

from ..errors import Problem
from .yamlio import Record

#: The kinds of records a source may deliver, in the order they are built.
KINDS = ("actors", "offers", "events", "relations", "decisions")

#: File suffixes of a kind's list file, in the order they are looked for.
SUFFIXES = (".yaml", ".yml", ".jsonl")


def list_file(directory: Path, kind: str) -> Path | None:
    """The file holding ``kind`` records, YAML preferred; ``None`` when there is none."""
    for suffix in SUFFIXES:
        candidate = directory / f"{kind}{suffix}"
        if candidate.exists():
            return candidate
    return None


@attrs.define
class RecordSet:
    """What the sources read: records by kind, problems, and the file each kind came from.

    Sources add to it through :meth:`add` and :meth:`problem`; a record's ``origin`` says where
    it was read so later problems can point at it.
    """

    records: dict[str, list[Record]] = attrs.field(factory=lambda: {k: [] for k in KINDS})
    problems: list[Problem] = attrs.field(factory=list)
    files: dict[str, Path] = attrs.field(factory=dict)
    #: kinds whose file a source could not parse at all (a YAML syntax error, not UTF-8):
    #: their records are missing, so references to them are not reported as unknown
    unreadable: list[str] = attrs.field(factory=list)

    def add(self, kind: str, record: Record) -> None:
        if kind not in self.records:
            raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
        self.records[kind].append(record)

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    def __len__(self) -> int:
        return sum(len(v) for v in self.records.values())
