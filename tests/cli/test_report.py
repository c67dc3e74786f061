"""cli/report.py: the ``report`` command writes one HTML file, says so on stderr, and refuses
bad rule settings before writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.testing import TINY, write_network


def report(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, ["report", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def test_writes_one_html_file_and_says_so_on_stderr(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    out = tmp_path / "site" / "report.html"
    result = report(directory, "-o", out, "--audience", "partners", "--today", "2026-03-01",
                    "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"{out}: report for the audience 'partners'\n"
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Kommunales Integrationszentrum" in html and "Caritas" in html
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file


@pytest.mark.parametrize(("rules", "message"), [
    ({"no-such-rule": False}, "unknown rule 'no-such-rule' in 'rules'"),
    ({"organiser-double-booked": {"severity": "fatal"}},
     "rule 'organiser-double-booked': severity must be info, warning or error, not 'fatal'"),
    ({"organiser-double-booked": "loud"},
     "settings of rule 'organiser-double-booked' must be a mapping or false"),
])
def test_bad_rule_settings_are_exit_1_and_nothing_is_written(
        tmp_path: Path, rules: dict[str, object], message: str) -> None:
    files = {**TINY, "network.yaml": {**TINY["network.yaml"], "rules": rules}}
    directory = write_network(tmp_path / "net", files)
    out = tmp_path / "report.html"
    result = report(directory, "-o", out)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{directory / 'network.yaml'}:") and message in line
    assert not out.exists()


@pytest.mark.parametrize("args", [
    [],                                      # -o is required
    ["-o", "r.html", "--lang", "fr"],        # no such translation
    ["-o", "r.html", "--week", "next"],      # not a day
])
def test_usage_errors(tmp_path: Path, args: list[str]) -> None:
    directory = write_network(tmp_path / "net")
    result = report(directory, *[str(tmp_path / a) if a.endswith(".html") else a
                                 for a in args])
    assert result.exit_code == 2
    assert not (tmp_path / "r.html").exists()
