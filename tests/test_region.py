"""region.py: municipalities by name (any case) or AGS code, suggestions for misspellings."""

from __future__ import annotations

import importlib.util
import unicodedata

import pytest

from ki_network import Hooks, Municipality, Region
from ki_network.region import did_you_mean, suggest
from ki_network.testing import bare_plugin_manager

GM = Municipality("05374012", "Gummersbach")
WB = Municipality("05374048", "Waldbröl")
HW = Municipality("05374020", "Hückeswagen")
STRASS = Municipality("09999001", "Großstraße")


@pytest.fixture
def region() -> Region:
    return Region("demo", [GM, WB, HW, STRASS])


@pytest.mark.parametrize("name", ["Gummersbach", "gummersbach", "GUMMERSBACH", "gUmMeRsBaCh"])
def test_by_name_in_any_case(region: Region, name: str) -> None:
    assert region.resolve(name) is GM


@pytest.mark.parametrize(("name", "expected"), [
    ("Waldbröl", WB), ("waldbröl", WB), ("WALDBRÖL", WB), ("hÜckeswagen", HW),
    ("GROSSSTRASSE", STRASS), ("großstraße", STRASS),  # casefold: ß is ss
])
def test_umlauts_and_sharp_s_in_any_case(region: Region, name: str,
                                         expected: Municipality) -> None:
    assert region.resolve(name) is expected


def test_decomposed_umlauts_are_the_same_name(region: Region) -> None:
    decomposed = unicodedata.normalize("NFD", "Waldbröl")
    assert decomposed != "Waldbröl"
    assert region.resolve(decomposed) is WB


def test_by_ags(region: Region) -> None:
    assert region.resolve("05374048") is WB
    assert region.get("05374048") is WB


@pytest.mark.parametrize("reference", ["Waldbroel", "Köln", "05374999", "", " Gummersbach",
                                       "5374012"])
def test_unknown_is_none(region: Region, reference: str) -> None:
    # spellings without umlaut are the region plugin's clean-up, not the region's
    assert region.resolve(reference) is None


def test_get_of_an_unknown_code_is_a_placeholder(region: Region) -> None:
    assert region.get("05374999") == Municipality("05374999", "05374999")


def test_without_region_any_well_formed_code_and_no_name() -> None:
    empty = Region(None, ())
    assert empty.resolve("05374012") == Municipality("05374012", "05374012")
    assert empty.resolve("Gummersbach") is None
    assert empty.resolve("0537401") is None
    assert empty.resolve("053740123") is None
    assert empty.suggest("Gummersbach") == []


def test_a_region_with_municipalities_does_not_accept_foreign_codes(region: Region) -> None:
    assert region.resolve("09162000") is None  # München: well-formed, not in the region


def test_municipalities_become_a_tuple_and_regions_compare_by_value() -> None:
    one = Region("demo", iter([GM, WB]))
    assert one.municipalities == (GM, WB)
    assert one == Region("demo", [GM, WB])
    assert one != Region("demo", [GM])


def test_suggest_close_names(region: Region) -> None:
    assert region.suggest("Waldbroel") == ["Waldbröl"]
    assert region.suggest("Gumersbach") == ["Gummersbach"]
    assert region.suggest("Xyz") == []


@pytest.mark.parametrize("misspelt", ["waldbroel", "WALDBROEL"])
def test_suggestions_ignore_case_like_resolve(region: Region, misspelt: str) -> None:
    assert region.suggest(misspelt) == ["Waldbröl"]
    assert did_you_mean(misspelt, ["Waldbröl", "Wiehl"]) == " (did you mean 'Waldbröl'?)"


def test_suggest_limit_and_cutoff() -> None:
    choices = ["language", "language.informal", "languages", "work"]
    assert suggest("langauge", choices, limit=1) == ["language"]
    assert len(suggest("langauge", choices, limit=3)) <= 3
    assert "work" not in suggest("langauge", choices, limit=4)
    assert suggest("langauge", choices, cutoff=100) == []
    assert suggest("anything", []) == []


def test_did_you_mean_text() -> None:
    assert did_you_mean("Gumersbach", ["Gummersbach", "Morsbach"]) == (
        " (did you mean 'Gummersbach'?)")
    assert did_you_mean("Xyz", ["Gummersbach"]) == ""
    two = did_you_mean("Wiehl2", ["Wiehl", "Wiehl1", "Lindlar"])
    assert two.startswith(" (did you mean '") and " or '" in two and two.endswith("?)")


@pytest.mark.skipif(importlib.util.find_spec("ki_network_oberberg") is None,
                    reason="the region plugin ki-network-oberberg is not installed")
def test_the_oberberg_region_from_its_plugin() -> None:
    import ki_network_oberberg

    hooks = Hooks(bare_plugin_manager(ki_network_oberberg))
    oberberg = Region("oberberg", hooks.region_municipalities("oberberg") or ())
    assert len(oberberg.municipalities) == 13
    waldbroel = oberberg.resolve("WALDBRÖL")
    assert waldbroel is not None and oberberg.resolve(waldbroel.ags) is waldbroel
    assert oberberg.suggest("Waldbroel") == ["Waldbröl"]
    assert oberberg.resolve("Köln") is None
