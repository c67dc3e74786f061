"""HTTP done right for rendered bytes: ETag, Last-Modified, 304, HEAD, gzip, Cache-Control.

A :class:`Rendered` holds one document's bytes, its gzip-compressed bytes, and the ready
header lists of both representations, so a cached response costs a few dictionary lookups.
The gzip representation has its own strong ETag (``"…-gz"``); ``If-None-Match`` accepts
either, as both carry the same content.

>>> from datetime import UTC, datetime
>>> r = Rendered.of(b"BEGIN:VCALENDAR..." * 100, "text/calendar; charset=utf-8",
...                 datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "public, max-age=300")
>>> r.etag, r.etag_gz == r.etag[:-1] + '-gz"'
('"..."', True)
>>> accepts_gzip("gzip, deflate, br"), accepts_gzip("gzip;q=0"), accepts_gzip(None)
(True, False, False)
>>> etag_matches('W/"x", ' + r.etag, r), etag_matches('"x"', r), etag_matches("*", r)
(True, False, True)
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache

import attrs
from starlette.responses import Response

#: below this size gzip saves too little to be worth a second representation
GZIP_MIN = 1024
_Headers = list[tuple[bytes, bytes]]


def http_date(moment: datetime) -> str:
    """``Mon, 02 Mar 2026 08:00:00 GMT``."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def etag_of(body: bytes) -> str:
    """A strong ETag: a hash of the bytes."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@attrs.frozen
class Rendered:
    """One rendered document, ready to be served again and again."""

    body: bytes
    gzipped: bytes | None
    etag: str
    etag_gz: str
    last_modified: datetime
    headers: _Headers
    headers_gz: _Headers
    not_modified: _Headers
    not_modified_gz: _Headers

    @classmethod
    def of(cls, body: bytes, media_type: str, last_modified: datetime, cache_control: str,
           *, vary: str = "Accept-Encoding", etag: str | None = None) -> Rendered:
        """Compress, hash and prepare the headers of ``body`` (done once per data version)."""
        tag = etag or etag_of(body)
        tag_gz = tag[:-1] + '-gz"'
        packed = gzip.compress(body, 6, mtime=0) if len(body) >= GZIP_MIN else None
        last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        common = [(b"cache-control", cache_control.encode()),
                  (b"last-modified", http_date(last_modified).encode()),
                  (b"vary", vary.encode()),
                  (b"x-content-type-options", b"nosniff")]

        def headers(tag: str, extra: _Headers) -> _Headers:
            return [(b"etag", tag.encode()), *common, *extra]

        identity = headers(tag, [(b"content-type", media_type.encode()),
                                 (b"content-length", str(len(body)).encode())])
        compressed = identity if packed is None else headers(tag_gz, [
            (b"content-type", media_type.encode()),
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(packed)).encode())])
        return cls(body, packed, tag, tag_gz, last_modified, identity, compressed,
                   headers(tag, []), headers(tag if packed is None else tag_gz, []))


class RawResponse(Response):
    """A response whose header list is ready: nothing is computed per request."""

    def __init__(self, status_code: int, headers: _Headers, body: bytes) -> None:
        self.status_code = status_code
        self.raw_headers = headers
        self.body = body
        self.background = None


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """True if an ``Accept-Encoding`` value allows gzip (``q`` > 0, also through ``*``)."""
    if not accept_encoding:
        return False
    star = None
    for part in accept_encoding.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        name = name.lower()
        if name in ("gzip", "x-gzip"):
            return quality > 0
        if name == "*":
            star = quality > 0
    return bool(star)


def etag_matches(if_none_match: str, rendered: Rendered) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of ``If-None-Match`` with both representations."""
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        tag = candidate.strip().removeprefix("W/")
        if tag in (rendered.etag, rendered.etag_gz):
            return True
    return False


def not_modified_since(if_modified_since: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified <= since


def respond(method: str, accept_encoding: str | None, if_none_match: str | None,
            if_modified_since: str | None, rendered: Rendered) -> Response:
    """200 with the chosen representation, 304 when the client has it, no body for HEAD."""
    packed = rendered.gzipped is not None and accepts_gzip(accept_encoding)
    if if_none_match is not None:
        fresh = etag_matches(if_none_match, rendered)
    else:
        fresh = if_modified_since is not None and not_modified_since(
            if_modified_since, rendered.last_modified)
    if fresh:
        return RawResponse(304, rendered.not_modified_gz if packed else rendered.not_modified,
                           b"")
    if method == "HEAD":
        body = b""
    elif packed:
        body = rendered.gzipped or b""
    else:
        body = rendered.body
    return RawResponse(200, rendered.headers_gz if packed else rendered.headers, body)
