"""What a feed URL asks for: its filters, checked as the command line checks them.

The query parameters are those of ``ki-network calendar``: ``actor``, ``municipality``,
``topic``, ``target_group``, ``language``, ``from``, ``to``, ``audience`` (default
``public``), plus ``token`` for the partners' and internal feeds.  An unknown parameter, a
repeated one or an unknown value is a :class:`BadRequestError` whose message names the allowed
values (and a close one, "did you mean"); values are checked against what the requested
audience may see, so a message never names a partner-only actor to the public.

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> key = feed_key(net, "joint", None, {"topic": "language", "from": "2026-03-01"})
>>> key.topic, key.start
('language', datetime.date(2026, 3, 1))
>>> feed_key(net, "joint", None, {"topic": "langauge"})
Traceback (most recent call last):
...
ki_network.web.feeds.BadRequestError: no topic 'langauge' (did you mean 'language'...?); ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import attrs

from ..model import Visibility
from ..network import Network
from ..region import did_you_mean

FEED_FILTERS = ("actor", "municipality", "topic", "target_group", "language", "from", "to",
                "audience")
AUDIENCES = tuple(v.value for v in Visibility)
_WHEN_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
#: the most values a message lists; beyond that it says how many more there are
_LIST_AT_MOST = 80


class BadRequestError(ValueError):
    """A request the server cannot answer as asked (HTTP 400); the message says why."""


class NotFoundError(LookupError):
    """No such actor or municipality for this audience (HTTP 404)."""


@attrs.frozen
class FeedKey:
    """Everything a feed's bytes depend on, besides the data version."""

    kind: str  # joint | actor | municipality
    subject: str | None  # the actor id or the municipality's AGS of the path
    audience: Visibility
    actor: str | None = None
    municipality: str | None = None  # AGS
    topic: str | None = None
    target_group: str | None = None
    language: str | None = None
    start: date | datetime | None = None
    end: date | datetime | None = None


def allowed_list(values: Iterable[str]) -> str:
    """``a, b, c`` — or the first ones and how many more."""
    ordered = sorted(values)
    shown = ", ".join(ordered[:_LIST_AT_MOST])
    if len(ordered) > _LIST_AT_MOST:
        shown += f" … and {len(ordered) - _LIST_AT_MOST} more"
    return shown or "(none)"


def single_params(items: Iterable[tuple[str, str]], allowed: Iterable[str], *,
                  strict: bool = True) -> dict[str, str]:
    """The query parameters as a mapping; repeated ones are refused, and unknown ones too
    unless not ``strict`` (pages, whose links get ``?utm_source=…`` appended)."""
    allowed = tuple(allowed)
    params: dict[str, str] = {}
    for name, value in items:
        if name not in allowed and not strict:
            continue
        if name not in allowed:
            raise BadRequestError(f"unknown parameter {name!r}{did_you_mean(name, allowed)}; "
                             f"allowed: {', '.join(allowed)}")
        if name in params:
            raise BadRequestError(f"parameter {name!r} is given twice")
        params[name] = value
    return params


def audience_of(params: Mapping[str, str]) -> Visibility:
    value = params.get("audience", "public")
    if value not in AUDIENCES:
        raise BadRequestError(f"no audience {value!r}{did_you_mean(value, AUDIENCES)}; "
                         f"allowed: {', '.join(AUDIENCES)}")
    return Visibility(value)


def languages_of(net: Network) -> frozenset[str]:
    """Languages a feed can be asked for: the network's, de, en, and those of any text."""
    found = {net.config.language, "de", "en"}
    for item in net.items():
        for text in (item.title, item.description):
            if text is not None:
                found.update(lang for lang in text.languages if lang)
    return frozenset(found)


def _when(name: str, value: str) -> date | datetime:
    for pattern in _WHEN_FORMATS:
        try:
            parsed = datetime.strptime(value, pattern)  # local wall-clock time
        except ValueError:
            continue
        return parsed.date() if pattern == "%Y-%m-%d" else parsed
    raise BadRequestError(f"{name}={value!r} is no date or time; "
                          "use YYYY-MM-DD or YYYY-MM-DDTHH:MM")


def _as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def _pick(kind: str, value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    if value not in choices:
        raise BadRequestError(f"no {kind} {value!r}{did_you_mean(value, choices)}; "
                         f"allowed: {allowed_list(choices)}")
    return value


def feed_key(view: Network, kind: str, subject: str | None, params: Mapping[str, str], *,
             audience: Visibility | str = Visibility.PUBLIC,
             languages: Iterable[str] | None = None) -> FeedKey:
    """Check ``params`` against ``view`` (the network as ``audience`` sees it).

    ``kind`` is ``joint``, ``actor`` (``subject``: its id) or ``municipality`` (``subject``:
    its name or AGS).  Raises :class:`NotFoundError` for an unknown subject and
    :class:`BadRequestError` for a bad filter.
    """
    audience = Visibility(audience)
    fields: dict[str, object] = {}
    if kind == "actor":
        if subject is None or subject not in view.actors:
            raise NotFoundError(subject)
        if "actor" in params:
            raise BadRequestError("the actor is given by the path; leave out ?actor=")
    elif kind == "municipality":
        found = view.region.resolve(subject) if subject else None
        if found is None:
            raise NotFoundError(subject)
        if "municipality" in params:
            raise BadRequestError("the municipality is given by the path; leave out ?municipality=")
        subject = found.ags
    if "actor" in params:
        fields["actor"] = _pick("actor", params["actor"], view.actors)
    if "municipality" in params:
        found = view.region.resolve(params["municipality"])
        if found is None:
            names = [m.name for m in view.region.municipalities]
            _pick("municipality", params["municipality"], names)
        else:
            fields["municipality"] = found.ags
    if "topic" in params:
        fields["topic"] = _pick("topic", params["topic"], view.topics)
    if "target_group" in params:
        fields["target_group"] = _pick("target group", params["target_group"],
                                       view.target_groups)
    if "language" in params:
        fields["language"] = _pick("language", params["language"],
                                   languages if languages is not None else languages_of(view))
    start = _when("from", params["from"]) if "from" in params else None
    end = _when("to", params["to"]) if "to" in params else None
    if start is not None and end is not None and _as_datetime(end) <= _as_datetime(start):
        raise BadRequestError("'to' must be after 'from'")
    return FeedKey(kind, subject, audience, start=start, end=end, **fields)  # type: ignore[arg-type]
