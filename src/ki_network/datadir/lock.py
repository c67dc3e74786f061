"""One writer at a time per data directory.

Two ``ics import`` runs into one directory both read ``events.yaml``, both add their events
and both write: the second write silently drops what the first added.  Every write-back
(``save()``, ``ics import``) therefore holds the directory's lock — an operating-system file
lock (:mod:`filelock`) on ``.ki-network/write.lock`` — and reads the files it changes *after*
taking it.  A second writer waits for the first (up to :data:`WAIT` seconds) and then fails
with :class:`DirectoryLocked`.  The lock goes with the process: a killed writer leaves no
stale lock behind (the lock file itself stays; it is empty).

Readers (``load``) take no lock: every file is replaced atomically, so a reader sees each
file either before or after a write.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with write_lock(root):
...     with write_lock(root):  # the same process may nest it
...         pass
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import filelock

#: Seconds a writer waits for another one to finish.
WAIT = 60.0
#: The lock file, relative to the data directory.
LOCK_FILE = Path(".ki-network") / "write.lock"


class DirectoryLocked(Exception):  # noqa: N818 - reads as what happened
    """Another process kept writing the data directory for longer than the wait."""


@contextlib.contextmanager
def write_lock(directory: Path, wait: float = WAIT) -> Iterator[None]:
    """Hold the write lock of data directory ``directory`` (nests within one process).

    :raises DirectoryLocked: another process held it for more than ``wait`` seconds.
    """
    path = directory / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # is_singleton: one lock object per file in this process, so nesting counts up instead of
    # taking a second OS lock that would wait for the first forever
    lock = filelock.FileLock(path, is_singleton=True, thread_local=False)
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout as exc:
        raise DirectoryLocked(f"{directory}: another ki-network process is writing this data "
                              f"directory (it holds {path}); waited {wait:g} s") from exc
    try:
        yield
    finally:
        lock.release()
