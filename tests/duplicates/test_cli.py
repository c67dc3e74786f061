"""``ki-network duplicates``: text, the JSON contract, --decide, --only-new, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ki_network.cli import main
from ki_network.testing import TINY, write_network

from .test_engine import offer

DECISIONS = """\
# Decisions of the KI on duplicate candidates
- a: a
  b: nah          # checked on the phone
  verdict: distinct
  note: two rooms

# keep this comment
- {a: x, b: a, verdict: same}
"""


def _directory(tmp_path: Path, decisions: str | None = None) -> Path:
    offers = [offer("a"), offer("b", "Sprach-Café f. Frauen"),
              offer("nah", "SPRACHCAFE FUER FRAUEN"), offer("x", "Sprachcafe Frauen"),
              offer("c", "Frauentreff: Deutsch üben", provider="awo", location="Hauptstr. 3",
                    contact={"phone": "02261 4711", "email": "treff@awo.example"})]
    files: dict[str, Any] = {**TINY, "offers.yaml": offers}
    files["actors.yaml"] = [*TINY["actors.yaml"], {"id": "awo", "name": "AWO", "kind": "provider"}]
    directory = write_network(tmp_path / "net", files)
    if decisions is not None:
        (directory / "decisions.yaml").write_text(decisions, encoding="utf-8")
    return directory


def _words(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["duplicates", *args])


def test_text_output_for_people(tmp_path: Path) -> None:
    result = run(str(_directory(tmp_path)), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "same     " in result.output and "overlap  " in result.output
    assert "- title agrees" in result.output
    assert "cluster: a, b, nah, x" in result.output


def test_json_contract(tmp_path: Path) -> None:
    result = run(str(_directory(tmp_path)), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"pairs", "clusters"} <= set(document)
    for pair in document["pairs"]:
        assert {"a", "b", "score", "band", "reasons"} <= set(pair)
        assert 0 <= pair["score"] <= 1 and pair["band"] in ("same", "review", "overlap")
    assert document["clusters"] == [["a", "b", "nah", "x"]]


def test_decide_keeps_comments_and_order_and_is_honoured(tmp_path: Path) -> None:
    directory = _directory(tmp_path, DECISIONS)
    result = run(str(directory), "--decide", "b", "c", "distinct", "--note", "other provider",
                 "--by", "Anna")
    assert result.exit_code == 0, result.output
    text = (directory / "decisions.yaml").read_text(encoding="utf-8")
    # ruamel.yaml may re-space a trailing comment; words, comments and order stay
    assert _words(text)[:8] == _words(DECISIONS)
    assert "- a: b\n  b: c\n  verdict: distinct\n  note: other provider" in text
    assert "by: Anna" in text
    # a changed verdict replaces the old one in place
    result = run(str(directory), "--decide", "nah", "a", "same", "--note", "one room after all")
    assert result.exit_code == 0, result.output
    text = (directory / "decisions.yaml").read_text(encoding="utf-8")
    assert "# checked on the phone" in text and "# keep this comment" in text
    assert text.count("verdict:") == 3 and "two rooms" not in text
    assert _words(text)[1:5] == ["- a: a", "b: nah # checked on the phone", "verdict: same",
            "note: one room after all"]
    assert text.index("b: nah") < text.index("{a: x")
    document = json.loads(run(str(directory), "--format", "json").output)
    pairs = {frozenset((p["a"], p["b"])): p for p in document["pairs"]}
    assert frozenset(("b", "c")) not in pairs
    assert pairs[frozenset(("a", "nah"))]["band"] == "same"
    assert pairs[frozenset(("a", "nah"))]["reasons"][0].startswith("confirmed by a person")


def test_decide_creates_the_file(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    assert run(str(directory), "--decide", "a", "b", "same").exit_code == 0
    assert "verdict: same" in (directory / "decisions.yaml").read_text(encoding="utf-8")


def test_usage_errors(tmp_path: Path) -> None:
    directory = str(_directory(tmp_path))
    unknown = run(directory, "--decide", "a", "zzz", "same")
    assert unknown.exit_code == 2 and "unknown offer 'zzz'" in unknown.output
    verdict = run(directory, "--decide", "a", "b", "maybe")
    assert verdict.exit_code == 2 and "verdict" in verdict.output
    assert run(directory, "--note", "x").exit_code == 2


def test_only_new_from_ids_or_a_file(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    result = run(str(directory), "--only-new", "c", "--format", "json")
    pairs = json.loads(result.output)["pairs"]
    assert pairs and all("c" in (p["a"], p["b"]) for p in pairs)
    ids = tmp_path / "new.txt"
    ids.write_text("# entered today\nc\nzzz\n", encoding="utf-8")
    result = run(str(directory), "--only-new", str(ids), "--lang", "en")
    assert result.exit_code == 0
    assert "zzz: no such offer, not checked" in result.output


def test_invalid_data_exits_1(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    (directory / "offers.yaml").write_text("- {id: a, title: x}\n", encoding="utf-8")
    result = run(str(directory))
    assert result.exit_code == 1
    assert "offers.yaml:1" in result.output and "Traceback" not in result.output


def test_public_audience_leaves_out_restricted_offers(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    text = (directory / "offers.yaml").read_text(encoding="utf-8")
    text = text.replace("- id: b\n", "- id: b\n  visibility: internal\n")
    (directory / "offers.yaml").write_text(text, encoding="utf-8")
    (directory / "decisions.yaml").write_text("- {a: b, b: c, verdict: distinct}\n",
                                              encoding="utf-8")
    result = run(str(directory), "--audience", "public", "--format", "json")
    document = json.loads(result.output)
    ids = {i for p in document["pairs"] for i in (p["a"], p["b"])}
    assert "b" not in ids and "a" in ids
    # the public view holds no decision about an offer it does not show (#10), so there is
    # nothing to ignore and nothing to say about it
    assert document["notes"] == []
