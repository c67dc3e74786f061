"""The built-in interoperability plugin: contributes ``ki-network import hsds``."""

from __future__ import annotations

from typing import Any

from ..plugin import hookimpl


@hookimpl(trylast=True)
def ki_network_import_commands() -> list[Any]:
    from ..cli.import_hsds import hsds_command  # noqa: PLC0415 - click commands only when asked for

    return [hsds_command]
