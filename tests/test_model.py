"""The model is immutable: every value hashes, equal values hash alike, nothing changes in
place — not the objects, not what they hold in ``extra``/``evidence``, not the network."""

from __future__ import annotations

import inspect
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import pluggy
import pytest

from ki_network import model
from ki_network.model import (
    Actor,
    ActorKind,
    ClosedDay,
    Contact,
    Decision,
    Event,
    Finding,
    GeoPoint,
    Municipality,
    Offer,
    Relation,
    RelationKind,
    Schedule,
    Severity,
    TargetGroup,
    Text,
    Topic,
    freeze,
)
from ki_network.testing import tiny_network

NESTED = {"room": {"floor": 2, "doors": ["A", "B"]}, "tags": ["x", {"y": [1]}]}
SCHEDULE = Schedule(datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 12), "FREQ=WEEKLY",
                    exdates=[datetime(2026, 3, 9, 10)], extra=NESTED)

#: one example of every attrs class in ki_network.model, with every container field filled
EXAMPLES: dict[type, Any] = {
    Text: Text.of({"de": "Sprachcafé", "en": "Language café"}),
    Contact: Contact(email="a@b.example", person="Frau K.", extra=NESTED),
    GeoPoint: GeoPoint(51.0, 7.5),
    Schedule: SCHEDULE,
    Municipality: Municipality("05374012", "Gummersbach", 50_000, ["de", "tr"]),
    Topic: Topic("language", {"de": "Sprache", "en": "Language"}),
    TargetGroup: TargetGroup("parents", "Eltern"),
    ClosedDay: ClosedDay(date(2026, 5, 1), date(2026, 5, 1), "Tag der Arbeit",
                         "public_holiday"),
    Actor: Actor("ki", "KI", ActorKind.ADMINISTRATION, ["05374012"],
                 contact=Contact(phone="1", extra=NESTED), description="Text", extra=NESTED),
    Offer: Offer(id="cafe", title={"de": "Café", "tr": "Kafe"}, provider="ki",
                 schedule=[SCHEDULE], extra=NESTED),
    Event: Event(id="fest", title="Fest", organisers=["ki"], schedule=SCHEDULE, extra=NESTED),
    Relation: Relation("ki", "caritas", RelationKind.FUNDS, extra=NESTED),
    Finding: Finding("rule", Severity.INFO, ["cafe"], "message",
                     evidence={"times": [["a", "b"]], "nested": NESTED}),
    Decision: Decision("a", "b", "same", extra=NESTED),
}


def test_every_model_class_has_an_example() -> None:
    classes = {cls for _, cls in inspect.getmembers(model, inspect.isclass)
               if attrs.has(cls) and cls.__module__ == model.__name__}
    assert classes == set(EXAMPLES)


def rebuilt(value: Any) -> Any:
    """An equal copy made from scratch: mappings in another order, lists instead of tuples."""
    if isinstance(value, Text):
        return Text.of(dict(reversed(value.values)))
    if attrs.has(type(value)):
        fields = {f.name: rebuilt(getattr(value, f.name)) for f in attrs.fields(type(value))}
        return type(value)(**{name.lstrip("_"): v for name, v in fields.items()})
    if isinstance(value, dict):
        return {k: rebuilt(value[k]) for k in reversed(list(value))}
    if isinstance(value, tuple):
        return [rebuilt(v) for v in value]
    return value


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda cls: cls.__name__)
def test_equal_values_hash_alike(cls: type) -> None:
    value = EXAMPLES[cls]
    copy = rebuilt(value)
    assert copy is not value
    assert copy == value
    assert hash(copy) == hash(value)
    assert len({value, copy}) == 1


def test_texts_hash_by_their_translations() -> None:
    assert hash(Text.of("Café")) != hash(Text.of("Kafe"))
    assert hash(Text.of({"de": "a", "en": "b"})) == hash(Text.of({"en": "b", "de": "a"}))


def test_different_extras_make_different_values() -> None:
    offer = EXAMPLES[Offer]
    other = attrs.evolve(offer, extra={"room": {"floor": 3}})
    assert other != offer
    assert len({offer, other}) == 2


def test_freeze_goes_all_the_way_down() -> None:
    frozen = freeze(NESTED)
    assert frozen == {"room": {"floor": 2, "doors": ("A", "B")}, "tags": ("x", {"y": (1,)})}
    assert isinstance(frozen["tags"][1]["y"], tuple)
    assert freeze({}) is model.EMPTY


@pytest.mark.parametrize("change", [
    lambda o: o.extra.__setitem__("x", 1),
    lambda o: o.extra.pop("room"),
    lambda o: o.extra.update(x=1),
    lambda o: o.extra.clear(),
    lambda o: o.extra["room"].__setitem__("floor", 3),
    lambda o: o.extra["room"]["doors"].append("C"),
    lambda o: o.schedule[0].extra.__setitem__("x", 1),
    lambda o: o.contact.extra.__setitem__("x", 1),
    lambda o: setattr(o, "title", "other"),
], ids=["set", "pop", "update", "clear", "nested set", "nested list", "schedule", "contact",
        "attribute"])
def test_a_loaded_value_cannot_be_changed(tmp_path: Path, pm: pluggy.PluginManager,
                                          change: Any) -> None:
    from ki_network import load
    from ki_network.testing import write_network

    offer = {"id": "o", "title": "Kurs", "provider": "caritas", "municipality": "05374012",
             "schedule": [{"start": "2026-03-02T10:00", "x": 1}],
             "contact": {"email": "o@example.org", "fax": "1"},
             "room": {"floor": 2, "doors": ["A", "B"]}}
    net = load(write_network(tmp_path / "net", offers=[offer]), pm)
    loaded = net.offers["o"]
    with pytest.raises((TypeError, AttributeError)):
        change(loaded)
    assert net.offers["o"].extra == {"room": {"floor": 2, "doors": ("A", "B")}}


def test_the_network_cannot_be_patched() -> None:
    net = tiny_network()
    offer = net.offers["cafe-gm"]
    with pytest.raises(TypeError):
        net.offers["new"] = offer  # type: ignore[index]
    with pytest.raises(TypeError):
        del net.actors["ki"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        net.relations.append(net.relations[0])  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        net.topics["x"] = net.topics["language"]  # type: ignore[index]
    with pytest.raises(TypeError):
        net.record_files["offers"] = Path("x")  # type: ignore[index]
    assert list(net.offers) == ["cafe-gm"]
