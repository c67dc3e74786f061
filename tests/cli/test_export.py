"""cli/export.py: choosing an exporter (by --to or by the output's suffix), --list, the
audience, and an exporter's failure named by its plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.plugin.manager import DISABLE_ENV
from ki_network.testing import TINY, entry_point_plugin, write_network


def export(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, ["export", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


@pytest.fixture
def network(tmp_path: Path) -> Path:
    offers = [*TINY["offers.yaml"],
              {"id": "team", "title": "Teamsitzung", "provider": "ki", "visibility": "partners"}]
    return write_network(tmp_path / "net", offers=offers)


def test_the_suffix_chooses_the_exporter(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "net.jsonl"
    result = export(network, "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (jsonl, audience public)\n"
    assert all("record" in json.loads(line) for line in out.read_text().splitlines())


def test_json_suffix_is_the_builtin_json_not_hsds(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "net.json"
    result = export(network, "-o", out, "--lang", "en")
    assert result.exit_code == 0 and "(json, audience public)" in result.stdout
    assert "network" in json.loads(out.read_text(encoding="utf-8"))


def test_to_overrides_the_suffix(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "records.txt"
    result = export(network, "--to", "jsonl", "-o", out)
    assert result.exit_code == 0, result.output
    assert "(jsonl," in result.stdout
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["record"] == "actor"


@pytest.mark.parametrize(("audience", "offers"), [
    ("public", ["cafe-gm"]), ("partners", ["cafe-gm", "team"]),
    ("internal", ["cafe-gm", "team"]),
])
def test_the_audience_decides_what_is_written(network: Path, tmp_path: Path, audience: str,
                                              offers: list[str]) -> None:
    out = tmp_path / "net.json"
    result = export(network, "-o", out, "--audience", audience, "--lang", "en")
    assert result.exit_code == 0 and f"audience {audience})" in result.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["network"]["audience"] == audience
    assert [o["id"] for o in document["offers"]] == offers


def test_list_shows_name_suffix_and_description(network: Path) -> None:
    result = export(network, "--list")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split(maxsplit=2)[1:] for line in result.stdout.splitlines()}
    assert rows["json"][0] == ".json" and rows["jsonl"][0] == ".jsonl"
    assert rows["jsonl"][1] == "one record a line, each with a 'record' field naming its kind"


def test_a_path_without_suffix_is_the_tabular_hsds_directory(network: Path, tmp_path: Path) -> None:
    result = export(network, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "datapackage.json").is_file()


def test_list_needs_no_output(network: Path, tmp_path: Path) -> None:
    result = export(network, "--list", "-o", tmp_path / "ignored.json")
    assert result.exit_code == 0 and not (tmp_path / "ignored.json").exists()


@pytest.mark.parametrize(("args", "message"), [
    ([], "name the output file with -o"),
    (["--to", "xml", "-o", "out.xml"], "unknown exporter 'xml'; available: json, jsonl, hsds"),
    (["-o", "out.csv"],
     "no exporter writes .csv; choose one with --to (json, jsonl, hsds, hsds-tabular)"),
])
def test_usage_errors(network: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = export(network, *[a if not a.startswith("out") else str(tmp_path / a)
                               for a in args])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert list(tmp_path.glob("out*")) == []


def broken_exporter(site: Path, plugin: str, error: str) -> None:
    """An installed plugin whose exporter ``broken`` (``.broken``) raises ``error``."""
    entry_point_plugin(site, plugin, f"""
        from ki_network import hookimpl

        class Broken:
            name = "broken"
            suffix = ".broken"
            description = "always fails"

            def export(self, network, path, options):
                raise {error}

        @hookimpl
        def ki_network_exporters():
            return [Broken()]
    """)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    return folder


def test_an_exporter_that_fails_is_named_by_its_plugin(network: Path, tmp_path: Path,
                                                       site: Path) -> None:
    broken_exporter(site, "cli-export-broken", 'RuntimeError("disk on fire")')
    listed = export(network, "--list")
    assert "broken" in listed.stdout and "always fails" in listed.stdout
    result = export(network, "-o", tmp_path / "x.broken")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: plugin 'cli-export-broken' failed in hook "
                                     "ki_network_exporters: RuntimeError: disk on fire")


def test_an_os_error_while_writing_is_a_file_error(network: Path, tmp_path: Path,
                                                   site: Path) -> None:
    broken_exporter(site, "cli-export-disk", 'OSError(28, "No space left on device")')
    out = tmp_path / "x.broken"
    result = export(network, "-o", out)
    assert result.exit_code == 1
    assert str(out) in result.stderr and "No space left on device" in result.stderr
    assert "plugin 'cli-export-disk'" not in result.stderr  # the disk, not the plugin
