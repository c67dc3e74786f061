"""HSDS 3.0 exports: the JSON page and the tabular data package."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ki_network.cli import main
from ki_network.interop.hsds_tabular import EXTENSIONS_KEY, TABLES

ROOT = Path(__file__).resolve().parents[2]
NETWORK = Path(__file__).parent / "fixtures" / "network"


def _export(directory: Path, fmt: str, out: Path, *more: str) -> Path:
    result = CliRunner().invoke(main, ["export", str(directory), "--to", fmt, "-o", str(out),
                                       *more])
    assert result.exit_code == 0, result.output
    return out


def test_tabular_export_has_the_official_columns_and_a_package_of_the_tables_present(
        tmp_path: Path) -> None:
    out = _export(NETWORK, "hsds-tabular", tmp_path / "tab")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in out.glob("*.csv"))
    assert sorted(r["path"] for r in package["resources"]) == files
    assert "cost_options.csv" not in files  # cut to the tables that have rows
    for resource in package["resources"]:
        with (out / resource["path"]).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert tuple(header) == TABLES[resource["name"]][1]
        assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert package["x_tzid"] == "Europe/Berlin"
    assert "x_ki_network" in json.dumps(package[EXTENSIONS_KEY]["service"])


def test_tabular_and_json_exports_use_the_same_stable_ids(tmp_path: Path) -> None:
    page = json.loads(_export(NETWORK, "hsds", tmp_path / "a.json").read_text(encoding="utf-8"))
    tab = _export(NETWORK, "hsds-tabular", tmp_path / "tab")
    with (tab / "services.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [s["id"] for s in page["contents"]]
    with (tab / "schedules.csv").open(encoding="utf-8", newline="") as handle:
        schedules = list(csv.DictReader(handle))
    assert [s["id"] for s in schedules] == [
        s["id"] for service in page["contents"] for s in service["schedules"]]
    again = _export(NETWORK, "hsds-tabular", tmp_path / "tab2")
    for path in tab.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_schedules_keep_the_zone_name_beside_the_numeric_offset(tmp_path: Path) -> None:
    page = json.loads(_export(NETWORK, "hsds", tmp_path / "a.json").read_text(encoding="utf-8"))
    schedules = {s["dtstart"]: s for service in page["contents"] for s in service["schedules"]}
    winter, across_dst = schedules["2026-01-13"], schedules["2026-10-25"]
    assert (winter["opens_at"], winter["timezone"], winter["x_tzid"]) == (
        "09:30+01:00", 1, "Europe/Berlin")
    # the night summer time ends: opens in summer time, closes in winter time
    assert (across_dst["opens_at"], across_dst["closes_at"], across_dst["timezone"]) == (
        "01:30+02:00", "04:00+01:00", 2)
    daily = next(s for s in schedules.values() if "RRULE:" in s.get("notes", ""))
    assert "freq" not in daily  # HSDS has weekly and monthly only; the rule is in notes
    assert daily["x_ki_network"]["rrule"] == "FREQ=DAILY;INTERVAL=14"


@pytest.mark.parametrize("directory", [NETWORK, ROOT / "examples" / "oberberg"],
                         ids=["fixture", "oberberg"])
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_exports_pass_the_official_checker(tmp_path: Path, directory: Path, audience: str,
                                           hsds_validate: Callable[..., str]) -> None:
    hsds_validate("json", _export(directory, "hsds", tmp_path / "a.json",
                                  "--audience", audience))
    hsds_validate("tabular", _export(directory, "hsds-tabular", tmp_path / "tab",
                                     "--audience", audience))
