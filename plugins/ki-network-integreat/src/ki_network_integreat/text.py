"""HTML to plain text, safely: with the standard library's parser, no script, no style.

>>> html_to_text("<p>Deutsch&nbsp;lernen</p><script>alert(1)</script>"
...              "<ul><li>Mo</li><li>Di</li></ul>")
'Deutsch lernen\\n\\n• Mo\\n• Di'
>>> html_to_text('<p>Mehr: <a href="https://x.example/a">hier</a></p>')
'Mehr: hier (https://x.example/a)'
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements whose content is never text for people.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "head", "title", "iframe",
                     "object", "svg", "math"})
#: Elements that end a paragraph.
_BLOCKS = frozenset({"p", "div", "section", "article", "header", "footer", "h1", "h2", "h3",
                     "h4", "h5", "h6", "table", "tr", "ul", "ol", "blockquote", "pre",
                     "address", "figure", "hr"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        if tag == "a":
            href = dict(attrs).get("href")
            self.links.append(href if href and href.startswith(("http://", "https://",
                                                                "mailto:", "tel:")) else None)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and not self.hidden:
                shown = href.removeprefix("mailto:").removeprefix("tel:")
                if shown not in "".join(self.parts[-3:]):
                    self.parts.append(f" ({href if href.startswith('http') else shown})")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text a person reads in ``html``: paragraphs as blank lines, list items as
    bullets, links with their address; scripts, styles and control characters removed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = _CONTROL.sub("", "".join(parser.parts)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
