"""``ki-network report``: the HTML report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..checks import run_rules, validate_rule_settings
from ..locale import supported
from ..report import render_report
from ..report.changes import ChangesError, read_previous
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
@click.option("--since", "since", type=click.Path(dir_okay=False, exists=True), default=None,
              metavar="PREVIOUS.json",
              help="Mark findings new, unchanged or resolved against an earlier run: the "
                   "JSON of 'check --format json' (same --audience) or of --findings-json.")
@click.option("--findings-json", type=click.Path(dir_okay=False, writable=True), default=None,
              metavar="FILE",
              help="Also write this report's findings as 'check --format json' does, for "
                   "next time's --since.")
def report(directory: str, output: str,  # noqa: PLR0917 - one parameter per option
           audience: str, lang: str | None, today: object,
           week: object, since: str | None, findings_json: str | None) -> None:
    """Write an HTML report of DIR to OUTPUT: the network at a glance, the findings that
    matter most, network map, coverage, the week, and all findings.

    One self-contained file that opens offline.  It holds only what --audience may see
    (default public): the rules run on that view of the network, too.
    """
    try:
        previous = read_previous(since, audience) if since else None
    except ChangesError as error:
        raise click.UsageError(str(error)) from error
    check_output(output)
    network = load_network(directory)
    problems = validate_rule_settings(network, network.hooks.rules())
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    day = today.date() if hasattr(today, "date") else None  # click gives a datetime
    result = run_rules(network.for_audience(audience),
                       language=supported(lang or network.config.language),
                       today=day)
    html = render_report(network, audience=audience, language=lang, today=day,
                         week=week.date() if hasattr(week, "date") else None, result=result,
                         since=previous)
    with writing(Path(output)) as fh:
        fh.write(html)
    if findings_json:
        data = {**result.as_json(), "audience": audience,
                "today": (day or date.today()).isoformat()}
        with writing(Path(findings_json)) as fh:
            fh.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    click.echo(f"{output}: report for the audience {audience!r}", err=True)
