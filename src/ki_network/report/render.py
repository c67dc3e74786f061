"""Build the HTML report: one self-contained file for one audience, in one language.

Everything shown comes from ``network.for_audience(audience)``: the map, the heat map, the
week, the findings (the rules run on that view) and the list of subjects.  A public report
therefore holds nothing that is not public, contact data included.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

import attrs
from babel.dates import format_date, format_datetime
from jinja2 import Environment, PackageLoader, select_autoescape

from ..calendar.occurrences import occurrences
from ..checks import CheckResult, run_rules
from ..checks.coverage import coverage, municipalities_of
from ..locale import N_, chosen, translator
from ..model import Event, Finding, Offer, Visibility
from . import plots, triage
from .changes import Changes, compare, finding_key

if TYPE_CHECKING:
    from ..network import Network

KIND_LABELS = {
    "administration": N_("Administration"), "provider": N_("Welfare provider"),
    "migrant_organisation": N_("Migrant organisation"), "school": N_("School"),
    "daycare": N_("Day-care centre"), "education_provider": N_("Adult education"),
    "volunteer_group": N_("Volunteer group"), "religious_community": N_("Religious community"),
    "other": N_("Other"),
}
RELATION_LABELS = {
    "cooperates": N_("cooperates with"), "funds": N_("funds"), "member_of": N_("member of"),
    "refers_to": N_("refers to"), "coordinates": N_("coordinates"),
    "co_organises": N_("co-organises with"),
}
AUDIENCE_LABELS = {"public": N_("public"), "partners": N_("partners"),
                   "internal": N_("internal")}
SEVERITY_LABELS = {"info": N_("note"), "warning": N_("warning"), "error": N_("error")}
CHANGE_LABELS = {"new": N_("new"), "unchanged": N_("unchanged")}
#: the one script of the report (the findings' filters); the CSP admits it by its hash
SCRIPT = resources.files("ki_network.report").joinpath("templates/filters.js").read_text(
    encoding="utf-8")
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()


@attrs.frozen
class WeekEntry:
    """One occurrence in the week view, in local time."""

    start: datetime
    end: datetime
    all_day: bool
    item_id: str
    title: str
    place: str
    cancelled: bool


def anchor(subject_id: str) -> str:
    """The HTML id of a subject's entry (``subject-<id>``; ids are slugs or AGS codes)."""
    return f"subject-{subject_id}"


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def render_report(network: Network, *, audience: Visibility | str = Visibility.PUBLIC,
                  language: str | None = None, today: date | None = None,
                  week: date | None = None, result: CheckResult | None = None,
                  since: Mapping[str, Any] | None = None) -> str:
    """The report as an HTML document (a string).

    :param audience: who will read it; nothing more restricted is included.
    :param language: ``de`` or ``en`` (default: the network's language, else English).
    :param today: the day the rules take as today (default: ``date.today()``).
    :param week: a day of the week to show in the calendar (default: ``today``).
    :param result: findings already computed on ``network.for_audience(audience)``.
    :param since: the findings of an earlier run (the JSON of ``check --format json``, read
        with :func:`ki_network.report.changes.read_previous`): each finding is marked new or
        unchanged, and the ones gone are listed as resolved.
    """
    audience = Visibility(audience)
    view = network.for_audience(audience)
    lang = chosen(language, network.config.language)
    today = today or date.today()
    catalogue = translator(lang)
    _ = catalogue.gettext
    result = result or run_rules(view, language=lang, today=today,
                                 audience=view.audience)
    monday = week_of(week or today)

    env = Environment(loader=PackageLoader("ki_network.report", "templates"),
                      autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    template = env.get_template("report.html")
    changes = (compare(since, (finding_key(f) for f in result.findings))
               if since is not None else None)
    context = _context(view, lang, today, monday, result)
    context.update(_findings(view, lang, result, changes))
    context.update(audience=audience.value, audience_label=_(AUDIENCE_LABELS[audience.value]),
                   network_map=_network_map(view, lang), heat=_heat(view, lang),
                   script=SCRIPT, script_hash=SCRIPT_HASH)
    return template.render(context)


def _context(view: Network, lang: str, today: date, monday: date, result: CheckResult
             ) -> dict[str, Any]:
    _ = translator(lang).gettext
    subjects = _subjects(view, lang)
    counts = {s: sum(1 for f in result.findings if f.severity.value == s)
              for s in ("error", "warning", "info")}
    places = municipalities_of(view)
    covered = {o.municipality for o in view.offers.values() if o.municipality}
    figures = {"actors": len(view.actors), "offers": len(view.offers),
               "events": sum(1 for e in view.events.values() if not e.overrides),
               "covered": len(covered & set(places)), "places": len(places)}
    return {
        "lang": lang, "name": view.config.name,
        "generated": format_date(today, "long", locale=lang),
        "counts": counts, "failed": result.failed, "figures": figures,
        "week": _week(view, lang, monday), "subjects": subjects,
        "week_label": format_date(monday, "long", locale=lang),
    }


def _findings(view: Network, lang: str, result: CheckResult, changes: Changes | None
              ) -> dict[str, Any]:
    """The findings for the report: the top ones, all of them grouped by rule with runs of
    similar hints folded, the options of the filters, and the changes since last time."""
    catalogue = translator(lang)
    _ = catalogue.gettext
    known = set(_subjects_ids(view))
    places = municipalities_of(view)
    findings = result.findings
    titles = {rule: result.titles.get(rule, rule) for rule in result.by_rule()}
    ids = {id(f): n for n, f in enumerate(findings)}

    def entry(finding: Finding) -> dict[str, Any]:
        n = ids[id(finding)]
        status = changes.status(finding_key(finding)) if changes else ""
        return {"id": f"finding-{n}", "rule": finding.rule, "title": titles[finding.rule],
                "severity": finding.severity.value,
                "severity_label": _(SEVERITY_LABELS[finding.severity.value]),
                "message": finding.message, "suggestion": finding.suggestion,
                "subjects": [(s, anchor(s) if s in known else None) for s in finding.subjects],
                "places": " ".join(triage.places_of(view, finding, places)),
                "change": status, "change_label": _(CHANGE_LABELS[status]) if status else ""}

    groups = []
    for rule_id, members in result.by_rule().items():
        folds: dict[str, list[Finding]] = defaultdict(list)
        for finding in members:
            key = triage.fold_key(view, finding)
            if key is not None:
                folds[key].append(finding)
        entries: list[dict[str, Any]] = []
        done: set[str] = set()
        for finding in members:
            key = triage.fold_key(view, finding)
            if key is None or len(folds[key]) < triage.FOLD_FROM.get(rule_id, 2):
                entries.append(entry(finding))
            elif key not in done:
                done.add(key)
                entries.append(_fold(view, lang, rule_id, key, folds[key], entry=entry))
        groups.append({"rule": rule_id, "title": titles[rule_id], "count": len(members),
                       "severity": triage.worst(members).value, "entries": entries})
    fresh = ({n for n, f in enumerate(findings) if changes.status(finding_key(f)) == "new"}
             if changes else set())
    top = [entry(findings[n]) for n in triage.top_findings(findings, new=fresh)]
    names = sorted(((ags, view.municipality_name(ags)) for ags in places),
                   key=lambda x: x[1].casefold())
    resolved = []
    if changes is not None:
        resolved = [{"title": titles.get(str(f.get("rule")), str(f.get("rule"))),
                     "rule": f.get("rule"), "severity": f.get("severity", "info"),
                     "severity_label": _(SEVERITY_LABELS.get(str(f.get("severity")), "note")),
                     "message": f.get("message", "")} for f in changes.resolved]
    return {"groups": groups, "top": top, "filter_places": names,
            "filter_rules": [(g["rule"], g["title"], g["count"]) for g in groups],
            "changes": None if changes is None else {
                "since": _day_label(changes.since, lang), "new": len(changes.new),
                "unchanged": len(changes.unchanged), "resolved": resolved}}


def _day_label(iso: str | None, lang: str) -> str | None:
    """An ISO day as people write it (``11. Januar 2027``); anything else as it is."""
    try:
        return format_date(date.fromisoformat(iso), "long", locale=lang) if iso else None
    except ValueError:
        return iso


def _fold(view: Network, lang: str, rule: str, key: str, members: list[Finding], *,
          entry: Any) -> dict[str, Any]:
    """One summary line for a run of similar hints (a provider's holiday collisions, a
    municipality's coverage gaps), with the findings behind it."""
    catalogue = translator(lang)
    _ = catalogue.gettext
    count = len(members)
    if rule == "holiday-collision":
        name = view.actors[key].name if key in view.actors else key
        dated = sorted((str(f.evidence.get("holiday_first", "")),
                        str(f.evidence.get("holiday", ""))) for f in members)
        holidays = dict.fromkeys(h for _day, names in dated for h in names.split(", ") if h)
        summary = catalogue.ngettext(
            "{name}: {count} offer or event on holidays ({holidays})",
            "{name}: {count} offers and events on holidays ({holidays})", count).format(
            name=name, count=count, holidays=", ".join(holidays))
    elif rule == "coverage-gap":
        name = view.municipality_name(key)
        topics = [str(f.evidence.get("topic", "")) for f in members]
        labels = [view.topics[t].label.get(lang) if t in view.topics else t for t in topics]
        summary = catalogue.ngettext(
            "{name}: no offer in {count} topic ({topics})",
            "{name}: no offer in {count} topics ({topics})", count).format(
            name=name, count=count, topics=", ".join(labels))
    else:
        name = view.municipality_name(key) if key.isdigit() else key
        summary = catalogue.ngettext("{name}: {count} finding", "{name}: {count} findings",
                                     count).format(name=name, count=count)
    worst = triage.worst(members).value
    return {"fold": True, "summary": summary, "count": count, "severity": worst,
            "severity_label": _(SEVERITY_LABELS[worst]),
            "findings": [entry(f) for f in members]}


def _subjects_ids(view: Network) -> list[str]:
    """The ids that have an entry (an anchor) in the report's tables."""
    return [*view.actors, *view.offers,
            *(e.id for e in view.events.values() if not e.overrides), *municipalities_of(view)]


def _network_map(view: Network, lang: str) -> dict[str, Any]:
    _ = translator(lang).gettext
    graph = view.graph
    isolated = sorted(str(n) for n, d in graph.degree() if d == 0)
    title = _("Network map: {actors} actors, {relations} relations, {isolated} without "
              "ties").format(actors=graph.number_of_nodes(), relations=graph.number_of_edges(),
                             isolated=len(isolated))
    svg = plots.network_map(
        graph, kind_labels={k: _(v) for k, v in KIND_LABELS.items()},
        relation_labels={k: _(v) for k, v in RELATION_LABELS.items()},
        isolated_label=_("No ties"), title=title)
    return {"svg": svg, "title": title,
            "isolated": [(a, view.actors[a].name, anchor(a)) for a in isolated]}


def _heat(view: Network, lang: str) -> dict[str, Any]:
    _ = translator(lang).gettext
    counts = coverage(view)
    families = [t for t in view.topics.values() if t.parent is None]
    places = municipalities_of(view)
    matrix = [[counts.get((ags, t.id), 0) for t in families] for ags in places]
    names = [view.municipality_name(ags) for ags in places]
    labels = [t.label.get(lang) for t in families]
    title = _("Coverage: offers per municipality and topic")
    # an empty grid is no picture: the template says so instead
    svg = plots.heat_map(names, labels, matrix, title=title,
                         zero_label=_("hatched: no offer"), colour_label=_("offers")) \
        if places and families else ""
    rows = [{"name": name, "cells": row} for name, row in zip(names, matrix, strict=True)]
    return {"svg": svg, "title": title, "columns": labels, "rows": rows}


def _week(view: Network, lang: str, monday: date) -> list[dict[str, Any]]:
    tz = view.config.tz
    days: dict[date, list[WeekEntry]] = defaultdict(list)
    for occurrence in occurrences(view, monday, monday + timedelta(days=7)):
        item = occurrence.item
        start, end = occurrence.start.astimezone(tz), occurrence.end.astimezone(tz)
        entry = WeekEntry(start, end, occurrence.all_day, item.id, item.title.get(lang),
                          item.location or view.municipality_name(item.municipality),
                          occurrence.status.value == "cancelled")
        first = max(start.date(), monday)
        last = (end - timedelta(microseconds=1)).date() if end > start else first
        day = first
        while day <= last and day < monday + timedelta(days=7):
            days[day].append(entry)
            day += timedelta(days=1)
    week = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        entries = sorted(days[day], key=lambda e: (not e.all_day, e.start, e.title))
        week.append({
            "date": day.isoformat(), "label": format_date(day, "EEEE, d. MMM", locale=lang)
            if lang == "de" else format_date(day, "EEEE, MMM d", locale=lang),
            "entries": [{"time": "" if e.all_day else
                         f"{format_datetime(e.start, 'HH:mm', locale=lang)}–"
                         f"{format_datetime(e.end, 'HH:mm', locale=lang)}",
                         "title": e.title, "place": e.place, "anchor": anchor(e.item_id),
                         "cancelled": e.cancelled} for e in entries]})
    return week


def _subjects(view: Network, lang: str) -> dict[str, Any]:
    _ = translator(lang).gettext

    def contact(item: Offer | Event | None, fallback: str | None = None) -> str:
        found = [] if item is None else [v for v in (item.contact.email, item.contact.phone,
                                                     item.contact.website) if v]
        return ", ".join(found) or (fallback or "")

    actors = [{"id": a.id, "anchor": anchor(a.id), "name": a.name,
               "kind": _(KIND_LABELS.get(a.kind.value, a.kind.value)),
               "places": ", ".join(view.municipality_name(m) for m in a.municipalities),
               "contact": ", ".join(v for v in (a.contact.email, a.contact.phone,
                                                a.contact.website) if v)}
              for a in sorted(view.actors.values(), key=lambda a: a.name.casefold())]
    offers = [{"id": o.id, "anchor": anchor(o.id), "title": o.title.get(lang),
               "provider": view.actors[o.provider].name, "provider_anchor": anchor(o.provider),
               "place": ", ".join(x for x in (view.municipality_name(o.municipality),
                                              o.location or "") if x),
               "languages": ", ".join(o.languages), "contact": contact(o)}
              for o in view.offers.values()]
    events = [{"id": e.id, "anchor": anchor(e.id), "title": e.title.get(lang),
               "organisers": [(view.actors[x].name, anchor(x)) for x in e.organisers],
               "when": _when(e, lang),
               "place": ", ".join(x for x in (view.municipality_name(e.municipality),
                                              e.location or "") if x), "contact": contact(e)}
              for e in view.events.values() if not e.overrides]
    offers_in: dict[str, int] = defaultdict(int)
    for offer in view.offers.values():
        if offer.municipality:
            offers_in[offer.municipality] += 1
    places = [{"id": ags, "anchor": anchor(ags), "name": view.municipality_name(ags),
               "offers": offers_in[ags], "languages": ", ".join(view.main_languages(ags))}
              for ags in municipalities_of(view)]
    ids = [x["id"] for group in (actors, offers, events, places) for x in group]
    return {"actors": actors, "offers": offers, "events": events, "municipalities": places,
            "ids": ids}


def _when(event: Event, lang: str) -> str:
    start = event.schedule.start
    if isinstance(start, datetime):
        return format_datetime(start, "short", locale=lang)
    return format_date(start, "medium", locale=lang)
