"""The HTML report: one self-contained file with the network map, a coverage heat map, the
week of the joint calendar and the findings, for one audience and in one language.

>>> from datetime import date
>>> from ki_network.testing import tiny_network
>>> html = render_report(tiny_network(), language="en", today=date(2026, 3, 2))
>>> '<html lang="en">' in html and 'id="network-map"' in html
True

See ``docs/report.md``.
"""

from .render import anchor, render_report, week_of

__all__ = ["anchor", "render_report", "week_of"]
