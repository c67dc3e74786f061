"""ki-network-integreat: import a region's events from the Integreat CMS API v3.

Adds ``ki-network import integreat REGION --base-url URL --into DIR`` through the
``ki_network_import_commands`` hook.  From Python::

    from ki_network_integreat import fetch_region, convert
    data = fetch_region("https://cms.integreat-app.de", "augsburg")
    converted = convert(data, actor="integreat-augsburg", timezone="Europe/Berlin")
    converted.feed.records          # event records, one per event, all languages merged
"""

from __future__ import annotations

from typing import Any

from ki_network import hookimpl

from .api import IntegreatError, RegionData, fetch_region
from .events import Converted, convert
from .text import html_to_text

__all__ = ["Converted", "IntegreatError", "RegionData", "convert", "fetch_region",
           "html_to_text", "ki_network_import_commands"]


@hookimpl
def ki_network_import_commands() -> list[Any]:
    from .cli import integreat_command  # noqa: PLC0415 - click commands only when asked for

    return [integreat_command]
