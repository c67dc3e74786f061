"""One computation in a forked process, so that a check uses both cores of a small machine.

The rules of a large network spend most of their time in independent computations: the
year's occurrences with their conflicts here, the duplicate pairs and the graph's
introductions there.  :func:`ki_network.checks.run_rules` runs the rules marked
``background`` in a forked child (:class:`Pending`) while the others run in this process; the
child sees the loaded network through copy-on-write memory — nothing is pickled on the way
in — and sends back only the findings.  The standard library's process pools would pickle
the network for the child; ``fork`` is why this is a few lines on Linux, and simply off
elsewhere.

Where ``fork`` is not available or ``KI_NETWORK_WORKERS=0`` is set, the computation runs
in-process when its result is asked for; so it does when the child fails in any way
(killed, out of memory, an exception): then an error is raised here, where the engine reports
it as the rule's failure.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: offers from which a forked worker pays off (forking and sending back cost ~0.1 s)
MIN_OFFERS = 20_000
WORKERS_ENV = "KI_NETWORK_WORKERS"


def available() -> bool:
    """True if computations may go to a forked child on this machine."""
    return (sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
            and os.environ.get(WORKERS_ENV, "1") != "0")


class Pending(Generic[T]):
    """A result being computed in a child process (or later here, see :meth:`result`)."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._done = False
        self._value: T | None = None
        self._process: Any = None
        self._pipe: Any = None
        if available():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            # fork: the target is not pickled, so a closure over the network is fine
            self._process = context.Process(target=_child, args=(compute, sender),
                                            daemon=True)
            self._process.start()
            sender.close()
            self._pipe = receiver

    @property
    def forked(self) -> bool:
        return self._process is not None

    def result(self) -> T:
        """The result: from the child when it delivered, else computed here."""
        if self._done:
            return self._value  # type: ignore[return-value]
        value: T | None = None
        delivered = False
        if self._process is not None:
            try:
                ok, payload = self._pipe.recv()
                delivered = ok
                value = payload if ok else None
            except (EOFError, OSError):
                pass  # the child died; compute here
            finally:
                self._pipe.close()
                self._process.join()
        if not delivered:
            value = self._compute()
        self._value, self._done = value, True
        return value  # type: ignore[return-value]


def _child(compute: Callable[[], Any], sender: Any) -> None:
    try:
        result = compute()
    except Exception:  # the parent recomputes and reports the error with the rule's id
        sender.send((False, None))
    else:
        sender.send((True, result))
    finally:
        sender.close()
