"""Issue #12: the API reference documents every name of the facade."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import ki_network

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"

#: the main entry point of each capability, as the issue lists them
ENTRY_POINTS = {"load", "save", "find_duplicates", "DuplicateIndex", "export_calendar",
                "occurrences", "find_conflicts", "run_checks", "render_report", "export",
                "exporters", "write_graph", "restricted", "UnknownValueError"}


def test_every_name_of_the_facade_is_in_the_api_reference() -> None:
    documented = {target.rsplit(".", 1)[-1]
                  for target in re.findall(r"^::: (ki_network[\w.]*)$",
                                           PAGE.read_text(encoding="utf-8"), flags=re.M)}
    missing = sorted(set(ki_network.__all__) - documented)
    assert not missing, f"add to docs/api.md: {missing}"


def test_each_capability_has_its_entry_point_in_the_facade() -> None:
    assert set(ki_network.__all__) >= ENTRY_POINTS
    assert ki_network.run_checks is ki_network.checks.run_rules
    assert all(hasattr(ki_network, name) for name in ki_network.__all__)


def test_all_is_sorted() -> None:
    assert list(ki_network.__all__) == sorted(ki_network.__all__)


def test_the_reference_is_built_by_mkdocstrings() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert any(isinstance(p, dict) and "mkdocstrings" in p for p in config["plugins"])
    assert "api.md" in str(config["nav"])
