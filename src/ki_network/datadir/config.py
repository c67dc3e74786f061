"""``network.yaml``: the settings of one network."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ..errors import Origin, Problem
from .yamlio import Record

KNOWN_KEYS = frozenset(
    {"name", "region", "timezone", "language", "id_namespace", "main_languages", "rules",
     "plugins"}
)


@attrs.frozen
class NetworkConfig:
    """What ``network.yaml`` says.

    ``plugins`` maps a plugin name to its settings (``false`` disables the plugin);
    ``rules`` maps a rule id to its settings; ``main_languages`` maps a municipality name or
    AGS (or ``default``) to the languages offers there should be available in.
    """

    name: str = "Network"
    region: str | None = None
    timezone: str = "Europe/Berlin"
    language: str = "de"
    id_namespace: str = "ki-network.invalid"
    main_languages: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    rules: Mapping[str, Any] = attrs.field(factory=dict)
    plugins: Mapping[str, Any] = attrs.field(factory=dict)
    directory: Path | None = attrs.field(default=None, eq=False)
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    origins: Mapping[str, Origin] = attrs.field(factory=dict, eq=False, repr=False)

    def origin_of(self, key: str) -> Origin:
        """Where ``key`` stood in ``network.yaml``."""
        path = str(self.directory / "network.yaml") if self.directory else "network.yaml"
        return self.origins.get(key, Origin(path))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def plugin_settings(self, name: str) -> Mapping[str, Any]:
        """Settings of plugin ``name`` from the ``plugins:`` section (empty if none)."""
        value = self.plugins.get(name)
        return value if isinstance(value, Mapping) else {}

    def rule_settings(self, rule_id: str) -> Mapping[str, Any]:
        value = self.rules.get(rule_id)
        if value is False:
            return {"enabled": False}
        return value if isinstance(value, Mapping) else {}


def config_from_record(data: Any, name: str, directory: Path | None
                       ) -> tuple[NetworkConfig, list[Problem]]:
    """Build a :class:`NetworkConfig` from the parsed ``network.yaml`` (``None``: empty file)."""
    if data is None:
        return NetworkConfig(directory=directory), []
    if not isinstance(data, Record):
        return NetworkConfig(directory=directory), [
            Problem(Origin(name, 1, 1), "network.yaml must be a mapping of settings")]
    problems: list[Problem] = []
    kwargs: dict[str, Any] = {}
    for key in ("name", "region", "timezone", "language", "id_namespace"):
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value:
                problems.append(Problem(data.origin_of(key), f"'{key}' must be a text"))
            else:
                kwargs[key] = value
    if "timezone" in kwargs:
        try:
            ZoneInfo(kwargs["timezone"])
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder of zones
            problems.append(Problem(data.origin_of("timezone"),
                                    f"unknown time zone {kwargs.pop('timezone')!r}"))
    for key in ("rules", "plugins"):
        value = data.get(key) or {}
        if not isinstance(value, Mapping):
            problems.append(Problem(data.origin_of(key), f"'{key}' must be a mapping"))
        else:
            kwargs[key] = dict(value)
    languages = data.get("main_languages") or {}
    if isinstance(languages, list):
        languages = {"default": languages}
    if not isinstance(languages, Mapping) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in languages.values()):
        problems.append(Problem(data.origin_of("main_languages"),
                                "'main_languages' must map municipalities to lists of languages"))
    else:
        kwargs["main_languages"] = {str(k): tuple(v) for k, v in languages.items()}
    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    return NetworkConfig(directory=directory, extra=extra, origins=dict(data.key_origins),
                         **kwargs), problems
