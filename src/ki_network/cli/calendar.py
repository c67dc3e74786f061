"""``calendar`` (the joint ICS calendar) and ``conflicts`` (schedule clashes)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from ..calendar.ics_export.selection import select, split
from ..calendar.ics_export.state import STATE_FILE, CalendarState
from ..calendar.ics_export.writer import export_calendar
from ..checks import find_conflicts
from ..errors import UnknownValueError
from ..model import Severity
from ._common import (
    SaneDateTime,
    audience_option,
    check_output,
    command,
    directory_argument,
    echo_json,
    format_option,
    gettext_for,
    lang_option,
    load_network,
    resolve_lang,
    today_option,
    writing,
)

_WHEN = SaneDateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
_WHEN_METAVAR = "YYYY-MM-DD[THH:MM]"


def _day_or_time(value: datetime | None) -> date | datetime | None:
    """A bare date stays a date (local midnight), a time stays a wall-clock time."""
    if value is None:
        return None
    return value.date() if value.time() == datetime.min.time() else value


def _file_name(key: str) -> str:
    return re.sub(r"[^\w.-]+", "-", key).strip("-") or "calendar"


@command("calendar")
@directory_argument
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The .ics file to write; with --split-by a directory for one file each.")
@click.option("--actor", help="Only items of this actor (provider, partner or organiser).")
@click.option("--municipality", help="Only items in this municipality (name or AGS).")
@click.option("--topic", help="Only items on this topic or one of its sub-topics.")
@click.option("--target-group", help="Only items for this target group.")
@click.option("--content-language", "language", metavar="LANG",
              help="Language of titles and descriptions (falls back to the network's "
                   "language, then de, en).")
@click.option("--language", "old_language", hidden=True,
              help="Deprecated: --content-language.")
@lang_option
@click.option("--from", "start", type=_WHEN, metavar=_WHEN_METAVAR,
              help="Only series with an occurrence from then (local time).")
@click.option("--to", "end", type=_WHEN, metavar=_WHEN_METAVAR,
              help="… and before then (exclusive).")
@audience_option
@click.option("--split-by", type=click.Choice(["actor", "municipality"]),
              help="One file per actor or municipality in the --output directory.")
@click.option("--name", help="Calendar name shown by clients (default: the network's name).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help=f"SEQUENCE/LAST-MODIFIED memory (default: DIR/{STATE_FILE}).")
@click.option("--no-state", is_flag=True,
              help="Do not read or write the state file (every SEQUENCE stays 0).")
def calendar_command(  # noqa: PLR0917 - click passes the options by position
        directory: str, output: Path, actor: str | None, municipality: str | None,
                     topic: str | None, target_group: str | None, language: str | None,
                     old_language: str | None, lang: str | None,
                     start: datetime | None, end: datetime | None, audience: str,
                     split_by: str | None, name: str | None, state_path: Path | None,
                     no_state: bool) -> None:
    """Write the joint calendar of DIR as an iCalendar feed (.ics) for subscription.

    Offers become recurring events, events keep their overrides.  Only what --audience may
    see is written (default: public).  Exporting unchanged data again gives the same bytes;
    a changed time, place or status raises the event's SEQUENCE (see docs/calendar.md).
    """
    if old_language is not None:
        click.echo("warning: --language is deprecated; use --content-language", err=True)
        if language is not None and language != old_language:
            raise click.UsageError("--language and --content-language disagree")
        language = old_language
    if start is not None and end is not None and end <= start:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    if split_by is None:
        check_output(output)
    elif str(output).strip() == "":
        raise click.BadParameter("the output directory name is empty", param_hint="-o")
    # The filters are checked against what the audience may see: a "did you mean" must not
    # name an actor the calendar would not show.
    full = load_network(directory)
    _ = gettext_for(lang, full)
    net = full.for_audience(audience)
    try:  # select checks every filter (UnknownValueError with the "did you mean")
        items = select(net, actor=actor, municipality=municipality, topic=topic,
                       target_group=target_group)
    except UnknownValueError as exc:
        raise click.BadParameter(str(exc),
                                 param_hint="--" + exc.argument.replace("_", "-")) from exc
    path = None if no_state else (state_path or Path(directory) / STATE_FILE)
    try:
        state = CalendarState.load(path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    title = name or net.config.name
    if split_by is None:
        files = {output: (title, items)}
    else:
        if output.exists() and not output.is_dir():
            raise click.BadParameter("with --split-by, -o names a directory", param_hint="-o")
        files = {output / f"{_file_name(key)}.ics": (f"{title}: {label}", group)
                 for key, (label, group) in split(net, items, split_by).items()}
    skipped_total: set[tuple[str, str]] = set()
    for path_out, (label, group) in files.items():
        result = export_calendar(net, group, audience=audience, state=state, language=language,
                                 name=label,
                                 start=_day_or_time(start), end=_day_or_time(end))
        with writing(path_out, "wb") as handle:
            handle.write(result.data)
        skipped_total.update((s.item, s.reason) for s in result.skipped)
        click.echo(_("wrote {path} ({events} events from {series} series, audience "
                     "{audience})").format(path=path_out, events=result.components,
                                           series=result.series, audience=audience))
    for item_id, reason in sorted(skipped_total):
        click.echo(_("skipped {item}: {reason}").format(item=item_id, reason=_(reason)),
                   err=True)
    state.save()


@command("conflicts")
@directory_argument
@today_option
@click.option("--from", "start", type=_WHEN, metavar=_WHEN_METAVAR,
              help="Start of the window (default: today).")
@click.option("--to", "end", type=_WHEN, metavar=_WHEN_METAVAR,
              help="End of the window, exclusive (default: a year later).")
@format_option
@lang_option
@click.option("--fail-on", type=click.Choice(["info", "warning", "error", "never"]),
              default="error", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@audience_option
def conflicts_command(directory: str, today: datetime | None,  # noqa: PLR0917 - click
                      start: datetime | None, end: datetime | None, fmt: str,
                      lang: str | None, fail_on: str, audience: str) -> None:
    """Find schedule conflicts in DIR: same people or place or organiser at the same time,
    and items for pupils and parents on public or school holidays.

    The findings are worded as `ki-network check` words them, in --lang.  Only what
    --audience may see is checked and named (default: public; staff use --audience
    internal).
    """
    net = load_network(directory).for_audience(audience)
    first: date | datetime = _day_or_time(start) or (
        today.date() if today is not None else date.today())
    last: date | datetime = _day_or_time(end) or first + timedelta(days=365)
    if _sort_key(last) <= _sort_key(first):
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    findings = find_conflicts(net, first, last, language=resolve_lang(lang, net),
                              audience=net.audience)
    if fmt == "json":
        echo_json({"window": {"from": first.isoformat(), "to": last.isoformat()},
                   "findings": [{"rule": f.rule, "severity": f.severity.value,
                                 "subjects": list(f.subjects), "message": f.message,
                                 "suggestion": f.suggestion, "evidence": dict(f.evidence)}
                                for f in findings]})
    else:
        for finding in findings:
            click.echo(f"{finding.severity.value:<8} {finding.rule}: {finding.message}")
            if finding.suggestion:
                click.echo(f"         → {finding.suggestion}")
        click.echo(f"{len(findings)} conflict{'s' if len(findings) != 1 else ''} between "
                   f"{first.isoformat()} and {last.isoformat()}")
    if fail_on != "never" and any(f.severity.rank >= Severity(fail_on).rank for f in findings):
        click.get_current_context().exit(1)


def _sort_key(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
