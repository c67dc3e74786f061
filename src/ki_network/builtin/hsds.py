"""HSDS 3.0 export: offers as Open Referral *services* (``ki-network export --to hsds``).

The mapping lives in :mod:`ki_network.interop.hsds_export`; the tabular form
(``--to hsds-tabular``) in :mod:`ki_network.interop.hsds_tabular`.  This module registers both
exporters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..interop.hsds_export import HsdsExporter, hsds_id
from ..interop.hsds_tabular import HsdsTabularExporter
from ..plugin import hookimpl

if TYPE_CHECKING:
    from ..plugin import Exporter

__all__ = ["HsdsExporter", "HsdsTabularExporter", "hsds_id", "ki_network_exporters"]


@hookimpl(trylast=True)
def ki_network_exporters() -> list[Exporter]:
    return [HsdsExporter(), HsdsTabularExporter()]
