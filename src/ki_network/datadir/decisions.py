"""People's verdicts on duplicate candidates, kept in ``decisions.yaml``.

Reading them is :mod:`ki_network.datadir.build`'s job (``Network.decisions``); here they are
written: one decision per pair of offers, updating an earlier verdict on the same pair in place
and leaving every other line of the file — comments, order, spelling — as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Decision
from .save import write_records
from .serialize import records_of, to_record

if TYPE_CHECKING:
    from ..network import Network

VERDICTS = ("same", "distinct")


def record_decision(network: Network, a: str, b: str, verdict: str, *, note: str | None = None,
                    by: str | None = None, on: date | None = None) -> Path:
    """Write the verdict on offers ``a`` and ``b`` to the network's decisions file.

    The file is the one the decisions were read from (``decisions.yaml`` or ``.jsonl``), else a
    new ``decisions.yaml``.  A pair decided before is updated in place: its unknown fields and
    their comments stay, and its note too when ``note`` is not given.  Returns its path.
    Raises ``ValueError`` for an unknown offer or verdict.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be 'same' or 'distinct', not {verdict!r}")
    for ref in (a, b):
        if ref not in network.offers:
            raise ValueError(f"unknown offer {ref!r}")
    if a == b:
        raise ValueError("a decision needs two different offers")
    if network.directory is None:
        raise ValueError("the network was not loaded from a directory")
    path = network.record_files.get("decisions") or network.directory / "decisions.yaml"
    pair = {a, b}
    extra: dict[str, object] = {}
    for earlier_decision in network.decisions:
        if {earlier_decision.a, earlier_decision.b} == pair:
            a, b = earlier_decision.a, earlier_decision.b  # keep the file's order of the two
            # A new verdict on a decided pair updates that record: its own fields (and the
            # comments on them) stay, and so does its note unless a new one is given.
            extra = dict(earlier_decision.extra)
            note = earlier_decision.note if note is None else note
    decision = Decision(a, b, verdict, note, by, on or date.today(), extra)
    records = [r for r, d in zip(records_of(network, "decisions"), network.decisions, strict=True)
               if {d.a, d.b} != pair]
    earlier = [i for i, d in enumerate(network.decisions) if {d.a, d.b} == pair]
    new = to_record(decision, network)
    records.insert(earlier[0] if earlier else len(records), new)
    write_records(path, "decisions", records)
    return path
