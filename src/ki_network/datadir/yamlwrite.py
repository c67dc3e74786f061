"""Writing YAML lists back with ruamel.yaml's round-trip mode: comments, order, spelling and
untouched records kept byte for byte."""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.tokens import CommentToken

from .serialize import DEFAULTS, plain, record_key
from .yamlio import FLOAT_PATTERN, atomic_write, parse_yaml

#: Fields a record may leave out that the serializer always writes: a record that left them
#: out is not changed by adding them.
_IMPLIED: dict[str, dict[str, Any]] = {"actors": {"kind": "other"}}


def roundtrip_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap people's long lines
    yaml.allow_unicode = True
    yaml.representer.add_representer(ScalarFloat, _represent_float)
    yaml.representer.add_representer(float, _represent_float)
    return yaml


def _represent_float(representer: RoundTripRepresenter, data: float) -> Any:
    """A float as read (or as ruamel.yaml writes it), unless that would not read back as the
    same float.

    ruamel.yaml loses digits when it re-formats exponent notation it read
    (``4.719563488800353e+16`` came back as ``4.719563488800352e+16``) and writes ``1e+300``,
    which YAML 1.1 readers (and so :mod:`ki_network.datadir.yamlio`) take for text.  Then the
    shortest exact form with a dot is written instead.
    """
    if isinstance(data, ScalarFloat):
        node = representer.represent_scalar_float(data)
    else:
        node = representer.represent_float(data)
    value = float(data)
    if math.isfinite(value):
        text = node.value
        if not (FLOAT_PATTERN.match(text) and float(text) == value):
            text = repr(value)
            node.value = text.replace("e", ".0e", 1) if "." not in text else text
    return node


def dump_yaml(data: Any, path: Path | None, like: str = "") -> str | None:
    """Dump ``data`` atomically, indenting lists the way the text ``like`` does.

    Without ``path``, return the text instead.

    ruamel.yaml has one dash offset for all levels; files written by people usually put the
    top-level dashes in column 0 and nested ones two spaces in.  So nested lists are written
    with the nested offset and the whole text is shifted to the top-level offset afterwards.
    """
    top = re.search(r"^( *)- ", like, flags=re.MULTILINE)
    nested = re.search(r"^( *)[\w-]+:[ \t]*\n( *)- ", like, flags=re.MULTILINE)
    top_offset = len(top.group(1)) if top else 0
    offset = len(nested.group(2)) - len(nested.group(1)) if nested else 2
    yaml = roundtrip_yaml()
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    shift = offset - top_offset

    def transform(text: str) -> str:
        if shift <= 0:
            return text
        pad = " " * shift
        return "".join(line.removeprefix(pad) for line in text.splitlines(keepends=True))

    # ruamel.yaml puts a comment at the column it was read from; the shift would move it
    # left, so it is written that much further right.
    marks = _comment_marks(data) if shift > 0 else []
    for mark in marks:
        mark.column += shift
    try:
        if path is None:
            buffer = io.StringIO()
            yaml.dump(data, buffer, transform=transform)
            return buffer.getvalue()
        with atomic_write(path) as handle:
            yaml.dump(data, handle, transform=transform)
        return None
    finally:
        for mark in marks:
            mark.column -= shift


def _comment_marks(node: Any) -> list[Any]:
    """The positions of all comments in a round-trip document (each once)."""
    found: dict[int, Any] = {}

    def tokens(value: Any) -> None:
        if isinstance(value, list):
            for entry in value:
                tokens(entry)
        elif isinstance(value, CommentToken) and value.start_mark is not None:
            found.setdefault(id(value.start_mark), value.start_mark)

    def walk(value: Any) -> None:
        if isinstance(value, CommentedMap | CommentedSeq):
            comments = getattr(value, "ca", None)
            if comments is not None:
                tokens(comments.comment)
                tokens(list(comments.items.values()))
                tokens(comments.end)
            for child in value.values() if isinstance(value, CommentedMap) else value:
                walk(child)

    walk(node)
    return [mark for mark in found.values() if hasattr(mark, "column")]


def write_yaml(path: Path, data: Any) -> None:
    dump_yaml(data, path)


def update_yaml_list(path: Path, kind: str, records: Sequence[Mapping[str, Any]], *,
                     flow: frozenset[str] = frozenset()) -> None:
    """Bring the YAML list in ``path`` in line with ``records``, keeping comments and order.

    New values of the keys in ``flow`` are written in flow style (``[a, b]``, ``{k: v}``).

    Records are matched by :func:`~ki_network.datadir.serialize.record_key` (with a running
    count for keys that repeat).  The text of a record that did not change is kept byte for
    byte (and a file in which nothing changed is not written at all); a changed record is
    updated key by key and only it is written anew; removed records go with the comment lines
    above them, new ones are appended.
    """
    text = path.read_text(encoding="utf-8-sig")
    document = roundtrip_yaml().load(text)
    if not isinstance(document, CommentedSeq):
        document = CommentedSeq()
    # What the file says is judged by how the data directory reads it, not by how ruamel.yaml
    # (YAML 1.2) reads it: ``1e3`` is a float to ruamel.yaml but the text "1e3" to the
    # loader, so a record that wants the float 1000.0 looked unchanged and stayed "1e3".
    as_read, problems = parse_yaml(text, str(path))
    if problems or not isinstance(as_read, list) or len(as_read) != len(document):
        as_read = list(document)
    for item, read in zip(document, as_read, strict=True):
        _align(item, read)
    items = _keyed(kind, document)
    wanted = dict(_keyed(kind, records))
    implied = _IMPLIED.get(kind, {})
    changed: set[str] = set()
    for (key, item), read in zip(items, as_read, strict=True):
        if isinstance(item, CommentedMap) and key in wanted:
            record = wanted[key]
            if _update_map(item, {k: v for k, v in record.items()
                                  if k in item or implied.get(k, _NOTHING) != v}, flow,
                           read if isinstance(read, Mapping) else item):
                changed.add(key)
    present = {key for key, item in items if isinstance(item, CommentedMap)}
    dropped = [key for key, item in items if key not in wanted or key not in present]
    added = [key for key in wanted if key not in present]
    if not (changed or dropped or added):
        return
    lines = text.splitlines(keepends=True)
    spans = _item_spans(document, lines)
    if spans is None:  # a flow-style list or positions unknown: write the whole list
        for index in reversed(range(len(document))):
            if items[index][0] in dropped:
                del document[index]
        document.extend(to_yaml(plain(wanted[key]), flow) for key in added)
        dump_yaml(document, path, like=text)
        return
    out = lines[:spans[0][0]] if spans else list(lines)
    for (key, item), (lead, start, end) in zip(items, spans, strict=True):
        if key in dropped:
            continue
        out += lines[lead:start]
        out += _render_item(item, text) if key in changed else lines[start:end]
    if spans:
        out += lines[spans[-1][2]:]
    if added and out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    for key in added:
        out += _render_item(to_yaml(plain(wanted[key]), flow), text)
    with atomic_write(path) as handle:
        handle.write("".join(out))


def _item_spans(document: CommentedSeq, lines: list[str]
                ) -> list[tuple[int, int, int]] | None:
    """For each item of the top-level list: (first line of the comments above it, first line,
    end line), 0-based, end exclusive.  Blank and comment lines between two items belong to
    the second."""
    if document.fa.flow_style() or not document:
        return None if document else []
    try:
        starts = [document.lc.item(index)[0] for index in range(len(document))]
    except (AttributeError, KeyError, TypeError):
        return None
    for index, position in enumerate(starts):
        # the item's position is its first value; its dash may stand on a line of its own
        line = position
        while line > 0 and not lines[line].lstrip().startswith("-"):
            line -= 1
        starts[index] = line
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        return None
    spans = []
    lead = starts[0]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        while end > start + 1 and _blank_or_comment(lines[end - 1]):
            end -= 1
        spans.append((lead, start, end))
        lead = end
    return spans


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _render_item(item: Any, like: str) -> list[str]:
    """The lines of one list item as the file ``like`` would write it, without the comment
    lines after it (they belong to the next item and stay where they are)."""
    rendered = dump_yaml(CommentedSeq([item]), None, like=like) or ""
    lines = rendered.splitlines(keepends=True)
    while len(lines) > 1 and _blank_or_comment(lines[-1]):
        lines.pop()
    return lines


_NOTHING = object()


def _keyed(kind: str, items: Sequence[Any]) -> list[tuple[str, Any]]:
    counts: Counter[str] = Counter()
    out = []
    for item in items:
        base = record_key(kind, item) if isinstance(item, Mapping) else f"<scalar {item!r}>"
        counts[base] += 1
        out.append((f"{base}#{counts[base]}", item))
    return out


def _same(old: Any, new: Any) -> bool:
    """Equal as data, whatever the spelling (``2026-01-01`` text vs date, list vs flow)."""
    return bool(canonical(old) == canonical(new))


def canonical(value: Any) -> Any:
    """A value as plain JSON-able data, whatever its spelling in a file.

    Dates become ISO text, ruamel's quoted strings and containers plain ones, anything else
    unknown its text; used to compare records and to hash them.
    """
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # ruamel's quoted strings are str subclasses
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def _update_map(old: CommentedMap, new: Mapping[str, Any],
                flow: frozenset[str] = frozenset(), read: Mapping[Any, Any] | None = None
                ) -> bool:
    """Make ``old`` say what ``new`` says, touching only what differs; True if it changed.

    ``read`` is ``old`` as the data directory's loader reads it (keys as text); values are
    compared with it, so that a text ruamel.yaml reads otherwise (``1e3``) is judged as what
    it means in the data directory.
    """
    view = _reading(old, read)
    changed = False
    for key in [k for k in old if str(k) not in new]:
        # a spelt-out default means the same: keep it (but a null is no default)
        if str(key) not in DEFAULTS or DEFAULTS[str(key)] != view(key):
            del old[key]
            changed = True
    for key, value in new.items():
        if key in old and _same(view(key), value):
            continue
        changed = True
        current_read = view(key) if key in old else None
        if key in old and isinstance(old[key], CommentedMap) and isinstance(value, Mapping):
            _update_map(old[key], value, flow,
                        current_read if isinstance(current_read, Mapping) else None)
        elif (key in old and isinstance(old[key], CommentedSeq) and isinstance(value, list)
              and len(old[key]) == len(value)):
            entries_read = (current_read if isinstance(current_read, list)
                            and len(current_read) == len(value) else list(old[key]))
            for index, entry in enumerate(value):
                current = old[key][index]
                entry_read = entries_read[index]
                if isinstance(current, CommentedMap) and isinstance(entry, Mapping):
                    _update_map(current, entry, flow,
                                entry_read if isinstance(entry_read, Mapping) else None)
                elif not _same(entry_read, entry):
                    old[key][index] = to_yaml(plain(entry), flow)
        elif key in old:
            old[key] = to_yaml(plain(value), flow, key in flow)
        else:  # a new key goes where the record has it: before the first later key there
            keys = list(new)
            later = next((k for k in keys[keys.index(key) + 1:] if k in old), None)
            position = list(old).index(later) if later is not None else len(old)
            old.insert(position, key, to_yaml(plain(value), flow, key in flow))
    return changed


def _align(node: Any, read: Any) -> None:
    """Give every scalar of ruamel.yaml's ``node`` the value the data directory's loader read
    (``read``) where the two differ, so that a record that is written anew says what it said
    before: ruamel.yaml reads ``1e3`` as the float 1000.0 (YAML 1.2), the loader as the text
    "1e3" — written back from ruamel's reading, the text became a number."""
    if isinstance(node, CommentedMap) and isinstance(read, Mapping):
        for key in list(node):
            if str(key) not in read:
                continue
            meant = read[str(key)]
            if isinstance(node[key], CommentedMap | CommentedSeq):
                _align(node[key], meant)
            elif canonical(node[key]) != canonical(meant):
                node[key] = to_yaml(plain(meant))
    elif isinstance(node, CommentedSeq) and isinstance(read, list) and len(node) == len(read):
        for index, meant in enumerate(read):
            if isinstance(node[index], CommentedMap | CommentedSeq):
                _align(node[index], meant)
            elif canonical(node[index]) != canonical(meant):
                node[index] = to_yaml(plain(meant))


def _reading(old: CommentedMap, read: Mapping[Any, Any] | None) -> Any:
    """``key -> value of old[key] as the loader read it`` (ruamel's value where unknown)."""
    if read is None:
        return old.__getitem__

    def view(key: Any) -> Any:
        text = str(key)
        return read[text] if text in read else old[key]

    return view


def to_yaml(value: Any, flow: frozenset[str] = frozenset(), in_flow: bool = False) -> Any:
    """``value`` as ruamel.yaml containers; those under a key in ``flow`` in flow style.

    Every container is a fresh object: ruamel.yaml writes an object met twice as an anchor
    and an alias, which the data directory's safe loader refuses.
    """
    if isinstance(value, Mapping):
        result = CommentedMap()
        for k, v in value.items():
            result[k] = to_yaml(v, flow, in_flow or k in flow)
        if in_flow:
            result.fa.set_flow_style()
        return result
    if isinstance(value, list):
        seq = CommentedSeq([to_yaml(v, flow, in_flow) for v in value])
        if in_flow:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, date) and not isinstance(value, datetime):
        return date(value.year, value.month, value.day)
    return value
