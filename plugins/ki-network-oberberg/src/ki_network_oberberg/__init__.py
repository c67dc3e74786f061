"""ki-network region pack for the Oberbergischer Kreis (NRW).

Installed, it lets a network say ``region: oberberg`` in ``network.yaml`` and contributes:

* the district's 13 municipalities with their AGS codes and population;
* the closed days of a year: NRW's public holidays and school holidays, from ``holidays``;
* local labels for kinds of offers ("Deutschtreff", "Elterncafé" ...) mapped onto topics;
* clean-up of municipality spellings in the raw records ("Waldbroel", "GM", "Wiehl-Bielstein").

Everything but the closed days applies only to networks of region ``oberberg``.

>>> from ki_network.testing import bare_plugin_manager
>>> from ki_network import Hooks
>>> import ki_network_oberberg
>>> hooks = Hooks(bare_plugin_manager(ki_network_oberberg))
>>> len(hooks.region_municipalities("oberberg"))
13
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ki_network import ClosedDay, Municipality, NetworkConfig, hookimpl

from . import cleanup, vocabulary
from . import region as district  # the hooks' argument is called region

__version__ = "0.1.0"


@hookimpl
def ki_network_region_municipalities(region: str) -> Sequence[Municipality] | None:
    return district.municipalities() if district.is_region(region) else None


@hookimpl
def ki_network_closed_days(region: str, year: int) -> Sequence[ClosedDay] | None:
    return district.closed_days(year) if district.is_region(region) else None


@hookimpl
def ki_network_label_aliases(region: str | None) -> Mapping[str, str] | None:
    return dict(vocabulary.LABEL_ALIASES) if district.is_region(region) else None


@hookimpl
def ki_network_normalize_record(kind: str, record: dict[str, Any],
                                config: NetworkConfig) -> None:
    if district.is_region(config.region) and kind != "decisions":
        cleanup.normalize(record)

