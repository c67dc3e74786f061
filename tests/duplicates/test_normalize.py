"""German text, address and contact normalisation."""

from __future__ import annotations

import pytest

from ki_network.duplicates import normalize as nz


@pytest.mark.parametrize(("a", "b"), [
    ("Dt.-Kurs f. Frauen", "Deutschkurs für Frauen"),
    ("Sprachcafé", "SPRACHCAFE"),
    ("Frauenfrühstück", "Frauenfruehstueck"),
    ("Kurs der VHS", "Kurs Volkshochschule"),
    ("Deutsch-Kurs", "Deutschkurs"),
    ("Straßenfest", "Strassenfest"),
])
def test_spellings_normalise_alike(a: str, b: str) -> None:
    assert nz.normalize_text(a) == nz.normalize_text(b)


def test_stop_words_are_dropped() -> None:
    assert nz.tokens("Ein Café für die Eltern und Kinder") == ("cafe", "eltern", "kinder")


def test_english_words_of_the_glossary_meet_german_ones() -> None:
    assert set(nz.tokens("Language café for women")) == {"sprach", "cafe", "frauen"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Integrationskurs A1", {"A1"}), ("Deutsch B1.2", {"B1"}), ("Deutsch A2/B1", {"A2", "B1"}),
    ("Sprachcafé", set()), ("Raum A12", set()), ("Integrationskurs A1–B1", {"A1", "A2", "B1"}),
    ("Deutsch A2 bis B2", {"A2", "B1", "B2"}),
])
def test_levels(text: str, expected: set[str]) -> None:
    assert nz.levels(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Elterngruppe Gruppe 2", "2"), ("Kurs A1", None), ("2. Gruppe", "2"), ("Grp. 3", "3"),
    ("Sprachcafé", None),
])
def test_group_number(text: str, expected: str | None) -> None:
    assert nz.group_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Griffbereit (1–3 Jahre)", (1, 3)), ("Kinder 6-10 J.", (6, 10)),
    ("ab 16 Jahren", (16, 99)), ("Jugendtreff 14+", (14, 99)), ("U3-Gruppe", (0, 2)),
    ("Homework help (ages 6-10 years)", (6, 10)), ("Sprachcafé", None),
])
def test_age_range(text: str, expected: tuple[int, int] | None) -> None:
    assert nz.age_range(text) == expected


def test_weekdays_named() -> None:
    assert nz.weekday_text(nz.weekdays_named("Montagsgruppe und Freitag")) == "Mo, Fr"


def test_addresses() -> None:
    assert nz.street_key("Kaiser-Str. 5, 51545 Waldbröl") == nz.street_key("Kaiserstraße 5")
    assert nz.street_key("Pfarrheim St. Michael") is None


@pytest.mark.parametrize("raw", ["+49 2261 880", "02261 / 88-0", "(02261) 880", "0049 2261 880"])
def test_phone_numbers_in_e164(raw: str) -> None:
    assert nz.phone_e164(raw) == "+492261880"


def test_not_a_phone_number() -> None:
    assert nz.phone_e164("ask at the desk") is None


def test_email_and_web() -> None:
    assert nz.email_key(" Info@Caritas.example ") == "info@caritas.example"
    assert nz.web_domain("HTTPS://www.Caritas.example/x?y") == "caritas.example"
