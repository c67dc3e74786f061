"""The text of a feed, cut into its VEVENT and VTIMEZONE blocks, whatever shape it is in.

Whole-file parsers give up on a missing ``END:VCALENDAR``, a stray line between components
or several calendars in one file.  This scanner only looks at ``BEGIN:``/``END:`` lines, so
each event can then be parsed on its own (:mod:`ki_network.calendar.ics_import.reader`).

>>> text, _ = decode(b"\\xef\\xbb\\xbfBEGIN:VCALENDAR\\nBEGIN:VEVENT\\nUID:1\\n"
...                  b"BEGIN:VEVENT\\nUID:2\\n")
>>> [(block.line, block.lines) for block in scan(unfold(text)).blocks]
[(2, ['BEGIN:VEVENT', 'UID:1', 'END:VEVENT']), (4, ['BEGIN:VEVENT', 'UID:2', 'END:VEVENT'])]
"""

from __future__ import annotations

import re

import attrs

_X_WR_TIMEZONE = re.compile(r"^X-WR-TIMEZONE(?:;[^:]*)?:(.+)$", re.IGNORECASE)


@attrs.frozen
class Note:
    """Something repaired or assumed while importing (the event itself was imported)."""

    line: int
    message: str
    uid: str | None = None  # the UID of the VEVENT the note is about, if any

    def __str__(self) -> str:
        message = f"(UID {self.uid}) {self.message}" if self.uid else self.message
        return f"{self.line}: {message}" if self.line else message

    def located(self, source: str) -> str:
        """The note as ``source:line: message`` (``source: message`` for the whole file)."""
        return f"{source}:{self}" if self.line else f"{source}: {self.message}"



@attrs.define
class Block:
    kind: str
    line: int
    section: int
    lines: list[str] = attrs.field(factory=list)
    stack: list[str] = attrs.field(factory=list)
    closed: bool = False


@attrs.define
class Scan:
    blocks: list[Block] = attrs.field(factory=list)
    #: X-WR-TIMEZONE by VCALENDAR section
    x_wr_timezone: dict[int, str] = attrs.field(factory=dict)
    notes: list[Note] = attrs.field(factory=list)


def decode(data: bytes | str) -> tuple[str, str | None]:
    """Text of a feed and, if it was not UTF-8, a note saying which encoding was assumed."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 (byte {exc.start})"
    try:
        return data.decode("cp1252"), f"{reason}: read as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{reason}: read as Latin-1"


def unfold(text: str) -> list[tuple[int, str]]:
    """Logical content lines with the number of the physical line each starts on.

    Accepts CRLF, LF and lone CR line ends and folding with a space or a tab.

    >>> unfold("BEGIN:VEVENT\\r\\nSUMMARY:Eltern\\r\\n abend\\nEND:VEVENT")
    [(1, 'BEGIN:VEVENT'), (2, 'SUMMARY:Elternabend'), (4, 'END:VEVENT')]
    """
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line[:1] in (" ", "\t") and logical:
            first, previous = logical[-1]
            logical[-1] = (first, previous + line[1:])
        elif line.strip():
            logical.append((number, line))
    return logical


def scan(lines: list[tuple[int, str]]) -> Scan:
    """Cut the content lines into VEVENT and VTIMEZONE blocks, closing what was left open.

    Every line ``BEGIN:VEVENT`` starts a block of its own, even inside another event, so the
    blocks are exactly the VEVENTs a person counts in the file.
    """
    scan = Scan()
    section = 0
    block: Block | None = None

    def close(at: int, why: str) -> None:
        nonlocal block
        if block is None:
            return
        if not block.closed:
            scan.notes.append(Note(block.line, f"BEGIN:{block.kind} at line {block.line} is "
                                               f"not closed ({why} at line {at}); closed there"))
            block.lines.extend(f"END:{name}" for name in reversed(block.stack))
        block = None

    for number, line in lines:
        upper = line.strip().upper()
        if upper == "BEGIN:VCALENDAR":
            close(number, "BEGIN:VCALENDAR")
            section += 1
        elif upper == "END:VCALENDAR":
            close(number, "END:VCALENDAR")
        elif upper in ("BEGIN:VEVENT", "BEGIN:VTIMEZONE") and (
                block is None or upper == "BEGIN:VEVENT"):
            close(number, "a new BEGIN:VEVENT")
            block = Block(upper[6:], number, section, [line.strip()], [upper[6:]])
            scan.blocks.append(block)
        elif block is not None:
            if upper.startswith("BEGIN:"):
                block.stack.append(upper[6:])
                block.lines.append(line.strip())
            elif upper.startswith("END:") and upper[4:] in block.stack:
                while block.stack and block.stack[-1] != upper[4:]:
                    block.lines.append(f"END:{block.stack.pop()}")
                block.stack.pop()
                block.lines.append(line.strip())
                if not block.stack:
                    block.closed = True
                    block = None
            elif upper.startswith("END:"):
                scan.notes.append(Note(number, f"stray {line.strip()!r} ignored"))
            else:
                block.lines.append(line)
        else:
            match = _X_WR_TIMEZONE.match(line.strip())
            if match:
                scan.x_wr_timezone[section] = match.group(1).strip()
    if lines:
        close(lines[-1][0], "the end of the file")
    return scan
