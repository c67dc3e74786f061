"""Problems in data and the one exception that carries all of them.

A loader never stops at the first bad record: it collects every :class:`Problem` and raises
one :class:`DataError` at the end, so a person fixes a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import attrs


@attrs.frozen(order=True)
class Origin:
    """Where a value was read: a file and a 1-based line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def relative_to(self, base: Path) -> Origin:
        """The same origin with its path shown relative to ``base`` where possible."""
        try:
            return attrs.evolve(self, path=str(Path(self.path).relative_to(base)))
        except ValueError:
            return self


#: Control characters (and the Unicode line separators and bidi controls): a value quoted
#: in a message must not break its line or send escape sequences to the terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(message: str) -> str:
    r"""``message`` with control characters written as escapes, so it stays one line.

    >>> one_line("'start' \n is not a date\x1b[31m")
    "'start' \\n is not a date\\x1b[31m"
    """
    if _CONTROL.search(message) is None:
        return message
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], message)


@attrs.frozen(order=True)
class Problem:
    """One thing wrong with the data, printed as ``file:line:column: message``.

    The message is always one line: control characters in it (from a quoted value) are
    written as escapes.
    """

    origin: Origin
    message: str = attrs.field(converter=one_line)

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


class DataError(Exception):
    """Invalid data. ``problems`` holds every problem found, sorted by file and line.

    >>> err = DataError([Problem(Origin("offers.yaml", 3, 5), "unknown provider 'x'")])
    >>> print(err)
    offers.yaml:3:5: unknown provider 'x'
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PluginError(Exception):
    """A plugin raised inside a hook. Names the plugin and the hook in one line."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        self.plugin = plugin
        self.hook = hook
        self.error = error
        # One line, whatever the plugin's message looks like: the command line prints it as is.
        message = " ".join(str(error).split())
        super().__init__(
            f"plugin {plugin!r} failed in hook {hook}: {type(error).__name__}: {message}"
        )
