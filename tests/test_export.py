"""The export command and the built-in exporters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ki_network.cli import main
from ki_network.testing import TINY, write_network

MARKER = "MARKER-internal-7f3a"


def _network_with_internal(tmp_path: Path) -> Path:
    actors = [*TINY["actors.yaml"],
              {"id": "secret", "name": MARKER, "kind": "other", "visibility": "internal"}]
    offers = [*TINY["offers.yaml"],
              {"id": "hidden", "title": MARKER, "provider": "caritas", "visibility": "partners"}]
    return write_network(tmp_path / "net", actors=actors, offers=offers)


def test_json_export_holds_every_kind(tmp_path: Path) -> None:
    directory = _network_with_internal(tmp_path)
    out = tmp_path / "net.json"
    result = CliRunner().invoke(main, ["export", str(directory), "-o", str(out),
                                       "--audience", "internal"])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {a["id"] for a in document["actors"]} == {"ki", "caritas", "verein", "secret"}
    assert [o["id"] for o in document["offers"]] == ["cafe-gm", "hidden"]
    assert document["events"][0]["start"] == "2026-09-19T14:00"
    assert document["relations"] == [{"source": "ki", "target": "caritas", "kind": "cooperates"}]


def test_public_export_leaves_out_restricted_items(tmp_path: Path) -> None:
    directory = _network_with_internal(tmp_path)
    out = tmp_path / "net.jsonl"
    result = CliRunner().invoke(main, ["export", str(directory), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert MARKER not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert {r["record"] for r in records} == {"actor", "offer", "event", "relation"}
    assert next(r for r in records if r["id"] == "ki")["kind"] == "administration"


def test_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    result = CliRunner().invoke(main, ["export", str(directory), "-o", str(tmp_path / "x.xyz")])
    assert result.exit_code == 2
    assert "no exporter writes .xyz" in result.output


def test_list_names_the_builtin_exporters(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    result = CliRunner().invoke(main, ["export", str(directory), "--list"])
    assert result.exit_code == 0
    assert {line.split()[0] for line in result.output.splitlines()} >= {"json", "jsonl", "hsds"}


HSDS_CHECK = Path(__file__).resolve().parents[1].parent / "shared" / "checks" / "hsds_validate.py"


@pytest.mark.skipif(not HSDS_CHECK.exists(), reason=f"no shared HSDS checker at {HSDS_CHECK}")
def test_hsds_export_passes_the_official_schemas(tmp_path: Path) -> None:
    directory = _network_with_internal(tmp_path)
    out = tmp_path / "services.json"
    result = CliRunner().invoke(main, ["export", str(directory), "--to", "hsds", "-o", str(out)])
    assert result.exit_code == 0, result.output
    check = subprocess.run([sys.executable, str(HSDS_CHECK), "json", str(out)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    page = json.loads(out.read_text(encoding="utf-8"))
    assert MARKER not in out.read_text(encoding="utf-8")
    (service,) = page["contents"]
    assert service["name"] == "Sprachcafé"
    assert service["schedules"][0]["byday"] == "TU"
    assert service["schedules"][0]["opens_at"] == "09:30+01:00"
    assert {lang["code"] for lang in service["languages"]} == {"de", "ar"}


def test_hsds_ids_are_stable_across_exports(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    for out in (first, second):
        CliRunner().invoke(main, ["export", str(directory), "--to", "hsds", "-o", str(out)])
    assert first.read_bytes() == second.read_bytes()
