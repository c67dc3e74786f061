"""Lets ``pytest`` run the tests from a checkout before the plugin is installed."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))
