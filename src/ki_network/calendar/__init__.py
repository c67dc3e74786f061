"""Shared calendars: importing partner feeds, expanding occurrences, exporting joint calendars.

Each concept lives in its own module of this package; the names below are re-exported so
that ``from ki_network.calendar import ...`` keeps working when a module is split.
"""
