"""cli/serve.py: what ``ki-network serve`` checks before it listens, what it hands to uvicorn,
and that access logs never show a token."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.cli.serve import _RedactTokens
from ki_network.testing import TINY, write_network

uvicorn = pytest.importorskip("uvicorn", reason="ki-network[serve] is not installed")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The command configures logging for the process; give the next test what it had."""
    root, ours = logging.getLogger(), logging.getLogger("ki_network")
    access = logging.getLogger("uvicorn.access")
    handlers, root_level = list(root.handlers), root.level
    level, filters = ours.level, list(access.filters)
    yield
    root.handlers[:] = handlers  # basicConfig may have added one writing to CliRunner's stderr
    root.setLevel(root_level)
    ours.setLevel(level)
    access.filters[:] = filters


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced: what the command would have started."""
    calls: list[dict[str, Any]] = []

    def run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", run)
    return calls


def serve(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, ["serve", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def test_the_server_gets_the_options(tmp_path: Path, runs: list[dict[str, Any]]) -> None:
    directory = write_network(tmp_path / "net")
    result = serve(directory, "--host", "127.0.0.2", "--port", "9000", "--root-path",
                   "/kalender", "--watch", "off", "--no-state", "--no-access-log",
                   "--log-level", "warning", "--forwarded-allow-ips", "10.0.0.1")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"serving {directory.resolve()} on http://127.0.0.2:9000/kalender/\n"
    (call,) = runs
    assert {k: call[k] for k in ("host", "port", "root_path", "proxy_headers",
                                 "forwarded_allow_ips", "log_level", "access_log",
                                 "server_header")} == {
        "host": "127.0.0.2", "port": 9000, "root_path": "/kalender", "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.1", "log_level": "warning", "access_log": False,
        "server_header": False}
    assert callable(call["app"])
    assert not (directory / ".ki-network").exists()  # --no-state


def test_invalid_data_is_refused_before_listening(tmp_path: Path,
                                                  runs: list[dict[str, Any]]) -> None:
    relations = [{"source": "ki", "target": "nobody", "kind": "funds"}]
    directory = write_network(tmp_path / "net", relations=relations)
    result = serve(directory, "--watch", "off")
    assert result.exit_code == 1
    assert "unknown actor 'nobody'" in result.stderr
    assert runs == []


def test_a_broken_state_file_is_refused_before_listening(tmp_path: Path,
                                                         runs: list[dict[str, Any]]) -> None:
    directory = write_network(tmp_path / "net")
    state = tmp_path / "state.json"
    state.write_text("not json", encoding="utf-8")
    result = serve(directory, "--watch", "off", "--state", state)
    assert result.exit_code == 1
    assert "not a readable calendar state file" in result.stderr
    assert runs == []


@pytest.mark.parametrize("args", [
    ["--port", "70000"], ["--port", "-1"], ["--watch", "inotify"],
    ["--poll-interval", "0.01"], ["--log-level", "trace"],
])
def test_usage_errors(tmp_path: Path, runs: list[dict[str, Any]], args: list[str]) -> None:
    directory = write_network(tmp_path / "net", TINY)
    result = serve(directory, *args)
    assert result.exit_code == 2
    assert runs == []


@pytest.mark.parametrize(("line", "shown"), [
    ("GET /calendars/partners.ics?token=s3cret HTTP/1.1",
     "GET /calendars/partners.ics?token=… HTTP/1.1"),
    ("GET /x.ics?audience=internal&TOKEN=abc&lang=de",
     "GET /x.ics?audience=internal&TOKEN=…&lang=de"),
    ("GET /calendars/joint.ics HTTP/1.1", "GET /calendars/joint.ics HTTP/1.1"),
])
def test_access_log_lines_hide_tokens(line: str, shown: str) -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s" %d', ("127.0.0.1:5000", line, 200), None)
    assert _RedactTokens().filter(record) is True
    assert record.args == ("127.0.0.1:5000", shown, 200)
    assert "s3cret" not in record.getMessage() and "abc" not in record.getMessage()
