"""The network the report tests render: the tiny one, with an internal actor and an event."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ki_network.testing import TINY, write_network


def files() -> dict[str, Any]:
    content = copy.deepcopy(dict(TINY))
    content["actors.yaml"].append(
        {"id": "arbeitskreis", "name": "Interner Arbeitskreis", "kind": "other",
         "visibility": "internal", "municipalities": ["05374012"]})
    content["events.yaml"].append(
        {"id": "elternabend", "title": {"de": "Elternabend", "en": "Parents' evening"},
         "organisers": ["ki"], "municipality": "05374012", "location": "Rathaus",
         "start": "2026-03-05T18:00", "end": "2026-03-05T20:00"})
    return content


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_network(tmp_path_factory.mktemp("report") / "net", files())


