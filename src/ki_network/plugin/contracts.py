"""Protocols for the objects that plugins contribute through hooks.

Plugins do not subclass anything: any object with these attributes and methods will do
(plain attributes, properties or frozen attrs fields alike).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from ..model import Finding, Offer, Severity
    from ..network import Network


@runtime_checkable
class Rule(Protocol):
    """A coordination rule: looks at the network, yields findings.

    ``settings`` are the rule's settings from ``network.yaml`` (``rules: {<id>: {...}}``);
    ``ki-network check`` passes a :class:`ki_network.checks.RuleContext`, a mapping that also
    carries the run's language (``gettext``), ``today`` and shared results.  Optional
    attributes: ``title`` (an English heading, translated through the catalogue) and
    ``background`` (may run in the second process of a large check).  See ``docs/rules.md``.
    """

    @property
    def id(self) -> str: ...

    @property
    def default_severity(self) -> Severity: ...

    def check(self, network: Network, settings: Mapping[str, Any]) -> Iterable[Finding]: ...


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
