"""Shared by the calendar tests: the region pack of the ``fixtures/joint`` network."""

from __future__ import annotations

from datetime import date

from ki_network import ClosedDay, Municipality, hookimpl


class JointRegion:
    """Region ``testland``: two municipalities; Labour Day and the Easter school holidays."""

    @hookimpl
    def ki_network_region_municipalities(self, region: str) -> list[Municipality] | None:
        if region != "testland":
            return None
        return [Municipality("05374012", "Gummersbach"), Municipality("05374056", "Wiehl")]

    @hookimpl
    def ki_network_closed_days(self, region: str, year: int) -> list[ClosedDay] | None:
        if region != "testland" or year != 2026:
            return None
        return [ClosedDay(date(2026, 5, 1), date(2026, 5, 1), "Tag der Arbeit", "public_holiday"),
                ClosedDay(date(2026, 3, 30), date(2026, 4, 11), "Osterferien", "school_holiday")]
