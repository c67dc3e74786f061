"""``ki-network check``: the coordination rules, for people or programs (and CI)."""

from __future__ import annotations

from datetime import date

import click

from ..checks import CheckResult, run_rules, validate_rule_settings
from ..locale import supported, translator
from ..model import Severity
from ..region import did_you_mean
from ._common import (
    command,
    directory_argument,
    echo_json,
    format_option,
    lang_option,
    load_network,
    today_option,
)

FAIL_ON = ("info", "warning", "error", "never")

@command("check")
@directory_argument
@format_option
@lang_option
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when a finding has this severity or worse.")
@click.option("--rule", "only", multiple=True, metavar="ID",
              help="Run only this rule (repeat for several).")
@click.option("--audience", type=click.Choice(["public", "partners", "internal"]),
              default="internal", show_default=True,
              help="Check what this audience sees; findings name nothing more restricted.")
@today_option
def check(directory: str, fmt: str, lang: str | None,  # noqa: PLR0917 - one per option
          fail_on: str, only: tuple[str, ...],
          audience: str, today: object) -> None:
    """Run the coordination rules on DIR and print the findings, grouped by rule.

    Exit codes: 0 no finding at or above --fail-on, 1 such findings (or invalid data, or
    invalid rule settings), 2 usage error.  See docs/rules.md for the rules and their
    settings in network.yaml.
    """
    network = load_network(directory)
    rules = network.hooks.rules()
    problems = validate_rule_settings(network, rules)
    known = {str(r.id) for r in rules}
    problems.extend(f"--rule: unknown rule {rule_id!r}{did_you_mean(rule_id, known)}"
                    for rule_id in only
                    if rule_id not in known)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    day = today.date() if hasattr(today, "date") else None  # click gives a datetime
    result = run_rules(network, language=lang, today=day, only=only, rules=rules,
                       audience=audience)
    if fmt == "json":
        # audience and day of the run: `report --since` compares only like with like
        echo_json({**result.as_json(), "audience": audience,
                   "today": (day or date.today()).isoformat()})
    else:
        _print_text(result, network.config.name, day or date.today())
    failing = fail_on != "never" and result.reaches(Severity(fail_on))
    raise SystemExit(1 if failing else 0)


def _print_text(result: CheckResult, name: str, today: date) -> None:
    catalogue = translator(supported(result.language))
    _ = catalogue.gettext
    severity_names = {Severity.INFO: _("info"), Severity.WARNING: _("warning"),
                      Severity.ERROR: _("error")}
    if not result.findings:
        click.echo(_("{network}: no findings ({count} rules ran, {day}).").format(
            network=name, count=len(result.rules), day=today.isoformat()))
        return
    for rule_id, findings in result.by_rule().items():
        title = result.titles.get(rule_id, rule_id)
        click.secho(f"{title} ({rule_id}): {len(findings)}", bold=True)
        for finding in findings:
            click.echo(f"  [{severity_names[finding.severity]}] {finding.message}")
            if finding.suggestion:
                click.echo(f"      → {finding.suggestion}")
            if finding.subjects:
                click.echo("      " + _("about: {subjects}").format(
                    subjects=", ".join(finding.subjects)))
        click.echo()
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    click.echo(_("{network}: {errors} errors, {warnings} warnings, {infos} notes.").format(
        network=name, errors=counts[Severity.ERROR], warnings=counts[Severity.WARNING],
        infos=counts[Severity.INFO]))
