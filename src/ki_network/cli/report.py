"""``ki-network report``: the HTML report."""

from __future__ import annotations

from pathlib import Path

import click

from ..checks import validate_rule_settings
from ..report import render_report
from ._common import (
    SaneDateTime,
    audience_option,
    check_output,
    command,
    directory_argument,
    lang_option,
    load_network,
    today_option,
    writing,
)


@command("report")
@directory_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The HTML file to write (written atomically).")
@audience_option
@lang_option
@today_option
@click.option("--week", type=SaneDateTime(formats=["%Y-%m-%d"]), default=None,
              help="A day of the week to show in the calendar [default: today].")
def report(directory: str, output: str,  # noqa: PLR0917 - one parameter per option
           audience: str, lang: str | None, today: object,
           week: object) -> None:
    """Write an HTML report of DIR to OUTPUT: network map, coverage, the week, the findings.

    One self-contained file that opens offline.  It holds only what --audience may see
    (default public): the rules run on that view of the network, too.
    """
    check_output(output)
    network = load_network(directory)
    problems = validate_rule_settings(network, network.hooks.rules())
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    html = render_report(network, audience=audience, language=lang,
                         today=today.date() if hasattr(today, "date") else None,
                         week=week.date() if hasattr(week, "date") else None)
    with writing(Path(output)) as fh:
        fh.write(html)
    click.echo(f"{output}: report for the audience {audience!r}", err=True)
