"""cli/_common.py: what every command shares — exit codes 0/1/2, problems and plugin errors
as clean messages, ``--format json`` as the only thing on stdout, plugin load warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.cli._common import _LoadingBar, echo_json
from ki_network.plugin.manager import DISABLE_ENV
from ki_network.testing import TINY, entry_point_plugin, write_network

#: Every command that reads DIR, with the options it needs to run.
LOADING = {
    "validate": [],
    "info": [],
    "duplicates": [],
    "check": ["--today", "2026-03-01"],
    "conflicts": ["--from", "2026-03-01"],
    "calendar": ["-o", "{out}/joint.ics", "--no-state"],
    "graph": ["-o", "{out}/net.graphml"],
    "export": ["-o", "{out}/net.json"],
    "report": ["-o", "{out}/report.html", "--today", "2026-03-01"],
}

#: Commands with ``--format text|json``.
FORMATTED = {
    "info": [],
    "duplicates": [],
    "check": ["--today", "2026-03-01", "--fail-on", "never"],
    "conflicts": ["--from", "2026-03-01", "--fail-on", "never"],
}


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def options(args: list[str], out: Path) -> list[str]:
    return [a.format(out=out) for a in args]


@pytest.fixture
def network(tmp_path: Path) -> Path:
    return write_network(tmp_path / "net")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The tiny network with two problems in two files."""
    offers = [{**TINY["offers.yaml"][0], "provider": "nobody"}]
    relations = [{"source": "ki", "target": "caritas", "kind": "likes"}]
    return write_network(tmp_path / "broken", offers=offers, relations=relations)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` where tests install plugins with ``entry_point_plugin``."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    return folder


# -- exit 1: invalid data ----------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(LOADING))
def test_invalid_data_is_exit_1_with_every_problem_on_stderr(command: str, broken: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(command, broken, *options(LOADING[command], out))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "2 problems found"
    assert any(line.startswith(f"{broken / 'offers.yaml'}:") and "nobody" in line
               for line in lines)
    assert any(line.startswith(f"{broken / 'relations.yaml'}:") and "likes" in line
               for line in lines)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing written


def test_one_problem_is_singular(network: Path) -> None:
    (network / "relations.yaml").write_text("- {source: ki, target: caritas, kind: likes}\n",
                                            encoding="utf-8")
    result = invoke("validate", network)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 2
    assert result.stderr.splitlines()[-1] == "1 problem found"


# -- exit 0: fine ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(set(LOADING) - {"report"}))  # report: tests/report
def test_valid_data_is_exit_0(command: str, network: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(command, network, *options(LOADING[command], out))
    assert result.exit_code == 0, result.output


# -- exit 2: usage -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(LOADING))
def test_a_missing_or_non_directory_dir_is_a_usage_error(command: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing = invoke(command, tmp_path / "nowhere", *options(LOADING[command], out))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    a_file = tmp_path / "file.yaml"
    a_file.write_text("name: x\n", encoding="utf-8")
    not_dir = invoke(command, a_file, *options(LOADING[command], out))
    assert not_dir.exit_code == 2 and "is a file" in not_dir.stderr


@pytest.mark.parametrize("command", sorted(LOADING))
def test_an_unknown_option_is_a_usage_error(command: str, network: Path) -> None:
    result = invoke(command, network, "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr and "--no-such-option" in result.stderr


@pytest.mark.parametrize("command", sorted(FORMATTED))
def test_an_unknown_format_is_a_usage_error(command: str, network: Path) -> None:
    result = invoke(command, network, "--format", "yaml")
    assert result.exit_code == 2 and "'yaml' is not one of 'text', 'json'" in result.stderr


@pytest.mark.parametrize(("command", "extra"), [
    ("calendar", ["-o", "{out}/x.ics"]), ("graph", ["-o", "{out}/x.gexf"]),
    ("export", ["-o", "{out}/x.json"]), ("report", ["-o", "{out}/x.html"]),
    ("duplicates", []), ("check", []),
])
def test_an_unknown_audience_is_a_usage_error(command: str, extra: list[str], network: Path,
                                              tmp_path: Path) -> None:
    result = invoke(command, network, *options(extra, tmp_path), "--audience", "everybody")
    assert result.exit_code == 2 and "'everybody' is not one of" in result.stderr


@pytest.mark.parametrize("command", ["check", "report"])
def test_today_must_be_a_date(command: str, network: Path, tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path / "r.html")] if command == "report" else []
    result = invoke(command, network, *extra, "--today", "01.03.2026")
    assert result.exit_code == 2 and "--today" in result.stderr


def test_no_command_or_an_unknown_one() -> None:
    assert invoke("nonsense").exit_code == 2
    assert "Usage:" in invoke().output  # a group without command shows its usage


# -- --format json -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(FORMATTED))
def test_json_is_all_there_is_on_stdout(command: str, tmp_path: Path) -> None:
    files = {**TINY, "network.yaml": {**TINY["network.yaml"], "name": "Netzwerk Höhe–Tal"}}
    directory = write_network(tmp_path / "net", files)
    result = invoke(command, directory, "--format", "json", *FORMATTED[command])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # nothing but the document


def test_json_keeps_non_ascii_text(tmp_path: Path) -> None:
    files = {**TINY, "network.yaml": {**TINY["network.yaml"], "name": "Netzwerk Höhe–Tal"}}
    result = invoke("info", write_network(tmp_path / "net", files), "--format", "json")
    assert '"name": "Netzwerk Höhe–Tal"' in result.stdout
    assert json.loads(result.stdout)["name"] == "Netzwerk Höhe–Tal"


def test_echo_json_writes_dates_and_other_values_as_text(capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    from datetime import date

    echo_json({"on": date(2026, 2, 1), "path": Path("a/b"), "n": 1, "text": "Waldbröl"})
    document = json.loads(capsys.readouterr().out)
    assert document == {"on": "2026-02-01", "path": "a/b", "n": 1, "text": "Waldbröl"}


# -- help and version --------------------------------------------------------------------------


def test_short_help_and_version() -> None:
    assert invoke("-h").stdout == invoke("--help").stdout
    assert "Exit codes: 0 fine, 1 invalid data or findings, 2 usage error" in (
        " ".join(invoke("--help").stdout.split()))
    assert invoke("--version").stdout.strip().endswith("version 0.1.0")


@pytest.mark.parametrize("command", sorted(LOADING))
def test_every_command_has_short_help(command: str) -> None:
    result = invoke(command, "-h")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: ")


# -- plugins: a failure is one line, a broken install is a warning -----------------------------


def test_a_failing_plugin_is_one_error_line_and_exit_1(site: Path, network: Path) -> None:
    entry_point_plugin(site, "common-explodes", """
        from ki_network import hookimpl

        @hookimpl
        def ki_network_loaded(network):
            raise RuntimeError("boom\\nsecond line")
    """)
    result = invoke("info", network)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: plugin 'common-explodes' failed in hook ki_network_loaded: RuntimeError: boom "
        "second line"]
    assert result.stdout == ""


def test_a_plugin_that_cannot_load_is_a_warning(site: Path, network: Path) -> None:
    entry_point_plugin(site, "common-broken", "raise ImportError('missing dependency')\n")
    result = invoke("validate", network, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "warning: plugin 'common-broken' not loaded:" in result.stderr
    assert "missing dependency" in result.stderr
    assert result.stdout.startswith(f"{network}: valid")


# -- the loading bar ---------------------------------------------------------------------------


def test_the_loading_bar_is_not_drawn_when_loading_is_done_at_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    with _LoadingBar() as bar:
        bar.update(10, 10)
    assert bar._bar is None
    assert capsys.readouterr().err == ""


def test_the_loading_bar_follows_the_progress() -> None:
    with _LoadingBar() as bar:
        bar.update(100, 1000)
        assert bar._bar is not None and bar._bar.pos == 100
        bar.update(1000, 1000)
        assert bar._bar.pos == 1000
