"""Property: any network survives save → load unchanged, in YAML and in JSON Lines.

Networks are generated as the records a person or a program would write (unknown fields,
multilingual texts, schedules with rules and exceptions, dates and date-times, visibility),
written to a directory, loaded, saved and loaded again.  A second property saves one network
over the files of another (the in-place update that keeps comments) and must load as the
first.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ki_network import load
from ki_network.datadir.save import save
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager

PM = bare_plugin_manager()
TOPICS = sorted(t.id for r in PM.hook.ki_network_topics() for t in r)
GROUPS = sorted(g.id for r in PM.hook.ki_network_target_groups() for g in r)

SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- values ----------------------------------------------------------------------------------

#: Texts that YAML likes to read as something else, and other awkward ones.
TRICKY = ["yes", "no", "on", "off", "null", "~", "true", "False", "123", "1.5", "1e3", "0x1F",
          "0b101", "1_000", "05374012", "9:30", "2026-01-01", "2026-01-01T10:00:00", "-", "#x",
          "a: b", "- a", "'q'", '"q"', " lead", "trail ", "two\nlines", "tab\there", "@at",
          "%p", "!bang", "*star", "&amp", "{x}", "[y]", "ä ö ü ß", "مرحبا", "Привет", "🙂"]
words = st.text(st.characters(whitelist_categories=("L", "M", "N", "P", "S", "Zs"),
                              whitelist_characters="\n\t"), min_size=1, max_size=20)
texts = st.one_of(st.sampled_from(TRICKY), words)
languages = st.sampled_from(["de", "en", "ar", "tr", "uk", "ru", "fa", "ti", "ku", "ckb", "prs"])
multilingual = st.one_of(texts, st.dictionaries(languages, texts, min_size=1, max_size=3))
ags = st.from_regex(r"\A05[0-9]{6}\Z")
visibility = st.sampled_from([None, "public", "partners", "internal"])
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
offsets = st.sampled_from([None, UTC, timezone(timedelta(hours=1)),
                           timezone(timedelta(hours=-5, minutes=-30))])


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    day = draw(days)
    when = datetime(day.year, day.month, day.day, draw(st.integers(0, 22)),
                    draw(st.integers(0, 59)), draw(st.sampled_from([0, 0, 0, 15])))
    if draw(st.booleans()) and when.second:
        when = when.replace(microsecond=draw(st.integers(1, 999_999)))
    return when.replace(tzinfo=draw(offsets))


KNOWN = {"id", "name", "kind", "municipalities", "address", "languages", "topics", "contact",
         "visibility", "calendar", "description", "geo", "title", "provider", "partners",
         "topic", "target_groups", "municipality", "location", "schedule", "valid_from",
         "valid_to", "url", "programme", "organisers", "start", "end", "rrule", "until",
         "exdates", "rdates", "status", "uid", "recurrence_id", "this_and_future", "source",
         "target", "since", "note", "a", "b", "verdict", "by", "on", "email", "phone",
         "website", "person", "lat", "lon"}
extra_keys = st.from_regex(r"\A[a-z][a-z_]{0,8}\Z").filter(lambda k: k not in KNOWN)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), texts,
                    st.floats(allow_nan=False, allow_infinity=False, width=64))
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                     st.dictionaries(extra_keys, inner, max_size=3)),
    max_leaves=6)


def extras(with_dates: bool) -> st.SearchStrategy[dict[str, Any]]:
    values = st.one_of(json_values, days) if with_dates else json_values
    return st.dictionaries(extra_keys, values, max_size=2)


def put(record: dict[str, Any], key: str, value: Any) -> None:
    """Leave out ``None`` (absent field)."""
    if value is not None:
        record[key] = value


# -- records ---------------------------------------------------------------------------------


@st.composite
def schedules(draw: st.DrawFn, extra: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    all_day = draw(st.booleans())
    if all_day:
        start: date | datetime = draw(days)
        end: date | datetime = start + timedelta(days=draw(st.integers(1, 3)))
        moment: st.SearchStrategy[Any] = days
    else:
        start = draw(moments())
        end = start + timedelta(minutes=draw(st.integers(15, 600)))
        moment = st.builds(lambda d: start + timedelta(days=d), st.integers(1, 400))
    entry: dict[str, Any] = {"start": text_or(draw, start)}
    if draw(st.booleans()):
        entry["end"] = text_or(draw, end)
    if draw(st.booleans()):
        entry["rrule"] = draw(st.sampled_from([
            "FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=1WE",
            "FREQ=DAILY;COUNT=5", "RRULE:FREQ=YEARLY"]))
        if "COUNT=" not in entry["rrule"] and draw(st.booleans()):  # RFC 5545: not both
            entry["until"] = text_or(draw, start + timedelta(days=draw(st.integers(0, 300))))
        for key in ("exdates", "rdates"):
            if draw(st.booleans()):
                entry[key] = [text_or(draw, v) for v in draw(st.lists(moment, max_size=2))]
    entry.update(draw(extra))
    return entry


def text_or(draw: st.DrawFn, value: date | datetime) -> Any:
    """As a YAML/JSON writer would have it: ISO text, or (sometimes) the value itself."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value.isoformat() if draw(st.booleans()) else value


def contacts(extra: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        # e-mail addresses and links are checked since #10: valid ones, spelt in many ways
        "email": st.sampled_from(["info@caritas.example", "a.b+c@x.example",
                                  "ümlaut@straße.example", "'q'@x.example"]),
        "phone": st.sampled_from(["+49 2261 123", "0226112345", "02261-88"]),
        "website": st.sampled_from(["https://example.org/a?b=c#d", "http://ki.example",
                                    "HTTPS://KI.EXAMPLE/%20x", "tel:+4922610", "mailto:a@b"]),
        "person": texts,
        "visibility": st.sampled_from(["public", "partners", "internal"])}).flatmap(
        lambda c: extra.map(lambda e: {**c, **e}))


@st.composite
def networks(draw: st.DrawFn, with_dates: bool) -> dict[str, list[dict[str, Any]]]:
    extra = extras(with_dates)
    ids = draw(st.lists(st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,12}\Z"), min_size=2,
                        max_size=14, unique=True))
    n_actors = draw(st.integers(1, min(5, len(ids) - 1)))
    actor_ids, item_ids = ids[:n_actors], ids[n_actors:]
    actors = []
    for ident in actor_ids:
        record: dict[str, Any] = {"id": ident, "name": draw(texts)}
        put(record, "kind", draw(st.sampled_from([None, "provider", "migrant_organisation",
                                                   "school", "other"])))
        put(record, "municipalities", draw(st.lists(ags, max_size=3, unique=True)) or None)
        put(record, "address", draw(st.none() | texts))
        put(record, "languages", draw(st.lists(languages, max_size=3, unique=True)) or None)
        put(record, "topics", draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True))
            or None)
        put(record, "contact", draw(st.none() | contacts(extra)) or None)
        put(record, "visibility", draw(visibility))
        # no 'calendar': the feed source would read the file or fetch the URL
        put(record, "description", draw(st.none() | multilingual))
        if draw(st.booleans()):
            record["geo"] = {"lat": draw(st.floats(-90, 90)), "lon": draw(st.floats(-180, 180))}
        record.update(draw(extra))
        actors.append(record)
    n_offers = draw(st.integers(0, len(item_ids)))
    offers, events = [], []
    for ident in item_ids[:n_offers]:
        record = {"id": ident, "title": draw(multilingual),
                  "provider": draw(st.sampled_from(actor_ids))}
        put(record, "partners", draw(st.lists(st.sampled_from(actor_ids), max_size=2,
                                              unique=True)) or None)
        put(record, "topic", draw(st.none() | st.sampled_from(TOPICS)))
        put(record, "target_groups", draw(st.lists(st.sampled_from(GROUPS), max_size=2,
                                                   unique=True)) or None)
        put(record, "languages", draw(st.lists(languages, max_size=2, unique=True)) or None)
        put(record, "municipality", draw(st.none() | ags))
        put(record, "location", draw(st.none() | texts))
        put(record, "schedule", draw(st.lists(schedules(extra), max_size=2)) or None)
        if draw(st.booleans()):
            first = draw(days)
            record["valid_from"] = text_or(draw, first)
            record["valid_to"] = text_or(draw, first + timedelta(days=draw(st.integers(0, 900))))
        put(record, "visibility", draw(visibility))
        put(record, "contact", draw(st.none() | contacts(extra)) or None)
        put(record, "url", draw(st.none() | st.just("https://example.org/a?b=c#d")))
        put(record, "programme", draw(st.none() | texts))
        put(record, "description", draw(st.none() | multilingual))
        record.update(draw(extra))
        offers.append(record)
    for ident in item_ids[n_offers:]:
        record = {"id": ident, "title": draw(multilingual),
                  "organisers": draw(st.lists(st.sampled_from(actor_ids), min_size=1,
                                              max_size=2, unique=True))}
        record.update(draw(schedules(st.just({}))))
        put(record, "topic", draw(st.none() | st.sampled_from(TOPICS)))
        put(record, "municipality", draw(st.none() | ags))
        put(record, "status", draw(st.sampled_from([None, "confirmed", "tentative",
                                                     "cancelled"])))
        put(record, "visibility", draw(visibility))
        put(record, "uid", draw(st.none() | st.just(f"{ident}@example.org")))
        if draw(st.booleans()):
            record["recurrence_id"] = draw(moments()).isoformat()
            put(record, "this_and_future", draw(st.sampled_from([None, True])))
        put(record, "description", draw(st.none() | multilingual))
        record.update(draw(extra))
        events.append(record)
    relations = []
    if len(actor_ids) > 1:
        for _ in range(draw(st.integers(0, 6))):
            source, target = draw(st.lists(st.sampled_from(actor_ids), min_size=2, max_size=2,
                                           unique=True))
            record = {"source": source, "target": target,
                      "kind": draw(st.sampled_from(["cooperates", "funds", "member_of",
                                                    "refers_to", "coordinates",
                                                    "co_organises"]))}
            put(record, "programme", draw(st.none() | texts))
            put(record, "since", draw(st.none() | days))
            put(record, "note", draw(st.none() | texts))
            put(record, "visibility", draw(visibility))
            record.update(draw(extra))
            relations.append(record)
    decisions = []
    if len(offers) > 1:
        a, b = offers[0]["id"], offers[1]["id"]
        if draw(st.booleans()):
            record = {"a": a, "b": b, "verdict": draw(st.sampled_from(["same", "distinct"]))}
            put(record, "note", draw(st.none() | texts))
            put(record, "on", draw(st.none() | days))
            decisions.append(record)
    return {"actors": actors, "offers": offers, "events": events, "relations": relations,
            "decisions": decisions}


# -- writing and comparing -------------------------------------------------------------------


def write(directory: Path, records: dict[str, list[dict[str, Any]]], fmt: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "network.yaml").write_text("name: Generated\n", encoding="utf-8")
    for kind, items in records.items():
        if not items and kind != "actors":
            continue
        if fmt == "jsonl":
            lines = [json.dumps(item, ensure_ascii=False, default=str) for item in items]
            (directory / f"{kind}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            (directory / f"{kind}.yaml").write_text(
                yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def content(net: Network) -> tuple[Any, ...]:
    return net.actors, net.offers, net.events, net.relations, net.decisions


def values(net: Network) -> list[Any]:
    """Every model value of ``net``, those inside the records included."""
    found: list[Any] = [*net.actors.values(), *net.offers.values(), *net.events.values(),
                        *net.relations, *net.decisions]
    for item in (*net.actors.values(), *net.offers.values(), *net.events.values()):
        found += [item.contact, item.geo, getattr(item, "description", None)]
    for item in (*net.offers.values(), *net.events.values()):
        found += [item.title, *(item.schedule if isinstance(item.schedule, tuple)
                                else (item.schedule,))]
    return [value for value in found if value is not None]


def assert_hashes_agree(a: Network, b: Network) -> None:
    """``a`` and ``b`` were loaded apart and hold equal values: their hashes are equal too."""
    left, right = values(a), values(b)
    assert left == right
    assert [hash(x) for x in left] == [hash(y) for y in right]


@pytest.mark.parametrize("fmt", ["yaml", "jsonl"])
@SETTINGS
@given(data=st.data())
def test_save_then_load_gives_the_same_network(fmt: str, data: st.DataObject) -> None:
    records = data.draw(networks(with_dates=fmt == "yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        source = write(Path(tmp) / "a", records, fmt)
        first = load(source, PM)
        assert len(first.offers) == len(records["offers"])
        assert len(first.relations) == len(records["relations"])

        save(first, Path(tmp) / "b")  # to a new directory: files written from scratch
        assert {p.suffix for p in (Path(tmp) / "b").glob("[aeor]*.*")} <= {f".{fmt}"}
        second = load(Path(tmp) / "b", PM)
        assert content(second) == content(first)
        assert_hashes_agree(first, second)

        save(first)  # in place, over the files it was read from
        assert content(load(source, PM)) == content(first)


@SETTINGS
@given(data=st.data())
def test_saving_over_another_network_updates_it_in_place(data: st.DataObject) -> None:
    old = data.draw(networks(with_dates=True))
    new = data.draw(networks(with_dates=True))
    with tempfile.TemporaryDirectory() as tmp:
        wanted = load(write(Path(tmp) / "new", new, "yaml"), PM)
        target = write(Path(tmp) / "old", old, "yaml")
        shutil.copy(Path(tmp) / "new" / "network.yaml", target / "network.yaml")
        save(wanted, target)
        assert content(load(target, PM)) == content(wanted)


@SETTINGS
@given(old=extras(with_dates=True), new=extras(with_dates=True))
# Found by the property above on random runs: ruamel.yaml (YAML 1.2) reads ``1e3`` as the
# float 1000.0 where the loader reads the text "1e3", so the in-place update judged values by
# the wrong reading (a wanted 1000.0 looked unchanged) and re-wrote kept ones from it (the
# text "1e3" of a changed record became 1000.0); and a key with a null value was never
# removed (its value compared equal to the missing default).
@example(old={"x": "1e3"}, new={"x": 1000.0})
@example(old={"x": None, "y": ["1e3", None, None]}, new={"x": None, "y": ["1e3", None, False]})
@example(old={"x": None}, new={})
@example(old={"x": {"t": "9:30", "u": "1e3"}}, new={"x": {"t": "9:30", "u": "1e3", "v": 1}})
@example(old={"x": ["null", "0x1F"]}, new={"x": ["null", "0x1F", None]})
def test_saving_extras_over_other_extras_in_place(old: dict[str, Any],
                                                  new: dict[str, Any]) -> None:
    base = {"source": "a", "target": "b", "kind": "cooperates"}
    actors = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]
    with tempfile.TemporaryDirectory() as tmp:
        wanted = load(write(Path(tmp) / "new", {"actors": actors, "relations": [
            {**base, **new}]}, "yaml"), PM)
        target = write(Path(tmp) / "old", {"actors": actors, "relations": [{**base, **old}]},
                       "yaml")
        save(wanted, target)
        assert content(load(target, PM)) == content(wanted)
