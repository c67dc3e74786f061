"""Issue #12: a misspelt value given to the library raises with the command line's
"did you mean"; it never gives an empty result silently.  Wrong types name the argument."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import ki_network
from ki_network.calendar import select, split
from ki_network.checks import run_rules
from ki_network.duplicates import find_duplicates
from ki_network.errors import UnknownValueError
from ki_network.network import Network


@pytest.fixture(scope="module")
def net(oberberg: Any) -> Network:
    return ki_network.load(oberberg)


@pytest.fixture(scope="module")
def report(net: Network) -> Any:
    return find_duplicates(net, audience="internal")


WRONG: list[tuple[str, Callable[[Network, Any], object], str]] = [
    # (case, call, the suggestion the message must carry)
    ("offers_where topic", lambda n, r: n.offers_where(topic="langauge"), "'language'"),
    ("offers_where municipality",
     lambda n, r: n.offers_where(municipality="Waldbroel"), "'Waldbröl'"),
    ("offers_where language", lambda n, r: n.offers_where(language="arr"), "'ar'"),
    ("offers_where target_group",
     lambda n, r: n.offers_where(target_group="newcommers"), "'newcomers'"),
    ("offers_where actor", lambda n, r: n.offers_where(actor="caritas-oberburg"),
     "'caritas-oberberg'"),
    ("offers_where provider", lambda n, r: n.offers_where(provider="vhs-oberburg"),
     "'vhs-oberberg'"),
    ("actors_serving", lambda n, r: n.actors_serving("Morsbch"), "'Morsbach'"),
    ("partners_of", lambda n, r: n.partners_of("ki-oberburg"), "'ki-oberberg'"),
    ("municipality", lambda n, r: n.municipality("Gumersbach"), "'Gummersbach'"),
    ("select topic", lambda n, r: select(n, topic="langauge"), "'language'"),
    ("select municipality", lambda n, r: select(n, municipality="Wiel"), "'Wiehl'"),
    ("select actor", lambda n, r: select(n, actor="ki-oberburg"), "'ki-oberberg'"),
    ("select target_group", lambda n, r: select(n, target_group="parnets"), "'parents'"),
    ("split by", lambda n, r: split(n, [], "municipalty"), "'municipality'"),
    ("report band", lambda n, r: r.band("Same"), "'same'"),
    ("run_rules only", lambda n, r: run_rules(n, only=["isolated-actors"]),
     "'isolated-actor'"),
    ("run_rules language", lambda n, r: run_rules(n, language="eng"), "'en'"),
    ("render_report language",
     lambda n, r: ki_network.render_report(n, language="eng"), "'en'"),
    ("find_duplicates only", lambda n, r: find_duplicates(n, only=["vhs-dtkurs-a1-gumersbach"]),
     "'vhs-dtkurs-a1-gummersbach'"),
    ("occurrences audience",
     lambda n, r: ki_network.export_calendar(n, audience="publc"), "'public'"),
]


@pytest.mark.parametrize(("case", "call", "hint"), WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_value_raises_with_did_you_mean(net: Network, report: Any, case: str,
                                                call: Callable[[Network, Any], object],
                                                hint: str) -> None:
    with pytest.raises(ValueError, match="did you mean") as raised:
        call(net, report)
    assert isinstance(raised.value, UnknownValueError)
    assert hint in str(raised.value), str(raised.value)


WRONG_TYPES: list[tuple[str, Callable[[Network], object], str]] = [
    ("closed_days year", lambda n: n.closed_days("2026"), "year"),  # type: ignore[arg-type]
    ("offers_where topic", lambda n: n.offers_where(topic=["language"]), "topic"),  # type: ignore[arg-type]
    ("actors_serving", lambda n: n.actors_serving(5374012), "municipality"),  # type: ignore[arg-type]
    ("select municipality", lambda n: select(n, municipality=5374012), "municipality"),  # type: ignore[arg-type]
    ("run_rules today", lambda n: run_rules(n, today="2027-01-11"), "today"),  # type: ignore[arg-type]
    ("run_rules only", lambda n: run_rules(n, only="isolated-actor"), "only"),
]


@pytest.mark.parametrize(("case", "call", "argument"), WRONG_TYPES,
                         ids=[w[0] for w in WRONG_TYPES])
def test_a_wrong_type_names_the_argument(net: Network, case: str,
                                         call: Callable[[Network], object],
                                         argument: str) -> None:
    with pytest.raises(TypeError, match=rf"\b{argument} must be") as raised:
        call(net)
    assert "plugin" not in str(raised.value)


def test_closed_days_of_a_real_year_still_ask_the_plugin(net: Network) -> None:
    assert any(d.first == date(2027, 5, 27) for d in net.closed_days(2027))


def test_right_values_still_answer(net: Network) -> None:
    assert net.offers_where(topic="language", municipality="waldbröl", language="ar")
    assert net.municipality("05374012").name == "Gummersbach"
    assert net.municipality("Gummersbach").ags == "05374012"
