"""Partner feeds in: fetch (HTTP with limits), content lines, event mapping, the reader that
turns a feed into event records, and the merge that writes them into ``events.yaml``.
"""

from .fetch import FetchError, fetch
from .merge import MergeError, MergeReport, merge_into
from .reader import ImportedFeed, read_ics

__all__ = [
    "FetchError", "ImportedFeed", "MergeError", "MergeReport", "fetch", "merge_into", "read_ics",
]
