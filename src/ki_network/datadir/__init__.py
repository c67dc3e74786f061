"""The data directory in and out: safe positioned YAML, ``network.yaml``, raw records, the
builder that turns records into the model, loading, serialising and writing back.
"""

from .decisions import record_decision
from .load import load, read_config
from .save import save

__all__ = ["load", "read_config", "record_decision", "save"]
