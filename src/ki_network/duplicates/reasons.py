"""Reasons for people: English text that remembers how to say itself in another language.

A :class:`Reason` *is* the English string (so :attr:`Pair.reasons
<ki_network.duplicates.Pair.reasons>`, the JSON contract and every comparison stay as they
were) and also keeps its gettext message id and values, so that ``ki-network duplicates
--lang de`` can print it in German through the catalogue (:meth:`Reason.translated`).

>>> from ki_network.locale import translator
>>> reason = Reason(N_("{name} {verb} ({percent}%): {detail}"), name=Reason(N_("title")),
...                 verb=Reason(N_("agrees")), percent=100, detail="'A' ~ 'a'")
>>> reason
"title agrees (100%): 'A' ~ 'a'"
>>> reason.translated(translator("de").gettext)
"Titel übereinstimmend (100 %): 'A' ~ 'a'"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..locale import N_

#: the built-in signals' names as people read them (plugin signals keep their own names)
SIGNAL_LABELS = {
    "title": N_("title"), "description": N_("description"), "provider": N_("provider"),
    "contact": N_("contact"), "topic": N_("topic"), "municipality": N_("municipality"),
    "location": N_("location"), "schedule": N_("schedule"),
    "target_groups": N_("target_groups"), "languages": N_("languages"),
}


class Reason(str):
    """An English text made from the message ``template`` and ``values``.

    Values that are themselves :class:`Reason` objects are translated too; other values
    (titles, ids, times) are data and stay as they are.
    """

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Reason:
        text = template.format(**values) if values else template
        self = super().__new__(cls, text)
        self.template = template
        self.values = values
        return self

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The text in the language of ``gettext`` (a catalogue's ``gettext``)."""
        values = {k: v.translated(gettext) if isinstance(v, Reason) else v
                  for k, v in self.values.items()}
        message = gettext(self.template)
        return message.format(**values) if values else message


def translated(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` in the language of ``gettext`` if it is a :class:`Reason`, else as it is."""
    return text.translated(gettext) if isinstance(text, Reason) else text


def verb(value: float) -> Reason:
    """How far a signal agrees, as people say it."""
    if value >= 0.8:
        return Reason(N_("agrees"))
    return Reason(N_("partly agrees")) if value >= 0.5 else Reason(N_("differs"))


def signal_reason(name: str, value: float, detail: str) -> Reason:
    """``title agrees (100%): 'A' ~ 'a'``."""
    label = Reason(SIGNAL_LABELS[name]) if name in SIGNAL_LABELS else name
    return Reason(N_("{name} {verb} ({percent}%): {detail}"), name=label, verb=verb(value),
                  percent=round(value * 100), detail=detail)
