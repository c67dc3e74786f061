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
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import attrs
import httpcore
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


def public_url(url: str) -> str:
    """``url`` without user name and password, as it may be shown and stored.

    >>> public_url("https://anna:geheim@cloud.example/remote.php/dav/cal.ics")
    'https://cloud.example/remote.php/dav/cal.ics'
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def refused_address(address: str) -> str | None:
    """Why connecting to the IP ``address`` is refused by default, or ``None``.

    Partners edit the data that names live feeds, so a feed URL must not make the machine
    that loads the network talk to itself or its own network (server-side request forgery).

    >>> refused_address("127.0.0.1"), refused_address("::ffff:10.0.0.1")
    ('a loopback address', 'a private address')
    >>> refused_address("169.254.169.254"), refused_address("93.184.215.14") is None
    ('a link-local address', True)
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            article = "an" if kind == "unspecified" else "a"
            return f"{article} {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


def fetch(url: str, *, cache_dir: Path | None = None, timeout: float = TIMEOUT,
          max_bytes: int = MAX_BYTES, offline_fallback: bool = False,
          allow_private: bool = False, write_cache: bool = True,
          check: Callable[[bytes], str | None] | None = None) -> Fetched:
    """Download the feed at ``url``.

    :param cache_dir: where to keep the last body with its ``ETag``/``Last-Modified`` for
        conditional requests; ``None``: no cache.
    :param timeout: seconds the whole download may take, from the connection to the last
        byte (name resolution, TLS, headers and body included).
    :param max_bytes: the largest body accepted.
    :param offline_fallback: if the server cannot be reached, answers with an error or with a
        body that cannot be decoded or fails ``check``, use the cached body instead of
        raising, with ``status="cached"`` and the reason in ``error``.
    :param allow_private: also connect to loopback, private, link-local and multicast
        addresses (refused by default; checked for every connection, redirects included, on
        the resolved address).
    :param write_cache: store a new body in ``cache_dir`` (a dry run reads the cache only).
    :param check: says why a body is not acceptable (``None``: it is); an unacceptable body
        is a :class:`FetchError` and is not cached.
    :raises FetchError: refused scheme or address, unreachable host, error status, too slow,
        too large, undecodable or refused body.
    """
    target = normalise_url(url)
    cache = _Cache(cache_dir, target) if cache_dir is not None else None
    try:
        return _download(target, cache, timeout, max_bytes, allow_private=allow_private,
                         write_cache=write_cache, check=check)
    except FetchError as exc:
        if offline_fallback and cache is not None and cache.body_path.exists():
            return Fetched(public_url(target), cache.body_path.read_bytes(), "cached", str(exc))
        raise


def _download(url: str, cache: _Cache | None, timeout: float, max_bytes: int, *,
              allow_private: bool, write_cache: bool,
              check: Callable[[bytes], str | None] | None) -> Fetched:
    headers = {"User-Agent": f"ki-network/{_version()} (partner calendar import)",
               "Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "gzip, deflate"}
    if cache is not None:
        headers.update(cache.validators())
    shown = public_url(url)
    host = urlsplit(url).hostname
    backend = _GuardedBackend(time.monotonic() + timeout, allow_private)
    answered = False
    try:
        # trust_env=False: a proxy from the environment would connect past the address check
        with (httpx.Client(timeout=timeout, follow_redirects=True, headers=headers,
                           transport=_transport(backend), trust_env=False) as client,
              client.stream("GET", url) as response):
            answered = True
            if response.status_code == httpx.codes.NOT_MODIFIED and cache is not None:
                body = cache.body()
                if body is not None:
                    return Fetched(shown, body, "not-modified")
                raise FetchError(f"{shown}: the server answered 304 Not Modified but the "
                                 f"cached copy is gone; delete {cache.meta_path} and fetch again")
            if response.status_code >= 400:
                raise FetchError(f"{shown}: the server answered {response.status_code} "
                                 f"{response.reason_phrase}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{shown}: the feed is {int(declared):,} bytes, more than the "
                                 f"limit of {max_bytes:,}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{shown}: the feed is larger than the limit of "
                                     f"{max_bytes:,} bytes; download stopped")
                chunks.append(chunk)
            body = b"".join(chunks)
            problem = check(body) if check is not None else None
            if problem:
                raise FetchError(f"{shown}: {problem}")
            if cache is not None and write_cache:
                cache.store(body, response.headers)
            return Fetched(public_url(str(response.url)), body, "fetched")
    except httpx.TimeoutException as exc:
        if backend.refused:
            raise FetchError(f"{shown}: {backend.refused}") from exc
        if answered:
            raise FetchError(f"{shown}: the download took longer than {timeout:g} s") from exc
        raise FetchError(f"{shown}: no answer from {host} within {timeout:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{shown}: too many redirects") from exc
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"{shown}: redirected to a URL that is not http or https") from exc
    except httpx.DecodingError as exc:
        encoding = response.headers.get("Content-Encoding", "?") if answered else "?"
        raise FetchError(f"{shown}: the server's answer cannot be decoded (it says "
                         f"Content-Encoding: {encoding}): {exc}") from exc
    except httpx.TransportError as exc:
        if backend.refused:
            raise FetchError(f"{shown}: {backend.refused}") from exc
        reason = str(exc) or type(exc).__name__
        raise FetchError(f"{shown}: cannot reach {host}: {reason}") from exc
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        reason = str(exc) or type(exc).__name__
        raise FetchError(f"{shown}: the answer cannot be read: {reason}") from exc


def _transport(backend: _GuardedBackend) -> httpx.HTTPTransport:
    """httpx's transport over a connection pool whose connections go through ``backend``.

    httpx offers no parameter for the network backend; its transport keeps the pool in
    ``_pool`` (since 0.18), which is replaced here.
    """
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=backend)
    return transport


class _GuardedBackend(httpcore.SyncBackend):
    """Connections that check the address they go to and share one deadline.

    Each connection (the first and every redirect) resolves the host itself, refuses
    loopback, private, link-local and multicast addresses unless allowed, and connects to the
    address it checked (so a second lookup cannot return another one).  Every read and write
    waits at most until the deadline, so a server that sends its headers a byte at a time
    cannot stretch the download beyond it.
    """

    def __init__(self, deadline: float, allow_private: bool) -> None:
        self.deadline = deadline
        self.allow_private = allow_private
        self.refused: str | None = None

    def remaining(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("the time limit of the download is over")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        budget = self.remaining(timeout, httpcore.ConnectTimeout)
        addresses = _resolve(host, port, budget)
        if not self.allow_private:
            for address in addresses:
                why = refused_address(address)
                if why:
                    self.refused = (f"{host} is {why} ({address}); feeds are fetched from "
                                    "public addresses only unless private addresses are "
                                    "allowed (see docs/security-feeds.md)")
                    raise httpcore.ConnectError(self.refused)
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address, port, self.remaining(timeout, httpcore.ConnectTimeout),
                    local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _DeadlineStream(stream, self)
        raise error


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses of ``host``, waiting at most ``timeout`` seconds for the resolver."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    found: list[str] = []
    failure: list[BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(dict.fromkeys(str(info[4][0]) for info in infos))
        except OSError as exc:
            failure.append(exc)

    worker = threading.Thread(target=lookup, daemon=True, name=f"resolve {host}")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise httpcore.ConnectTimeout(f"{host} could not be resolved in time")
    if failure:
        raise httpcore.ConnectError(str(failure[0]))
    return found


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: _GuardedBackend) -> None:
        self.inner = inner
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend.remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.backend.remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        budget = self.backend.remaining(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, budget),
                               self.backend)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


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
