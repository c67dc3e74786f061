"""The default vocabularies: the topic taxonomy of integration work and target groups.

Registered last-resort (``trylast``): a plugin's definition of the same id wins.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from ..model import TargetGroup, Text, Topic
from ..plugin.manager import hookimpl


@cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    text = files("ki_network.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


@hookimpl(trylast=True)
def ki_network_topics() -> list[Topic]:
    return [
        Topic(row["id"], Text.of({"de": row["label_de"], "en": row["label_en"]}),
              row["parent"] or None)
        for row in _rows("topics.csv")
    ]


@hookimpl(trylast=True)
def ki_network_target_groups() -> list[TargetGroup]:
    return [
        TargetGroup(row["id"], Text.of({"de": row["label_de"], "en": row["label_en"]}))
        for row in _rows("target_groups.csv")
    ]
