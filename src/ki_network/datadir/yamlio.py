"""Reading YAML safely, with positions; writing files atomically.

Reading uses PyYAML's C parser with the safe constructor (libyaml parses, Python builds), so
people's files load fast.  Three deliberate departures from plain ``yaml.safe_load``:

* every mapping remembers where it and each of its keys stood, so a problem found later can be
  reported as ``file:line:column``;
* anchors and aliases are refused: data files never need them, and refusing them closes the
  door on "billion laughs" alias bombs; custom tags are refused by the safe constructor;
* booleans follow YAML 1.2 (only ``true``/``false``), so the language code ``no`` (Norwegian)
  or an answer ``on`` stays a string.

Write-back with comments preserved is in :mod:`ki_network.sources.roundtrip`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import Origin, Problem

try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing: same semantics, slower
    _Parser = yaml.SafeLoader


class Record(dict[str, Any]):
    """A mapping read from a file that knows where it and each key came from."""

    __slots__ = ("key_origins", "origin")

    origin: Origin
    key_origins: dict[str, Origin]

    def __init__(self, *args: Any, origin: Origin, key_origins: dict[str, Origin] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origin = origin
        self.key_origins = {} if key_origins is None else key_origins

    def origin_of(self, key: str) -> Origin:
        """Where ``key`` stood, falling back to the record itself."""
        return self.key_origins.get(key, self.origin)


class Items(list[Any]):
    """The top-level list of a file, with where each item began (``origins``)."""

    __slots__ = ("origins",)

    def __init__(self, items: Iterable[Any], origins: list[Origin]) -> None:
        super().__init__(items)
        self.origins = origins


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.2-style booleans and numbers.

    ``yes``, ``no``, ``on``, ``off`` stay strings; so do numbers with a leading zero (AGS
    codes, postcodes, phone numbers: YAML 1.1 reads ``05374012`` as an octal number), base-60
    numbers (``9:30`` would be 570), ``0b``/``0x`` numbers and numbers with ``_``.  A number
    is only what both YAML 1.1 (PyYAML, which wrote many files) and YAML 1.2 (ruamel.yaml,
    which writes them back) take for one, so a text either of them wrote unquoted stays text:
    ``1e3`` is a float only in 1.2, so it stays text.
    """


_REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
#: What reads as a float (and what a writer must produce for one).
FLOAT_PATTERN = re.compile(r"""^(?:[-+]?(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+][0-9]+)?
                               |[-+]?\.[0-9]+(?:[eE][-+][0-9]+)?
                               |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.VERBOSE)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT_PATTERN,
                                list("-+0123456789."))


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


class AliasRefused(yaml.YAMLError):
    """Raised for anchors/aliases, which data files must not use."""

    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("anchors and aliases are not allowed in data files")
        self.problem_mark = mark


class _Loader(_Parser, _Resolver):  # type: ignore[misc]
    path: str = "<string>"

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A node met twice is an alias; refusing it here costs nothing and defeats alias bombs.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise AliasRefused(node.start_mark)
        # Texts, lists and mappings (nearly all nodes) are built here directly: PyYAML's
        # general path (generators, recursion bookkeeping) doubled the time to read a file.
        tag = node.tag
        if tag == _STR and type(node) is yaml.ScalarNode:
            self.constructed_objects[node] = node.value
            return node.value
        if tag == _SEQ and type(node) is yaml.SequenceNode:
            self.constructed_objects[node] = None
            return [self.construct_object(child) for child in node.value]
        if tag == _MAP and type(node) is yaml.MappingNode:
            self.constructed_objects[node] = None
            return self.construct_mapping(node)
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            # e.g. ``!!int x``: PyYAML's constructors raise plain Python errors without a
            # position; give the problem one, so it is reported like every other.
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {_short(node.value)!r} as "
                f"{node.tag.rsplit(':', 1)[-1]} ({_short(str(exc), 120)})",
                node.start_mark) from exc

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Record:
        # Always deep: a Record must be complete when handed out (no generator construction).
        key_origins: dict[str, Origin] = {}
        record = Record(origin=self._origin(node.start_mark), key_origins=key_origins)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark)
            key = str(key)
            if key in record:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            key_origins[key] = self._origin(key_node.start_mark)
            record[key] = self.construct_object(value_node, deep=True)
        return record

    def _origin(self, mark: yaml.Mark) -> Origin:
        return Origin(self.path, mark.line + 1, mark.column + 1)


def _short(value: object, limit: int = 40) -> object:
    """A long text cut for a message (a number of 5,000 digits is no help to read)."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit - 1] + "…"
    return value


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[Record]:
    yield loader.construct_mapping(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2026-02-30 stays text: the field's check then reports it
    # at its place with the field's name, and the rest of the file is still read.
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, AttributeError, OverflowError):
        return loader.construct_scalar(node)


def _refuse_tag(loader: _Loader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag !!{node.tag.rsplit(':', 1)[-1]} is not allowed in data files "
        "(write a list or a mapping)", node.start_mark)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
# Sets, ordered pairs and binary data have no place in the data format and could not be
# written back as JSON Lines: refused like custom tags.
for _tag in ("set", "omap", "pairs", "binary"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


def read_yaml(path: Path, display: str | None = None) -> tuple[Any, list[Problem]]:
    """Parse one YAML file. Returns ``(data, problems)``; ``data`` is None when it failed.

    ``display`` is the name used in problems (defaults to ``path``).
    """
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, [Problem(Origin(name), "file not found")]
    except UnicodeDecodeError as exc:
        return None, [Problem(Origin(name), f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(Origin(name), f"cannot read: {exc.strerror}")]
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str = "<string>") -> tuple[Any, list[Problem]]:
    """Parse YAML text; see :func:`read_yaml`."""
    loader = _Loader(text)  # type: ignore[call-arg]
    loader.path = name
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
        if isinstance(node, yaml.SequenceNode) and isinstance(data, list):
            # a scalar item carries no position of its own: keep the items' positions
            data = Items(data, [loader._origin(item.start_mark) for item in node.value])
    except yaml.reader.ReaderError as exc:
        # a character YAML does not allow (a control character): at its line and column
        before = text[:exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return None, [Problem(Origin(name, line, column),
                              f"not valid YAML: the character U+{character:04X} is not "
                              "allowed (a control character)")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        origin = Origin(name, mark.line + 1, mark.column + 1) if mark else Origin(name)
        problem = " ".join((getattr(exc, "problem", None) or str(exc)).split())
        context = getattr(exc, "context", None)
        if context and problem.startswith("but found"):  # says nothing without its context
            problem = f"{context}, {problem}"
        if isinstance(exc, yaml.constructor.ConstructorError) and "could not determine" in problem:
            problem = f"custom tags are not allowed ({problem.split('tag ')[-1]})"
        return None, [Problem(origin, f"not valid YAML: {problem}")]
    except RecursionError:
        return None, [Problem(Origin(name), "not readable: lists or mappings nested too deeply")]
    finally:
        loader.dispose()
    return data, []


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[Any]:
    """Write ``path`` through a temporary file in the same directory and rename it into place.

    Readers never see a half-written file, and a crash leaves the old file intact.  The
    temporary file is named ``.<name>.<pid>.<random>.tmp``; one that a killed writer left
    behind is removed by the next write of the same file (:func:`remove_stale_temporaries`).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as fh:
    ...     _ = fh.write("hello")
    >>> target.read_text()
    'hello'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                               dir=path.parent)
    try:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: A temporary file is stale after this many seconds, whoever made it.
STALE_AFTER = 3600.0


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files that writers of ``path`` left behind when they were killed:
    those of processes that no longer run, and any older than :data:`STALE_AFTER` (a reused
    process id, a file of another machine).  Returns what was removed.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "events.yaml"
    >>> (target.parent / ".events.yaml.999999999.abc.tmp").write_text("half")
    4
    >>> [p.name for p in remove_stale_temporaries(target)]
    ['.events.yaml.999999999.abc.tmp']
    """
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        candidates = [p for p in path.parent.iterdir()
                      if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return removed
    for candidate in candidates:
        owner = candidate.name[len(prefix):].split(".", 1)[0]
        try:
            old = time.time() - candidate.stat().st_mtime > STALE_AFTER
            stale = old or (owner.isdigit() and not _running(int(owner)))
            if stale:
                candidate.unlink()
                removed.append(candidate)
        except (OSError, ValueError):
            continue  # gone already, or not ours to judge
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no cheap liveness check: leave it to the age rule
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
