"""datadir/config.py: network.yaml becomes a NetworkConfig, with problems at their places."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ki_network import NetworkConfig, Origin
from ki_network.datadir.config import config_from_record
from ki_network.datadir.load import read_config
from ki_network.datadir.yamlio import parse_yaml


def config(text: str) -> tuple[NetworkConfig, list[str]]:
    data, problems = parse_yaml(text, "network.yaml")
    assert problems == []
    built, found = config_from_record(data, "network.yaml", None)
    return built, [str(p) for p in found]


def test_every_field() -> None:
    built, problems = config("""\
name: Integration im Oberberg
region: oberberg
timezone: Europe/Vienna
language: en
id_namespace: ki.example
main_languages:
  default: [de]
  Gummersbach: [de, ar, tr]
rules:
  duplicates.same: {severity: error}
plugins:
  oberberg: {holidays: true}
""")
    assert problems == []
    assert built.name == "Integration im Oberberg"
    assert built.region == "oberberg"
    assert built.timezone == "Europe/Vienna" and built.tz == ZoneInfo("Europe/Vienna")
    assert built.language == "en"
    assert built.id_namespace == "ki.example"
    assert built.main_languages == {"default": ("de",), "Gummersbach": ("de", "ar", "tr")}
    assert built.rules == {"duplicates.same": {"severity": "error"}}
    assert built.plugins == {"oberberg": {"holidays": True}}
    assert built.extra == {}


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n"])
def test_defaults_for_an_empty_file(text: str) -> None:
    built, problems = config(text)
    assert problems == []
    assert built == NetworkConfig()
    assert (built.name, built.region, built.timezone, built.language, built.id_namespace) == (
        "Network", None, "Europe/Berlin", "de", "ki-network.invalid")
    assert built.main_languages == built.rules == built.plugins == built.extra == {}


def test_defaults_fill_what_is_not_said() -> None:
    built, problems = config("name: Tiny\n")
    assert problems == []
    assert built == NetworkConfig(name="Tiny")


def test_main_languages_as_a_list_are_the_default() -> None:
    built, problems = config("main_languages: [de, ar]\n")
    assert problems == []
    assert built.main_languages == {"default": ("de", "ar")}


@pytest.mark.parametrize(("text", "expected"), [
    ("name: 3\n", "network.yaml:1:1: 'name' must be a text"),
    ("name: Tiny\nlanguage: [de]\n", "network.yaml:2:1: 'language' must be a text"),
    ("name: Tiny\nregion: ''\n", "network.yaml:2:1: 'region' must be a text"),
    ("name: Tiny\n  # c\nid_namespace: true\n", "network.yaml:3:1: 'id_namespace' must be a text"),
    ("timezone: Mars/Olympus\n", "network.yaml:1:1: unknown time zone 'Mars/Olympus'"),
    ("timezone: 7\n", "network.yaml:1:1: 'timezone' must be a text"),
    ("name: x\nrules: [duplicates]\n", "network.yaml:2:1: 'rules' must be a mapping"),
    ("plugins: oberberg\n", "network.yaml:1:1: 'plugins' must be a mapping"),
    ("name: x\nmain_languages: {Wiehl: de}\n",
     "network.yaml:2:1: 'main_languages' must map municipalities to lists of languages"),
    ("main_languages: [de, 3]\n",
     "network.yaml:1:1: 'main_languages' must map municipalities to lists of languages"),
])
def test_wrong_types_are_problems_at_their_key(text: str, expected: str) -> None:
    _, problems = config(text)
    assert problems == [expected]


def test_a_region_name_is_not_a_time_zone() -> None:
    _, problems = config("timezone: Europe\n")
    assert problems == ["network.yaml:1:1: unknown time zone 'Europe'"]


def test_a_wrong_value_keeps_the_default_and_the_rest() -> None:
    built, problems = config("name: Tiny\ntimezone: Nowhere/Else\nlanguage: 5\n")
    assert len(problems) == 2
    assert (built.name, built.timezone, built.language) == ("Tiny", "Europe/Berlin", "de")


def test_not_a_mapping() -> None:
    data, _ = parse_yaml("- name: Tiny\n", "network.yaml")
    built, problems = config_from_record(data, "network.yaml", None)
    assert built == NetworkConfig()
    assert [str(p) for p in problems] == ["network.yaml:1:1: network.yaml must be a mapping "
                                          "of settings"]


def test_plugin_settings() -> None:
    built, _ = config("plugins:\n  oberberg: {holidays: false}\n  shouty: false\n  other:\n")
    assert built.plugin_settings("oberberg") == {"holidays": False}
    assert built.plugin_settings("shouty") == {}  # switched off: no settings
    assert built.plugin_settings("other") == {}
    assert built.plugin_settings("absent") == {}
    assert built.plugins["shouty"] is False


def test_rule_settings_false_disables() -> None:
    built, _ = config("rules:\n  duplicates.same: false\n  coverage.gaps: {min_offers: 2}\n"
                      "  odd: 3\n")
    assert built.rule_settings("duplicates.same") == {"enabled": False}
    assert built.rule_settings("coverage.gaps") == {"min_offers": 2}
    assert built.rule_settings("odd") == {}
    assert built.rule_settings("absent") == {}


def test_empty_sections_are_empty_mappings() -> None:
    built, problems = config("rules:\nplugins:\nmain_languages:\n")
    assert problems == []
    assert built.rules == built.plugins == built.main_languages == {}


def test_unknown_keys_are_kept() -> None:
    built, problems = config("name: Tiny\ncolour: blue\ncontact: {email: ki@ki.example}\n")
    assert problems == []
    assert built.extra == {"colour": "blue", "contact": {"email": "ki@ki.example"}}
    assert "name" not in built.extra


def test_origins_of_keys(tmp_path: Path) -> None:
    (tmp_path / "network.yaml").write_text("name: Tiny\n\nregion: oberberg\n", encoding="utf-8")
    built, problems = read_config(tmp_path)
    assert problems == []
    path = str(tmp_path / "network.yaml")
    assert built.origin_of("region") == Origin(path, 3, 1)
    assert built.origin_of("timezone") == Origin(path)  # not written: the file itself
    assert built.directory == tmp_path
    assert NetworkConfig().origin_of("name") == Origin("network.yaml")


def test_directory_and_origins_do_not_count_for_equality(tmp_path: Path) -> None:
    one, _ = read_config(_written(tmp_path / "a", "name: Tiny\n"))
    other, _ = read_config(_written(tmp_path / "b", "\n\nname: Tiny\n"))
    assert one == other


def test_read_config_of_a_missing_or_broken_file(tmp_path: Path) -> None:
    built, problems = read_config(tmp_path)
    assert built == NetworkConfig()
    assert [p.message for p in problems] == ["file not found"]
    _written(tmp_path, "name: [unclosed\n")
    _, problems = read_config(tmp_path)
    assert len(problems) == 1 and problems[0].message.startswith("not valid YAML")


def _written(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "network.yaml").write_text(text, encoding="utf-8")
    return directory


def test_the_config_is_frozen() -> None:
    built: Any = NetworkConfig()
    with pytest.raises(AttributeError):
        built.name = "changed"
