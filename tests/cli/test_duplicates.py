"""cli/duplicates.py: exit codes, the text listing and its summary, --min-score, --only-new
lists, --decide's output, and the default audience (the people who keep the data)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ki_network.cli import main
from ki_network.testing import write_network

GM = "05374012"


def offer(id: str, title: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": id, "title": title, "provider": "caritas", "topic": "language.informal",
        "target_groups": ["women"], "languages": ["de", "ar"], "municipality": GM,
        "location": "Pfarrheim, Kaiserstraße 5, 51643 Gummersbach",
        "contact": {"phone": "+49 2261 880", "email": "cafe@caritas.example"},
        "schedule": [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                      "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-07-14"}]}
    record.update(fields)
    return record


def duplicates(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, ["duplicates", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


@pytest.fixture
def network(tmp_path: Path) -> Path:
    offers = [offer("a", "Sprachcafé für Frauen"),
              offer("b", "Sprach-Café f. Frauen", contact={"phone": "02261 / 88-0"}),
              offer("secret", "Sprachcafe fuer Frauen", visibility="internal"),
              offer("treff", "Frauentreff: Deutsch üben", provider="verein",
                    location="Bürgerhaus, Hauptstr. 3", contact={"phone": "02261 4711"},
                    schedule=[{"start": "2026-01-13T10:00", "end": "2026-01-13T12:00",
                               "rrule": "FREQ=WEEKLY;BYDAY=TU"}]),
              offer("far", "Fahrradwerkstatt", topic="work", municipality="05374048",
                    provider="verein", contact={}, location="Markt 1",
                    schedule=[{"start": "2026-01-16T15:00", "rrule": "FREQ=WEEKLY"}])]
    return write_network(tmp_path / "net", offers=offers)


def as_json(*args: str | Path) -> dict[str, Any]:
    result = duplicates(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def ids(document: dict[str, Any]) -> set[frozenset[str]]:
    return {frozenset((p["a"], p["b"])) for p in document["pairs"]}


def test_pairs_found_is_still_exit_0(network: Path) -> None:
    result = duplicates(network)
    assert result.exit_code == 0
    assert "same" in result.stdout


def test_nothing_found_is_exit_0_with_a_summary(tmp_path: Path) -> None:
    result = duplicates(write_network(tmp_path / "tiny"), "--lang", "en")
    assert result.exit_code == 0
    assert re.fullmatch(r"0 pairs: 0 same, 0 review, 0 overlap \(\d+ candidate pairs compared\)\n",
                        result.stdout)


def test_the_text_listing_agrees_with_json(network: Path) -> None:
    document = as_json(network)  # JSON is for programs: English whatever --lang says
    text = duplicates(network, "--lang", "en").stdout
    for pair in document["pairs"]:
        head = f"{pair['band']:<8} {pair['score']:.2f}  {pair['a']}  ↔  {pair['b']}"
        assert head in text
        for reason in pair["reasons"]:
            assert f"         - {reason}" in text
    same = sum(p["band"] == "same" for p in document["pairs"])
    review = sum(p["band"] == "review" for p in document["pairs"])
    overlap = sum(p["band"] == "overlap" for p in document["pairs"])
    assert text.splitlines()[-1] == (
        f"{len(document['pairs'])} pairs: {same} same, {review} review, {overlap} overlap "
        f"({document['candidates']} candidate pairs compared)")


def test_the_text_quotes_both_titles(network: Path) -> None:
    text = duplicates(network).stdout
    assert "'Sprachcafé für Frauen' / 'Sprach-Café f. Frauen'" in text


def test_internal_is_the_default_audience(network: Path) -> None:
    default = as_json(network)
    assert "secret" in {i for pair in ids(default) for i in pair}
    assert ids(default) == ids(as_json(network, "--audience", "internal"))
    public = as_json(network, "--audience", "public")
    assert "secret" not in {i for pair in ids(public) for i in pair}
    assert frozenset(("a", "b")) in ids(public)


def test_min_score_leaves_out_lower_pairs(network: Path) -> None:
    everything = as_json(network)
    scores = sorted(p["score"] for p in everything["pairs"])
    assert scores[0] < scores[-1]
    cut = (scores[0] + scores[-1]) / 2
    higher = as_json(network, "--min-score", f"{cut:.4f}")
    assert all(p["score"] >= round(cut, 4) for p in higher["pairs"])
    assert len(higher["pairs"]) == sum(s >= round(cut, 4) for s in scores) < len(scores)


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_min_score_outside_0_to_1_is_a_usage_error(network: Path, value: str) -> None:
    result = duplicates(network, "--min-score", value)
    assert result.exit_code == 2 and "--min-score" in result.stderr


@pytest.mark.parametrize("only", ["b", "b,far", "b far", " b , far "])
def test_only_new_takes_ids_separated_by_commas_or_spaces(network: Path, only: str) -> None:
    document = as_json(network, "--only-new", only)
    wanted = set(only.replace(",", " ").split())
    assert document["pairs"]
    assert all(wanted & {p["a"], p["b"]} for p in document["pairs"])


def test_decide_prints_where_it_wrote_and_dates_the_decision(network: Path) -> None:
    result = duplicates(network, "--decide", "a", "b", "same", "--by", "mk")
    assert result.exit_code == 0, result.output
    path = network / "decisions.yaml"
    assert result.stdout == f"{path}: a / b: same\n"
    text = path.read_text(encoding="utf-8")
    assert "by: mk" in text and f"on: {date.today().isoformat()}" in text
    pair = next(p for p in as_json(network)["pairs"] if {p["a"], p["b"]} == {"a", "b"})
    assert pair["decision"] == "same" and pair["band"] == "same"


@pytest.mark.parametrize("args", [["--by", "mk"], ["--note", "x", "--by", "mk"]])
def test_note_and_by_need_decide(network: Path, args: list[str]) -> None:
    result = duplicates(network, *args)
    assert result.exit_code == 2 and "--note and --by go with --decide" in result.stderr


def test_decide_needs_three_values(network: Path) -> None:
    assert duplicates(network, "--decide", "a", "b").exit_code == 2
    assert not (network / "decisions.yaml").exists()
