"""Fetching partner feeds over HTTP: bounded, polite, and with errors a person can read.

* only ``http`` and ``https`` (``webcal://``, how calendar links are often published, is read
  as ``https://``); anything else is refused before a connection is made;
* a time limit for the whole download (httpx's timeouts are per phase, so a server that drips
  one byte a second would never trip them) and a size limit checked while streaming;
* conditional GET: the ``ETag`` and ``Last-Modified`` of the last answer are kept with the
  body in a cache directory (by default ``.ki-network/feeds/`` in the data directory) and sent
  back as ``If-None-Match`` / ``If-Modified-Since``; a ``304 Not Modified`` answer is served
  from the cache;
* every failure is a :class:`FetchError` with a one-line message, never a traceback.

>>> try:
...     fetch("ftp://example.org/feed.ics")
... except FetchError as exc:
...     print(exc)
ftp://example.org/feed.ics: only http and https URLs can be fetched, not 'ftp'
"""

from __future__ import annotations

import hashlib
import json
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import attrs
import httpx

from ...datadir.yamlio import atomic_write

#: Seconds a whole download may take.
TIMEOUT = 20.0
#: Largest feed accepted, in bytes (a district's busiest partner exports well under 1 MB).
MAX_BYTES = 10 * 1024 * 1024
#: Where the cache lives inside a data directory.
CACHE_DIR = Path(".ki-network") / "feeds"


class FetchError(Exception):
    """A feed could not be fetched; the message says which and why, in one line."""


@attrs.frozen
class Fetched:
    """A fetched feed. ``status`` is ``fetched`` (a new body), ``not-modified`` (the server
    answered 304; ``content`` is the cached body) or ``cached`` (the server could not be
    reached and the cached body was used, see :func:`fetch`'s ``offline_fallback``)."""

    url: str
    content: bytes
    status: str
    error: str | None = None


def is_url(source: str) -> bool:
    """True if ``source`` names a feed by URL rather than by path.

    >>> is_url("https://example.org/a.ics"), is_url("webcal://x/a.ics"), is_url("feeds/a.ics")
    (True, True, False)
    """
    return "://" in source


def normalise_url(url: str) -> str:
    """``url`` checked for a fetchable scheme; ``webcal`` becomes ``https``.

    >>> normalise_url("webcal://calendar.example.org/caritas.ics")
    'https://calendar.example.org/caritas.ics'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        parts = parts._replace(scheme="https")
    elif scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs can be fetched, "
                         f"not {parts.scheme or 'a URL without scheme'!r}")
    if not parts.hostname:
        raise FetchError(f"{url}: the URL names no host")
    return urlunsplit(parts)


def fetch(url: str, *, cache_dir: Path | None = None, timeout: float = TIMEOUT,
          max_bytes: int = MAX_BYTES, offline_fallback: bool = False) -> Fetched:
    """Download the feed at ``url``.

    :param cache_dir: where to keep the last body with its ``ETag``/``Last-Modified`` for
        conditional requests; ``None``: no cache.
    :param timeout: seconds the whole download may take.
    :param max_bytes: the largest body accepted.
    :param offline_fallback: if the server cannot be reached (or answers with an error), use
        the cached body instead of raising, with ``status="cached"`` and the reason in
        ``error``.
    :raises FetchError: refused scheme, unreachable host, error status, too slow, too large.
    """
    target = normalise_url(url)
    cache = _Cache(cache_dir, target) if cache_dir is not None else None
    try:
        return _download(target, cache, timeout, max_bytes)
    except FetchError as exc:
        if offline_fallback and cache is not None and cache.body_path.exists():
            return Fetched(target, cache.body_path.read_bytes(), "cached", str(exc))
        raise


def _download(url: str, cache: _Cache | None, timeout: float, max_bytes: int) -> Fetched:
    headers = {"User-Agent": f"ki-network/{_version()} (partner calendar import)",
               "Accept": "text/calendar, */*;q=0.5"}
    if cache is not None:
        headers.update(cache.validators())
    deadline = time.monotonic() + timeout
    host = urlsplit(url).hostname
    try:
        with (httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client,
              client.stream("GET", url) as response):
            if response.status_code == httpx.codes.NOT_MODIFIED and cache is not None:
                body = cache.body()
                if body is not None:
                    return Fetched(url, body, "not-modified")
                raise FetchError(f"{url}: the server answered 304 Not Modified but the cached "
                                 f"copy is gone; delete {cache.meta_path} and fetch again")
            if response.status_code >= 400:
                raise FetchError(f"{url}: the server answered {response.status_code} "
                                 f"{response.reason_phrase}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: the feed is {int(declared):,} bytes, more than the "
                                 f"limit of {max_bytes:,}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: the feed is larger than the limit of "
                                     f"{max_bytes:,} bytes; download stopped")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: the download took longer than {timeout:g} s")
                chunks.append(chunk)
            body = b"".join(chunks)
            if cache is not None:
                cache.store(body, response.headers)
            return Fetched(str(response.url), body, "fetched")
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: no answer from {host} within {timeout:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: too many redirects") from exc
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"{url}: redirected to a URL that is not http or https") from exc
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise FetchError(f"{url}: cannot reach {host}: {reason}") from exc


def _version() -> str:
    try:
        return version("ki-network")
    except PackageNotFoundError:  # a source tree that was never installed
        return "dev"


@attrs.define
class _Cache:
    """The last answer for one URL: ``<hash>.ics`` (the body) and ``<hash>.json`` (validators)."""

    directory: Path
    url: str

    @property
    def _stem(self) -> str:
        return hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:24]

    @property
    def body_path(self) -> Path:
        return self.directory / f"{self._stem}.ics"

    @property
    def meta_path(self) -> Path:
        return self.directory / f"{self._stem}.json"

    def _meta(self) -> dict[str, Any]:
        try:
            data = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("url") == self.url else {}

    def validators(self) -> dict[str, str]:
        if not self.body_path.exists():
            return {}
        meta = self._meta()
        headers = {}
        if isinstance(meta.get("etag"), str):
            headers["If-None-Match"] = meta["etag"]
        if isinstance(meta.get("last_modified"), str):
            headers["If-Modified-Since"] = meta["last_modified"]
        return headers

    def body(self) -> bytes | None:
        try:
            return self.body_path.read_bytes()
        except OSError:
            return None

    def store(self, body: bytes, headers: httpx.Headers) -> None:
        with atomic_write(self.body_path, "wb") as handle:
            handle.write(body)
        meta = {"url": self.url, "etag": headers.get("ETag"),
                "last_modified": headers.get("Last-Modified")}
        with atomic_write(self.meta_path) as handle:
            json.dump(meta, handle, indent=1)
