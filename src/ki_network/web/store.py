"""The served data: one loaded version at a time, swapped whole, and what was rendered of it.

* A :class:`Version` is one load of the data directory, with its feeds and reports rendered
  on first request and kept (bytes, gzip bytes, ETag) until the next version.
* :class:`FeedStore` loads the first version when it is made (invalid data raises
  :class:`~ki_network.DataError` there), then watches the directory — with ``watchfiles``
  when it is installed, else by scanning modification times — and loads again after an
  edit.  The new version replaces the old one in a single assignment, only after it loaded
  without a problem and its public joint feed rendered; a request holds the version it
  started with, so nobody ever sees half of an edit.  An edit that breaks the data is
  logged, problem by problem, and the last good version stays served.
* SEQUENCE and LAST-MODIFIED come from the same state file the command line uses
  (``DIR/.ki-network/calendar-state.json``), so a served feed and ``ki-network calendar``
  with the same filters give the same bytes.  The server keeps the state in memory and
  writes the file whenever a render changed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
import pluggy

from ..calendar.ics_export import STATE_FILE, CalendarState
from ..datadir import load
from ..errors import DataError
from ..model import Visibility
from ..network import Network
from ..plugin import make_plugin_manager
from .auth import Tokens
from .feeds import languages_of
from .http import Rendered

log = logging.getLogger("ki_network.web")

Watch = Literal["auto", "poll", "off"]
Signature = tuple[tuple[str, int, int], ...]
_EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".tmp", ".part")


def ignored(relative: Path) -> bool:
    """Hidden files and folders (``.git``, ``.ki-network``) and editors' temporary files."""
    return any(part.startswith((".", "#")) for part in relative.parts) or \
        relative.name.endswith(_EDITOR_LEFTOVERS)


def signature(directory: Path) -> Signature:
    """(path, size, mtime) of every data file: equal signatures, equal data."""
    found: list[tuple[str, int, int]] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root) / name
            relative = path.relative_to(directory)
            if ignored(relative):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # removed while we looked; the next scan sees it
            found.append((relative.as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


class Version:
    """One load of the data directory and the documents rendered from it."""

    def __init__(self, number: int, network: Network, *, signature: Signature,
                 modified: datetime, tokens: Tokens, cache_size: int) -> None:
        self.number = number
        self.network = network
        self.signature = signature
        self.modified = modified
        self.tokens = tokens
        self.loaded = datetime.now(UTC)
        self.cache_size = cache_size
        self.documents: OrderedDict[Hashable, Rendered] = OrderedDict()
        self.fast: OrderedDict[Hashable, Rendered] = OrderedDict()  # raw URL → document
        self.pending: dict[Hashable, asyncio.Future[Rendered]] = {}
        self._views: dict[Visibility, Network] = {}
        self._languages: dict[Visibility, frozenset[str]] = {}
        self._used: dict[Visibility, tuple[frozenset[str], frozenset[str]]] = {}
        self._lock = threading.Lock()

    def view(self, audience: Visibility) -> Network:
        """The network as ``audience`` sees it (made once)."""
        found = self._views.get(audience)
        if found is None:
            with self._lock:
                found = self._views.get(audience)
                if found is None:
                    found = self._views[audience] = self.network.for_audience(audience)
        return found

    def used(self, audience: Visibility) -> tuple[frozenset[str], frozenset[str]]:
        """The municipalities (AGS) and actors that have anything in ``audience``'s calendar
        (for the index page)."""
        found = self._used.get(audience)
        if found is None:
            items = list(self.view(audience).items())
            found = self._used[audience] = (
                frozenset(i.municipality for i in items if i.municipality),
                frozenset(a for i in items for a in i.actors))
        return found

    def prepare(self, audiences: tuple[Visibility, ...]) -> None:
        """Make what requests of ``audiences`` need (in the loading thread, not per request)."""
        for audience in audiences:
            self.languages(audience)
            self.used(audience)

    def languages(self, audience: Visibility) -> frozenset[str]:
        found = self._languages.get(audience)
        if found is None:
            found = self._languages[audience] = languages_of(self.view(audience))
        return found

    def remember(self, cache: OrderedDict[Hashable, Rendered], key: Hashable,
                 document: Rendered) -> None:
        cache[key] = document
        cache.move_to_end(key)
        while len(cache) > self.cache_size:
            cache.popitem(last=False)

    def cached(self, key: Hashable) -> Rendered | None:
        found = self.documents.get(key)
        if found is not None:
            self.documents.move_to_end(key)
        return found


class _UnsettledError(Exception):
    """The directory changed while it was being loaded."""


class FeedStore:
    """The data directory ``path`` as a sequence of loaded versions (see the module).

    :param state: the SEQUENCE/LAST-MODIFIED file: ``True`` for ``DIR/.ki-network/
        calendar-state.json`` (as the command line), a path, or ``False`` for memory only.
    :param watch: ``auto`` (watchfiles, else polling), ``poll`` or ``off``.
    :param environ: where token variables are looked up (default: ``os.environ``).
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 plugin_manager: pluggy.PluginManager | None = None,
                 state: bool | str | os.PathLike[str] = True, watch: Watch = "auto",
                 poll_interval: float = 2.0, debounce: float = 0.4, cache_size: int = 256,
                 environ: Mapping[str, str] | None = None) -> None:
        self.path = Path(path).resolve()
        if not self.path.is_dir():
            raise FileNotFoundError(f"{path}: not a data directory")
        self.plugin_manager = plugin_manager or make_plugin_manager()
        state_path = (self.path / STATE_FILE if state is True
                      else None if state is False else Path(state))
        self.state = CalendarState.load(state_path)
        self.watch: Watch = watch
        self.poll_interval = poll_interval
        self.debounce = debounce
        self.cache_size = cache_size
        self.environ = environ if environ is not None else os.environ
        self.render_lock = threading.Lock()  # the calendar state is not thread-safe
        self.first_seen: OrderedDict[str, datetime] = OrderedDict()
        self._seen_lock = threading.Lock()
        self.last_error: str | None = None
        self._failed: Signature | None = None
        self._state_warned = False
        self._reload_lock: asyncio.Lock | None = None
        self._stop: asyncio.Event | None = None
        self._watcher: asyncio.Task[None] | None = None
        self.prerender: Callable[[Version], None] | None = None
        self.current = self._load(None)

    # -- loading -------------------------------------------------------------------------------

    def _load(self, previous: Version | None) -> Version:
        """Load the directory until it holds still while loading (three tries)."""
        for _ in range(3):
            before = signature(self.path)
            network = load(self.path, self.plugin_manager)
            after = signature(self.path)
            if before != after:
                continue
            tokens = Tokens.from_settings(network.config.extra.get("serve"), self.environ)
            newest = max((mtime for _, _, mtime in before), default=0)
            modified = datetime.fromtimestamp(newest // 1_000_000_000, UTC)
            if previous is not None and modified <= previous.modified:
                modified = previous.modified + timedelta(seconds=1)
            version = Version(previous.number + 1 if previous else 1, network,
                              signature=before, modified=modified, tokens=tokens,
                              cache_size=self.cache_size)
            version.prepare((Visibility.PUBLIC, *tokens.digests))
            if self.prerender is not None:
                self.prerender(version)  # a render that fails keeps the old version too
            for problem in tokens.problems:
                log.warning("%s/network.yaml: %s", self.path, problem)
            for warning in tokens.warnings:
                log.warning("%s/network.yaml: %s", self.path, warning)
            return version
        raise _UnsettledError

    async def reload(self) -> bool:
        """Load the directory again if it changed; True if a new version is served."""
        if self._reload_lock is None:
            self._reload_lock = asyncio.Lock()
        async with self._reload_lock:
            now = await anyio.to_thread.run_sync(signature, self.path)
            if now in (self.current.signature, self._failed):
                return False
            previous = self.current
            try:
                version = await anyio.to_thread.run_sync(self._load, previous)
            except DataError as exc:
                self._failed = now
                self.last_error = (f"{len(exc.problems)} problem(s) in the data; serving "
                                   f"version {previous.number}")
                for problem in exc.problems:
                    log.error("%s", problem)  # noqa: TRY400 - data problems, no traceback
                log.error("%s: the edit is not served: %s",  # noqa: TRY400
                          self.path, self.last_error)
                return False
            except _UnsettledError:
                log.info("%s is still changing; trying again at the next change", self.path)
                return False
            except Exception as exc:  # a plugin or a render failed: keep serving
                self._failed = now
                self.last_error = f"loading failed: {exc}; serving version {previous.number}"
                log.exception("%s: the edit is not served", self.path)
                return False
            self.current = version  # the swap: one assignment, never half
            self._failed = None
            self.last_error = None
            log.info("%s: serving version %d (%s)", self.path, version.number, version.network)
            return True

    # -- rendering -----------------------------------------------------------------------------

    def last_modified(self, etag: str, version: Version) -> datetime:
        """When these bytes were first served: unchanged feeds keep their Last-Modified."""
        with self._seen_lock:
            found = self.first_seen.get(etag)
            if found is None:
                found = self.first_seen[etag] = version.modified
                while len(self.first_seen) > 4096:
                    self.first_seen.popitem(last=False)
            return found

    def save_state(self) -> None:
        """Write the calendar state if a render changed it (call with the render lock)."""
        try:
            self.state.save()
        except OSError as exc:
            if not self._state_warned:
                log.warning("cannot write the calendar state %s (%s); SEQUENCE is kept in "
                            "memory only", self.state.path, exc)
                self._state_warned = True
            self.state.changed = False

    async def document(self, version: Version, key: Hashable,
                       render: Callable[[], Rendered]) -> Rendered:
        """The document ``key`` of ``version``, rendered once (in a worker thread) and kept.

        Requests for a document being rendered wait for that one render.
        """
        found = version.cached(key)
        if found is not None:
            return found
        pending = version.pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(anyio.to_thread.run_sync(render))
            version.pending[key] = pending

            def done(future: asyncio.Future[Rendered]) -> None:
                version.pending.pop(key, None)
                if not future.cancelled() and future.exception() is None:
                    version.remember(version.documents, key, future.result())

            pending.add_done_callback(done)
        return await asyncio.shield(pending)

    # -- watching ------------------------------------------------------------------------------

    def start_watching(self) -> None:
        """Start the watcher on the running event loop (once; also when mounted without a
        lifespan, on the first request)."""
        if self._watcher is not None or self.watch == "off":
            return
        self._stop = asyncio.Event()
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop_watching(self) -> None:
        if self._watcher is None or self._stop is None:
            return
        self._stop.set()
        self._watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watcher
        self._watcher = None

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        """Watch while the application runs (a Starlette lifespan; a host application can
        pass it as its own, see ``docs/serve.md``)."""
        self.start_watching()
        try:
            yield
        finally:
            await self.stop_watching()

    def _relevant(self, _change: object, path: str) -> bool:
        try:
            return not ignored(Path(path).relative_to(self.path))
        except ValueError:
            return False

    async def _watch(self) -> None:
        if self._stop is None:
            return
        if self.watch == "auto":
            try:
                from watchfiles import awatch  # noqa: PLC0415 - optional
            except ImportError:
                log.info("watchfiles is not installed; looking for edits every %.1f s",
                         self.poll_interval)
            else:
                try:
                    async for _ in awatch(self.path, watch_filter=self._relevant,
                                          stop_event=self._stop,
                                          debounce=int(self.debounce * 1000), step=50):
                        await self._reload_logged()
                except (OSError, RuntimeError) as exc:  # e.g. no inotify watches left
                    log.warning("watching %s failed (%s); looking for edits every %.1f s",
                                self.path, exc, self.poll_interval)
                else:
                    return
        await self._poll()

    async def _poll(self) -> None:
        stop = self._stop
        if stop is None:
            return
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_interval)
                return
            await self._reload_logged()

    async def _reload_logged(self) -> None:
        try:
            await self.reload()
        except Exception:  # the watcher must survive anything
            log.exception("reloading %s failed", self.path)
