"""The Oberbergischer Kreis: its 13 municipalities and the days schools and offices close.

>>> [m.name for m in municipalities()][:3]
['Bergneustadt', 'Engelskirchen', 'Gummersbach']
>>> [(d.first.isoformat(), d.name) for d in closed_days(2026) if d.name == "Fronleichnam"]
[('2026-06-04', 'Fronleichnam')]
"""

from __future__ import annotations

import csv
from datetime import timedelta
from functools import cache
from importlib.metadata import version
from importlib.resources import files

from holidays.constants import SCHOOL
from holidays.countries.germany import Germany

from ki_network import ClosedDay, Municipality

REGION = "oberberg"

#: North Rhine-Westphalia in ISO 3166-2 (what ``holidays`` calls a subdivision).
SUBDIVISION = "NW"

#: Languages the district's offers should be available in, after German the most spoken
#: languages of its immigrants (the district's integration plan); a network can override
#: them per municipality with ``main_languages:`` in ``network.yaml``.
MAIN_LANGUAGES = ("de", "tr", "ar", "uk", "ru", "pl", "ro")

PUBLIC_HOLIDAY = "public_holiday"
SCHOOL_HOLIDAY = "school_holiday"


def is_region(region: str | None) -> bool:
    """Whether ``region`` (the ``region:`` of ``network.yaml``) means this district."""
    return region is not None and region.strip().casefold() == REGION


@cache
def municipalities() -> tuple[Municipality, ...]:
    """The 13 municipalities with AGS and population (IT.NRW, 31 Dec 2018)."""
    text = files(__package__).joinpath("data/municipalities.csv").read_text(encoding="utf-8")
    return tuple(
        Municipality(row["ags"], row["name"], int(row["population"]), MAIN_LANGUAGES)
        for row in csv.DictReader(text.splitlines())
    )


def closed_days(year: int) -> list[ClosedDay]:
    """NRW's public holidays of ``year`` and the school holidays that touch ``year``.

    A school holiday is one span from its first to its last day, also when it crosses the new
    year (the Christmas holidays of 2025/26 are in the closed days of both years).
    """
    public = Germany(subdiv=SUBDIVISION, years=year, language="de")
    days = [ClosedDay(day, day, name, PUBLIC_HOLIDAY) for day, name in sorted(public.items())]
    return days + [span for span in school_holidays(year - 1, year + 1)
                   if span.first.year <= year <= span.last.year]


def school_holidays(first_year: int, last_year: int) -> list[ClosedDay]:
    """NRW's school holidays from ``first_year`` to ``last_year`` as spans.

    ``holidays`` lists school holidays day by day; consecutive days of the same name make one
    span.  Years its data does not cover yield nothing (see :func:`school_years_known`).
    """
    _require_school_category()
    daily = Germany(subdiv=SUBDIVISION, years=range(first_year, last_year + 1),
                             categories=(SCHOOL,), language="de")
    spans: list[ClosedDay] = []
    for day, name in sorted(daily.items()):
        last = spans[-1] if spans else None
        if last is not None and last.name == name and last.last + timedelta(days=1) == day:
            spans[-1] = ClosedDay(last.first, day, name, SCHOOL_HOLIDAY)
        else:
            spans.append(ClosedDay(day, day, name, SCHOOL_HOLIDAY))
    return spans


def school_years_known(first_year: int = 2020, last_year: int = 2035) -> list[int]:
    """Years in which ``holidays`` knows NRW's summer holidays (the longest, never missing).

    >>> 2026 in school_years_known()
    True
    """
    summers = [s for s in school_holidays(first_year, last_year) if s.name == "Sommerferien"]
    return sorted({s.first.year for s in summers})


def _require_school_category() -> None:
    if SCHOOL not in Germany.supported_categories:
        raise RuntimeError(
            f"holidays {version('holidays')} has no German school holidays; "
            "upgrade it: pip install -U holidays")
