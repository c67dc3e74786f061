"""examples/detect_duplicates.py runs as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .test_cli import _directory

SCRIPT = Path(__file__).parents[2] / "examples" / "detect_duplicates.py"


def test_example_script(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    result = subprocess.run([sys.executable, str(SCRIPT), str(directory)], capture_output=True,
                            text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "same     " in result.stdout and "overlap  " in result.stdout
    assert "one offer, recorded 4 times: a, b, nah, x" in result.stdout
    assert "checking a new offer" in result.stdout and "like a:" in result.stdout
