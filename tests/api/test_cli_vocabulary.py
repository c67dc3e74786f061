"""Issue #12: one command-line vocabulary — --lang, --today, --content-language — and
advice that names the real directory and knows the decisions already taken."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ki_network.cli import main

#: its --lang comes with the unified wording of conflict findings (another branch)
#: commands that print no text for people: serve answers HTTP (its pages are in the
#: network's language) and logs requests
NO_TEXT = {"serve"}
#: commands that judge against a date
JUDGING = {"check", "report", "conflicts", "duplicates", "ics import"}


def _commands() -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            found.update({f"{name} {sub}": c for sub, c in command.commands.items()})
        else:
            found[name] = command
    return found


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in getattr(p, "opts", [])}


@pytest.mark.parametrize("name", sorted(set(_commands()) - NO_TEXT))
def test_every_command_that_prints_text_takes_lang(name: str) -> None:
    assert "--lang" in _options(_commands()[name])


@pytest.mark.parametrize("name", sorted(JUDGING))
def test_every_command_that_judges_against_a_date_takes_today(name: str) -> None:
    assert "--today" in _options(_commands()[name])


def test_duplicates_speaks_german_and_english(oberberg: Path) -> None:
    german = CliRunner().invoke(main, ["duplicates", str(oberberg), "--lang", "de"])
    assert german.exit_code == 0, german.output
    assert "- Titel übereinstimmend (100 %): " in german.stdout
    assert "Kandidatenpaare verglichen" in german.stdout
    assert "agrees" not in german.stdout
    english = CliRunner().invoke(main, ["duplicates", str(oberberg), "--lang", "en"])
    assert "- title agrees (100%): " in english.stdout
    assert "candidate pairs compared" in english.stdout
    default = CliRunner().invoke(main, ["duplicates", str(oberberg)])
    assert default.stdout == german.stdout  # the network's language
    as_json = CliRunner().invoke(main, ["duplicates", str(oberberg), "--lang", "de",
                                        "--format", "json"])
    assert "title agrees" in as_json.stdout  # JSON is for programs: English reasons


def test_one_name_for_the_content_language(oberberg: Path, tmp_path: Path) -> None:
    new = CliRunner().invoke(main, ["calendar", str(oberberg), "-o", str(tmp_path / "a.ics"),
                                    "--content-language", "en", "--lang", "en"])
    assert new.exit_code == 0, new.output
    old = CliRunner().invoke(main, ["calendar", str(oberberg), "-o", str(tmp_path / "b.ics"),
                                    "--language", "en"])
    assert old.exit_code == 0, old.output
    assert "--language is deprecated; use --content-language" in old.stderr
    assert (tmp_path / "a.ics").read_bytes().count(b"BEGIN:VEVENT") == \
        (tmp_path / "b.ics").read_bytes().count(b"BEGIN:VEVENT")
    assert "--language" not in CliRunner().invoke(main, ["calendar", "--help"]).output.replace(
        "--content-language", "")


def test_check_advice_names_the_directory_and_knows_the_decisions(oberberg: Path,
                                                                 tmp_path: Path) -> None:
    directory = tmp_path / "oberberg"
    shutil.copytree(oberberg, directory)
    (directory / "decisions.yaml").write_text(
        "- {a: caritas-sprachcafe-waldbroel, b: ki-sprachcafe-frauen-waldbroel, "
        "verdict: same, by: KI}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(directory), "--lang", "en", "--rule",
                                       "duplicate-offer", "--today", "2027-01-11"])
    assert result.exit_code == 0, result.output
    assert (f"ki-network duplicates {directory} --decide vhs-dtkurs-a1-gummersbach "
            "vhs-deutschkurs-a1-gummersbach same|distinct") in result.stdout
    assert "DIR" not in result.stdout
    assert "--decide caritas-sprachcafe-waldbroel" not in result.stdout
    assert "--decide ki-sprachcafe-frauen-waldbroel" not in result.stdout
    assert "A person confirmed that they are one offer" in result.stdout


def test_conflicts_takes_today_as_the_start_of_its_window(oberberg: Path) -> None:
    result = CliRunner().invoke(main, ["conflicts", str(oberberg), "--today", "2027-01-11",
                                       "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("between 2027-01-11 and 2028-01-11")
