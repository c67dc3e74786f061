"""What the hostile-input tests share: a deadline for every test, the command line in-process,
and the tiny network with a few records changed.

Every test here runs under a SIGALRM deadline (:data:`DEADLINE` seconds): a case that would
hang (a recurrence rule dateutil never finishes, a calendar of every second) fails with
:class:`Hang` instead of blocking the suite.  The command line runs in-process through click's
runner, so a traceback shows up as ``result.exception`` and fails :func:`run`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.testing import TINY

from ..conftest import time_limit

#: seconds a hostile case may take at most (a tiny network loads in a fraction of a second)
DEADLINE = 30


class Hang(Exception):  # noqa: N818 - what it is
    """A case ran past its deadline."""


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    with time_limit(DEADLINE, Hang):
        yield


def run(*args: str | Path) -> Result:
    """``ki-network ARGS`` in-process; fails the test on any exception but a clean exit."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    if isinstance(result.exception, Hang):
        raise result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback instead of a message: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output
    return result


def tiny(**changes: Any) -> dict[str, Any]:
    """The tiny network's files; ``changes`` update the first record of a file by name:
    ``tiny(offers={"url": "x"})``, or replace the file when given a list."""
    files = copy.deepcopy(dict(TINY))
    for name, change in changes.items():
        if isinstance(change, list):
            files[f"{name}.yaml"] = change
        else:
            files[f"{name}.yaml"][0].update(change)
    return files


def write(directory: Path, files: dict[str, Any]) -> Path:
    """Write ``files`` (values: data dumped as YAML, or ``str``/``bytes`` written as they are)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        if isinstance(value, bytes):
            (directory / name).write_bytes(value)
        elif isinstance(value, str):
            (directory / name).write_text(value, encoding="utf-8")
        else:
            (directory / name).write_text(
                yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def problems(result: Result) -> list[str]:
    """The ``file:line:column: message`` lines of a failed load, without the count line."""
    return [line for line in result.stderr.splitlines() if not line.endswith(" found")]
