"""Shared fixtures of the interoperability tests.

Tests that use the shared files beside the repository (``../shared``: the official HSDS
checker, the specification's examples, the ILAO directory) skip with a reason where they are
absent; every claim is also proven with the small fixtures in ``fixtures/``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
HSDS_CHECK = SHARED / "checks" / "hsds_validate.py"


@pytest.fixture
def hsds_validate() -> Callable[..., str]:
    """Runs the official checker (``mode`` json or tabular) and fails with its output unless
    it finds zero problems; skips where ``../shared`` is absent."""
    if not HSDS_CHECK.exists():
        pytest.skip(f"no shared HSDS checker at {HSDS_CHECK}")

    def run(mode: str, *paths: Path) -> str:
        check = subprocess.run([sys.executable, str(HSDS_CHECK), mode, *map(str, paths)],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
        return check.stdout

    return run
