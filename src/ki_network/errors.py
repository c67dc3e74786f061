"""Problems in data and the one exception that carries all of them.

A loader never stops at the first bad record: it collects every :class:`Problem` and raises
one :class:`DataError` at the end, so a person fixes a file in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import attrs
from rapidfuzz import process


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


def name_key(name: str) -> str:
    """One key for one spelling of a name: composed umlauts (NFC; macOS may paste them
    decomposed) and any case."""
    return unicodedata.normalize("NFC", name).casefold()


def suggest(word: str, choices: Iterable[str], limit: int = 2, cutoff: float = 80) -> list[str]:
    """Up to ``limit`` of ``choices`` that look like ``word`` (for "did you mean ...").

    Compared as :func:`name_key` has them, as resolving names compares them.
    """
    found = process.extract(word, list(choices), limit=limit, score_cutoff=cutoff,
                            processor=name_key)
    return [choice for choice, _, _ in found]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    close = suggest(word, choices)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


class UnknownValueError(ValueError):
    """An argument names something the network does not know (a misspelt topic, actor ...).

    The message is the command line's: ``no topic 'langauge' (did you mean 'language'?)``.
    ``argument`` is the parameter's name, ``value`` what was given, ``suggestions`` the close
    known values (possibly none).

    >>> err = UnknownValueError("topic", "langauge", ["language", "health"])
    >>> print(err)
    no topic 'langauge' (did you mean 'language'?)
    >>> isinstance(err, ValueError), err.argument
    (True, 'topic')
    """

    def __init__(self, argument: str, value: object, choices: Iterable[str],
                 what: str | None = None) -> None:
        choices = list(choices)
        self.argument = argument
        self.value = value
        text = str(value)
        self.suggestions = suggest(text, choices) if choices else []
        label = what or argument.replace("_", " ")
        super().__init__(f"no {label} {value!r}{did_you_mean(text, choices) if choices else ''}")


def check_type(function: str, argument: str, value: object, *types: type,
               optional: bool = False) -> None:
    """Raise a :class:`TypeError` naming ``argument`` when ``value`` is not of ``types``.

    ``bool`` does not pass for ``int``.

    >>> check_type("closed_days", "year", "2026", int)
    Traceback (most recent call last):
    ...
    TypeError: closed_days(): year must be int, not str ('2026')
    """
    if optional and value is None:
        return
    if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
        return
    names = " or ".join(t.__name__ for t in types) + (" or None" if optional else "")
    raise TypeError(f"{function}(): {argument} must be {names}, "
                    f"not {type(value).__name__} ({value!r})")
