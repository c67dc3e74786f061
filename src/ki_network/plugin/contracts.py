"""Protocols for the objects that plugins contribute through hooks.

Plugins do not have to subclass anything: any object with these attributes and methods will
do (plain attributes, properties or frozen attrs fields alike).  :class:`RuleBase` supplies
the defaults of a rule's optional attributes for those who like a base class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from ..checks.engine import RuleContext
    from ..model import Finding, Offer, Severity
    from ..network import Network


@runtime_checkable
class Rule(Protocol):
    """A coordination rule: looks at the network, yields findings.

    ``id``
        the rule id in ``ki-network check`` output and under ``rules:`` in ``network.yaml``;
    ``title``
        an English heading (``""``: the id is shown), translated through the catalogue when
        it has the text;
    ``default_severity``
        the severity of its findings unless ``network.yaml`` says otherwise;
    ``background``
        ``True`` if it may run in the second process of a large check
        (:func:`ki_network.checks.run_rules`);
    ``check(network, context)``
        the findings; ``context`` is a :class:`ki_network.checks.RuleContext`: the rule's
        settings from ``network.yaml`` (``rules: {<id>: {...}}``, read it as a mapping or with
        ``context.parameter(...)``) and what the run shares: ``language``, ``gettext``,
        ``ngettext``, ``today``, ``shared_result``.

    ``title`` and ``background`` were optional before 0.2 and a rule was handed a plain
    ``settings`` mapping; such rules still run (see :func:`as_rule`).  See ``docs/rules.md``.
    """

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def default_severity(self) -> Severity: ...

    @property
    def background(self) -> bool: ...

    def check(self, network: Network, context: RuleContext) -> Iterable[Finding]: ...


class RuleBase:
    """Defaults for a rule's optional attributes: no title (the id is shown), not in the
    background.  Subclass it (also with ``@attrs.frozen``) and set ``id``,
    ``default_severity`` and ``check``."""

    title: str = ""
    background: bool = False


@attrs.frozen
class Completed:
    """A rule written before ``title`` and ``background`` were part of :class:`Rule`, with
    their defaults; made by :func:`as_rule`."""

    wrapped: Any
    title: str = ""
    background: bool = False

    @property
    def id(self) -> str:
        return str(self.wrapped.id)

    @property
    def default_severity(self) -> Severity:
        severity: Severity = self.wrapped.default_severity
        return severity

    def check(self, network: Network, context: RuleContext) -> Iterable[Finding]:
        found: Iterable[Finding] = self.wrapped.check(network, context)
        return found


def as_rule(obj: Any) -> Rule:
    """``obj`` itself if it has every attribute of :class:`Rule`, else wrapped with the
    defaults of the missing ``title``/``background`` (``wrapped`` is the original object).

    ``context`` is a mapping, so the ``check(network, settings: Mapping)`` of older rules
    works unchanged.
    """
    if isinstance(obj, Rule):
        return obj
    return Completed(obj, getattr(obj, "title", ""), getattr(obj, "background", False))


@runtime_checkable
class DuplicateSignal(Protocol):
    """One similarity signal between two offers.

    ``compare`` returns ``None`` when it has nothing to say (a field is missing on one side),
    else a similarity in [0, 1] and a short explanation naming the values compared.  The
    matcher (:mod:`ki_network.duplicates`) calls it only for candidate pairs that no veto rules
    out and whose built-in score is near the review band, and adds it to the weighted mean
    with ``weight`` (the built-in title signal weighs 3, provider and schedule 1.5).
    """

    @property
    def name(self) -> str: ...

    @property
    def weight(self) -> float: ...

    def compare(self, a: Offer, b: Offer, network: Network) -> tuple[float, str] | None: ...


@runtime_checkable
class Exporter(Protocol):
    """An output format: writes the network (for an audience) to a file.

    ``Hooks.exporters()`` hands out every exporter wrapped in an :class:`AudienceExporter`,
    so ``export`` always receives a network restricted to ``options["audience"]`` (default
    ``public``), whatever the caller passed: a plugin's exporter cannot leak what it was
    not meant to see.
    """

    @property
    def name(self) -> str: ...

    @property
    def suffix(self) -> str: ...

    @property
    def description(self) -> str: ...

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None: ...


@attrs.frozen
class AudienceExporter:
    """An exporter whose output is for one audience: the network is restricted first.

    ``options["audience"]`` names the audience (default ``public``; ``"internal"`` exports
    everything); the wrapped exporter gets the restricted network and the options with the
    audience filled in.  ``wrapped`` is the plugin's own object.
    """

    wrapped: Exporter

    @property
    def name(self) -> str:
        return self.wrapped.name

    @property
    def suffix(self) -> str:
        return self.wrapped.suffix

    @property
    def description(self) -> str:
        return self.wrapped.description

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        from ..network import audience_of, restricted  # noqa: PLC0415 - network imports us

        audience = audience_of(options.get("audience", "public"))
        view = restricted(network, audience)
        self.wrapped.export(view, path, {**options, "audience": view.audience.value})
