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
import threading
from collections.abc import Iterator
from pathlib import Path

import filelock

#: Seconds a writer waits for another one to finish.
WAIT = 60.0
#: The lock file, relative to the data directory.
LOCK_FILE = Path(".ki-network") / "write.lock"


class DirectoryLocked(Exception):  # noqa: N818 - reads as what happened
    """Another writer kept writing the data directory for longer than the wait."""


_THREAD_LOCKS: dict[Path, threading.RLock] = {}
_GUARD = threading.Lock()


def _thread_lock(path: Path) -> threading.RLock:
    """The lock that keeps threads of this process apart (the file lock counts nesting per
    process, not per thread)."""
    with _GUARD:
        return _THREAD_LOCKS.setdefault(path, threading.RLock())


@contextlib.contextmanager
def write_lock(directory: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the write lock of data directory ``directory`` (a thread may nest it).

    :param wait: seconds to wait for another writer (default :data:`WAIT`).
    :raises DirectoryLocked: another process or thread held it for longer.
    """
    wait = WAIT if wait is None else wait
    path = (directory / LOCK_FILE).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    message = (f"{directory}: another ki-network process is writing this data directory (it "
               f"holds {directory / LOCK_FILE}); waited {wait:g} s")
    in_process = _thread_lock(path)
    if not in_process.acquire(timeout=wait):
        raise DirectoryLocked(message)
    try:
        # is_singleton: one lock object per file in this process, so nesting counts up
        # instead of taking a second OS lock that would wait for the first forever
        lock = filelock.FileLock(path, is_singleton=True, thread_local=False)
        try:
            lock.acquire(timeout=wait)
        except filelock.Timeout as exc:
            raise DirectoryLocked(message) from exc
        try:
            yield
        finally:
            lock.release()
    finally:
        in_process.release()
