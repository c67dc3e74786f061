"""Partner feeds from files: regular files only, of bounded size, and for live feeds inside
the data directory (or a folder ``network.yaml`` allows).

Whoever may edit ``actors.yaml`` decides what an actor's ``calendar:`` names, and every load
of the network reads it: ``/dev/zero`` would fill the memory, a FIFO would wait forever and
``../../../../etc/passwd`` would be read (and end up in skipped-event messages).

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> try:
...     confined(root, "../../etc/passwd", ())
... except FeedFileError as exc:
...     print(str(exc)[:32])
lies outside the data directory
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path


class FeedFileError(Exception):
    """A feed file that is refused or cannot be read; the message completes "file X …"."""


def confined(directory: Path, source: str, folders: Iterable[Path]) -> Path:
    """The file ``source`` names (relative to ``directory``), resolved, if it lies inside
    ``directory`` or one of ``folders`` (symbolic links followed).

    :raises FeedFileError: it lies elsewhere.
    """
    path = (directory / source).resolve()
    for root in (directory, *folders):
        if path.is_relative_to(root.resolve()):
            return path
    raise FeedFileError("lies outside the data directory (and outside the folders allowed in "
                        "network.yaml 'feeds: folders')")


def read_feed_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    :raises FeedFileError: missing, not a regular file (a device, FIFO, socket, directory),
        larger than ``max_bytes``, or unreadable.
    """
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise FeedFileError("not found") from exc
    except OSError as exc:
        raise FeedFileError(f"cannot be read: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise FeedFileError("is not a regular file")
    if info.st_size > max_bytes:
        raise FeedFileError(f"is {info.st_size:,} bytes, more than the limit of "
                            f"{max_bytes:,}")
    # O_NONBLOCK: should the name have become a FIFO since the check, opening does not wait
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise FeedFileError(f"cannot be read: {exc.strerror}") from exc
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FeedFileError("is not a regular file")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise FeedFileError(f"cannot be read: {exc.strerror}") from exc
    if len(data) > max_bytes:
        raise FeedFileError(f"is larger than the limit of {max_bytes:,} bytes")
    return data
