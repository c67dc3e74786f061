"""``duplicates``: list same, review and overlap pairs; record people's decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import attrs
import click

from ..datadir import record_decision
from ..duplicates import DuplicateReport, find_duplicates
from ..duplicates.reasons import Reason
from ..locale import N_
from ._common import (
    command,
    directory_argument,
    echo_json,
    format_option,
    gettext_for,
    lang_option,
    load_network,
    today_option,
)


def _ids(value: str) -> list[str]:
    """``--only-new``: ids separated by commas or spaces, or a file with one id per line."""
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8-sig") if path.is_file() else value
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{value}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                                 param_hint="--only-new") from exc
    except OSError as exc:
        raise click.BadParameter(f"{value}: cannot read: {exc.strerror}",
                                 param_hint="--only-new") from exc
    return [part for line in text.splitlines() if not line.lstrip().startswith("#")
            for part in line.replace(",", " ").split()]


def _print_text(report: DuplicateReport, titles: dict[str, str],
                gettext: Callable[[str], str]) -> None:
    """The report for people, in the language of ``gettext``; the bands (``same``,
    ``review``, ``overlap``) stay as they are: they are what ``--decide`` and the JSON say."""
    _ = gettext
    report = report.translated(gettext)
    for pair in report.pairs:
        click.echo(f"{pair.band:<8} {pair.score:.2f}  {pair.a}  ↔  {pair.b}")
        click.echo(f"         {titles[pair.a]!r} / {titles[pair.b]!r}")
        for reason in pair.reasons:
            click.echo(f"         - {reason}")
    for cluster in report.clusters:
        click.echo(_("cluster: {offers}").format(offers=", ".join(cluster)))
    for note in report.notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    click.echo(_("{count} pairs: {same} same, {review} review, {overlap} overlap ({candidates} "
                 "candidate pairs compared)").format(
        count=len(report.pairs), same=len(report.band("same")),
        review=len(report.band("review")), overlap=len(report.band("overlap")),
        candidates=report.candidates))


@command("duplicates")
@directory_argument
@format_option
@click.option("--decide", nargs=3, metavar="A B same|distinct",
              help="Record a person's verdict on offers A and B in decisions.yaml.")
@click.option("--note", help="With --decide: why (kept with the decision).")
@click.option("--by", "by", help="With --decide: who decided.")
@click.option("--only-new", "only_new", metavar="IDS|FILE",
              help="Check only these offers (comma-separated ids, or a file with one id a "
                   "line) against the others: the incremental check for new or changed offers.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out pairs scoring less.")
@click.option("--audience", type=click.Choice(["public", "partners", "internal"]),
              default="internal", show_default=True,
              help="Whose data to compare; the listing is for the people who keep the data, "
                   "and its reasons quote contact data.")
@lang_option
@today_option
def duplicates(directory: str, fmt: str,  # noqa: PLR0917 - one parameter per option
               decide: tuple[str, str, str] | None, note: str | None, by: str | None,
               only_new: str | None, min_score: float, audience: str, lang: str | None,
               today: datetime | None) -> None:
    """List offers recorded twice (same), candidates to check (review) and different
    providers offering the same thing at the same place and time (overlap).

    Text is printed in --lang; the JSON keeps its reasons in English (a contract for
    programs).  --today is the date a --decide verdict is recorded with.  Exit code 0 whether
    pairs were found or not (use `ki-network check --fail-on` as a CI gate), 1 for invalid
    data, 2 for a usage error.
    """
    net = load_network(directory)
    if decide is not None:
        a, b, verdict = decide
        try:
            path = record_decision(net, a, b, verdict, note=note, by=by,
                                   on=today.date() if today is not None else date.today())
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo(f"{path}: {a} / {b}: {verdict}")
        return
    if note is not None or by is not None:
        raise click.UsageError("--note and --by go with --decide")
    view = net.for_audience(audience)
    wanted = _ids(only_new) if only_new else None
    notes: list[str] = []
    if wanted is not None:
        notes = [Reason(N_("{offer}: no such offer, not checked"), offer=o)
                 for o in wanted if o not in view.offers]
        wanted = [o for o in wanted if o in view.offers]
    report = find_duplicates(view, only=wanted, min_score=min_score, audience=audience)
    if notes:
        report = attrs.evolve(report, notes=(*notes, *report.notes))
    if fmt == "json":
        echo_json(report.as_json())
        return
    _print_text(report, {o.id: o.title.get(view.config.language) for o in view.offers.values()},
                gettext_for(lang, net))
