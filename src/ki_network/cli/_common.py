"""What every command shares: loading with clean errors, output formats, progress."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pluggy

from ..datadir.build.times import FIRST_YEAR, LAST_YEAR
from ..datadir.load import load
from ..datadir.yamlio import atomic_write
from ..errors import DataError, PluginError
from ..locale import LANGUAGES, supported, translator
from ..network import Network
from ..plugin.manager import Hooks, make_plugin_manager


class _Group(click.Group):
    """Turns library errors raised anywhere in a command into one clear message and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DataError as exc:
            report_problems(exc)
            ctx.exit(1)
        except PluginError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"],
                                           "max_content_width": 100})
@click.version_option(package_name="ki-network")
def main() -> None:
    """Coordinate the integration work of a district.

    DIR is always a network data directory (network.yaml, actors.yaml, offers.yaml, ...).
    Exit codes: 0 fine, 1 invalid data or findings, 2 usage error.
    """


def report_problems(error: DataError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


def load_network(directory: str, pm: pluggy.PluginManager | None = None) -> Network:
    """Load ``directory``; data and plugin errors propagate to the group's handler.

    Plugins that failed to load are reported first, one ``warning:`` line each, before any
    problem in the data (which they may well be the cause of).  On a terminal, a progress
    bar shows the records being checked (large networks take seconds); in pipes and CI
    nothing is drawn.
    """
    pm = pm or make_plugin_manager()
    warn_plugin_failures(Hooks(pm))
    if sys.stderr.isatty():
        with _LoadingBar() as bar:
            return load(directory, pm, progress=bar.update)
    return load(directory, pm)


def warn_plugin_failures(hooks: Hooks) -> None:
    """One ``warning:`` line per installed plugin that could not be loaded."""
    for failure in hooks.load_failures:
        click.echo(f"warning: plugin {failure.name!r} not loaded: {failure.error}", err=True)


directory_argument = click.argument(
    "directory", metavar="DIR", type=click.Path(exists=True, file_okay=False))

format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for people, json for programs (a stable, documented contract).")

audience_option = click.option(
    "--audience", type=click.Choice(["public", "partners", "internal"]), default="public",
    show_default=True, help="Who will see the output: nothing more restricted is included.")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class _LoadingBar:
    """A progress bar for :func:`ki_network.load`, drawn once the total is known.

    Small networks load before the first report, so they never draw a bar.
    """

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> _LoadingBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            if done >= total:
                return
            self._bar = self._stack.enter_context(click.progressbar(
                length=total, label="checking records", file=sys.stderr))
        self._bar.update(done - self._done)
        self._done = done


def command(name: str, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """Register a command on :data:`main`."""
    return main.command(name, **kwargs)


class SaneDateTime(click.DateTime):
    """A date (and time) option within the years the data may use (1900-2200)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        converted = super().convert(value, param, ctx)
        if isinstance(converted, datetime) and not FIRST_YEAR <= converted.year <= LAST_YEAR:
            self.fail(f"{value!s}: the year must lie between {FIRST_YEAR} and {LAST_YEAR}",
                      param, ctx)
        return converted


def check_output(path: Path | str, option: str = "-o") -> Path:
    """``path`` as an output file, or a usage error (exit 2) if it cannot be one."""
    if str(path).strip() == "":
        raise click.BadParameter("the output file name is empty", param_hint=option)
    out = Path(path)
    if out.is_dir():
        raise click.BadParameter(f"{out} is a directory; name a file", param_hint=option)
    return out


@contextlib.contextmanager
def writing(path: Path | str, mode: str = "w") -> Iterator[Any]:
    """:func:`atomic_write` to an output file; a file system error is one line, exit 1."""
    out = check_output(path)
    try:
        with atomic_write(out, mode) as handle:
            yield handle
    except OSError as exc:
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from exc


lang_option = click.option(
    "--lang", type=click.Choice(sorted(LANGUAGES)), default=None,
    help="Language of the texts [default: the network's language, else the environment's "
         "LANG, else en].")


def resolve_lang(lang: str | None, network: Network | None = None) -> str:
    """The language a command prints in: ``--lang``, else the network's language, else the
    environment's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English."""
    if lang is not None:
        return lang
    if network is not None and network.config.language in LANGUAGES:
        return network.config.language
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return supported(value.split(".")[0].split("_")[0].lower())
    return supported(None)


def gettext_for(lang: str | None, network: Network | None = None) -> Callable[[str], str]:
    """The catalogue's ``gettext`` for :func:`resolve_lang`."""
    return translator(resolve_lang(lang, network)).gettext

today_option = click.option(
    "--today", type=SaneDateTime(formats=["%Y-%m-%d"]), default=None,
    help="Take this day (YYYY-MM-DD) as today: reproducible runs, or a look ahead.")
