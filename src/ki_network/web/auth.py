"""Tokens for the partners' and the internal feeds.

``network.yaml`` names the environment variable that holds each token, never the token::

    serve:
      tokens:
        partners: {env: KI_PARTNER_TOKEN}
        internal: {env: KI_INTERNAL_TOKEN}

A token is presented as ``Authorization: Bearer TOKEN``, as the password of HTTP Basic
authentication (any user name; what Apple Calendar and Thunderbird ask for), or as
``?token=TOKEN`` in the URL (what every client can subscribe to).  The internal token opens
the partners' feeds too.  Tokens are compared in constant time (:func:`hmac.compare_digest`
of their SHA-256 digests, so not even the length shows).

>>> tokens = Tokens.from_settings({"tokens": {"partners": {"env": "P"}}}, {"P": "s3cret-s3cret"})
>>> tokens.grant("s3cret-s3cret"), tokens.grant("guess"), tokens.problems
(<Visibility.PARTNERS: 'partners'>, <Visibility.PUBLIC: 'public'>, ())
>>> Tokens.from_settings({"tokens": {"partners": "s3cret"}}, {}).problems[0]
'serve.tokens.partners: name an environment variable ({env: NAME}), never the token itself...'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..model import Visibility

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: shorter tokens are accepted but logged as weak
MIN_LENGTH = 16
_PROTECTED = (Visibility.PARTNERS, Visibility.INTERNAL)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


@attrs.frozen
class Tokens:
    """The digests of the configured tokens, and what is wrong with the configuration."""

    digests: Mapping[Visibility, bytes] = attrs.field(factory=dict)
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any, environ: Mapping[str, str]) -> Tokens:
        """Read the ``serve:`` section of ``network.yaml`` (``None``: no section)."""
        if settings is None:
            return cls()
        if not isinstance(settings, Mapping):
            return cls(problems=("serve: must be a mapping (serve: {tokens: ...})",))
        tokens = settings.get("tokens") or {}
        if not isinstance(tokens, Mapping):
            return cls(problems=("serve.tokens: must map partners/internal to {env: NAME}",))
        digests: dict[Visibility, bytes] = {}
        problems: list[str] = []
        warnings: list[str] = []
        for key, value in tokens.items():
            where = f"serve.tokens.{key}"
            if key not in ("partners", "internal"):
                problems.append(f"{where}: no such audience; tokens are for partners, internal")
                continue
            if not isinstance(value, Mapping) or set(value) != {"env"} or not isinstance(
                    value["env"], str) or not _ENV_NAME.match(value["env"]):
                problems.append(f"{where}: name an environment variable ({{env: NAME}}), never "
                                "the token itself in the data; these feeds stay closed")
                continue
            secret = environ.get(value["env"], "")
            if not secret:
                problems.append(f"{where}: the environment variable {value['env']} is not set; "
                                "these feeds stay closed")
                continue
            if len(secret) < MIN_LENGTH:
                warnings.append(f"{where}: the token in {value['env']} is short "
                                f"({len(secret)} characters); use {MIN_LENGTH} or more")
            digests[Visibility(key)] = _digest(secret)
        return cls(digests, tuple(problems), tuple(warnings))

    def grant(self, presented: str) -> Visibility:
        """The widest audience that ``presented`` opens (``PUBLIC``: none)."""
        digest = _digest(presented)
        granted = Visibility.PUBLIC
        for audience in _PROTECTED:  # both compared every time: no early exit to time
            expected = self.digests.get(audience)
            if expected is not None and hmac.compare_digest(digest, expected):
                granted = audience
        return granted


def presented_token(authorization: str | None, query_token: str | None) -> str | None:
    """The token a request carries: Bearer, Basic password, or ``?token=``."""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return ""  # presented, but nothing that can match
            return decoded.partition(":")[2]
    return query_token
