"""``import``: take data from outside sources into a data directory.

The subcommands come from plugins through the ``ki_network_import_commands`` hook: the
built-in plugin adds ``import hsds``, ``ki-network-integreat`` adds ``import integreat``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import click

from ..errors import PluginError
from ..plugin import Hooks, make_plugin_manager
from ._common import main


@cache
def _commands() -> dict[str, click.Command]:
    hooks = Hooks(make_plugin_manager())
    found: dict[str, click.Command] = {}
    try:
        contributed = hooks.import_commands()
    except PluginError as exc:
        click.echo(f"error: {exc}", err=True)
        return found
    for command in contributed:
        name = getattr(command, "name", None)
        if not isinstance(command, click.Command) or not name:
            click.echo(f"warning: {hooks.contributor(command) or 'a plugin'} contributed "
                       f"{command!r} to ki-network import, which is not a named click "
                       "command; left out", err=True)
        elif name in found:
            click.echo(f"warning: two plugins offer 'ki-network import {name}'; "
                       f"{hooks.contributor(command) or 'the second'} is left out", err=True)
        else:
            found[name] = command
    return found


class _ImportGroup(click.Group):
    """A group whose commands are looked up in the plugins when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_commands())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _commands().get(cmd_name)


@main.group("import", cls=_ImportGroup)
def import_group(**_: Any) -> None:
    """Import from outside sources (HSDS, and whatever plugins add) into a data directory.

    Each source is a subcommand; see ``ki-network import SOURCE --help``.
    """
