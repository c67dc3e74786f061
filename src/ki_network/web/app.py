"""The ASGI application: routes, audiences and tokens, and how each document is rendered."""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Mapping
from datetime import date
from urllib.parse import quote, urlencode

import pluggy
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from ki_network.calendar import export_calendar
from ki_network.report import render_report

from ..calendar import select
from ..model import Visibility
from .auth import presented_token
from .feeds import (
    FEED_FILTERS,
    BadRequestError,
    FeedKey,
    NotFoundError,
    audience_of,
    feed_key,
    single_params,
)
from .http import Rendered, etag_of, respond
from .store import FeedStore, Version, Watch

CALENDAR = "text/calendar; charset=utf-8"
HTML = "text/html; charset=utf-8"
MAX_AGE = 300
_FEED_PARAMS = (*FEED_FILTERS, "token")
_PAGE_PARAMS = ("audience", "token")
_REPORT_PARAMS = ("audience", "language", "token")
_REPORT_LANGUAGES = ("de", "en")
_AUDIENCE_LABEL = {"partners": "Partner", "internal": "den internen Gebrauch"}
_INDEX_CSP = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'self'")


def _plain(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return PlainTextResponse(message + "\n", status, {"cache-control": "no-store",
                                                      **(headers or {})})


def _report_language(params: Mapping[str, str]) -> str:
    language = params.get("language", "de")
    if language not in _REPORT_LANGUAGES:
        raise BadRequestError(f"no report language {language!r}; allowed: "
                              f"{', '.join(_REPORT_LANGUAGES)}")
    return language


class _RefusedError(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class Endpoints:
    """The request handlers of one :class:`FeedStore`."""

    def __init__(self, store: FeedStore, public_url: str | None = None) -> None:
        self.store = store
        self.public_url = public_url.rstrip("/") + "/" if public_url else None
        self.templates = Environment(loader=PackageLoader("ki_network.web", "templates"),
                                     autoescape=select_autoescape(default=True),
                                     trim_blocks=True, lstrip_blocks=True)
        store.prerender = self.prerender

    # -- shared steps --------------------------------------------------------------------------

    def _version(self) -> Version:
        self.store.start_watching()  # no-op once running; starts it when mounted w/o lifespan
        return self.store.current

    def _audience(self, request: Request, params: Mapping[str, str],
                  version: Version) -> Visibility:
        """The requested audience, if the request's token opens it (else 401 or 403).

        Checked before anything else about the request, so a refusal never tells whether
        the feed exists.
        """
        audience = audience_of(params)
        if audience is Visibility.PUBLIC:
            return audience
        token = presented_token(request.headers.get("authorization"), params.get("token"))
        if token is None:
            raise _RefusedError(_plain(401, "this calendar needs a token (see docs/serve.md)",
                                  {"www-authenticate": 'Basic realm="ki-network", '
                                                       'charset="UTF-8"'}))
        if version.tokens.grant(token).rank < audience.rank:
            raise _RefusedError(_plain(403, "the token does not open this calendar"))
        return audience

    def _base(self, request: Request) -> str:
        if self.public_url:
            return self.public_url
        scope = dict(request.scope)
        scope["path"] = scope.get("root_path", "").rstrip("/") + "/"
        scope["query_string"] = b""
        return str(URL(scope=scope))

    # -- feeds ---------------------------------------------------------------------------------

    async def joint(self, request: Request) -> Response:
        return await self._feed(request, "joint", None)

    async def actor(self, request: Request) -> Response:
        return await self._feed(request, "actor", request.path_params["id"])

    async def municipality(self, request: Request) -> Response:
        return await self._feed(request, "municipality", request.path_params["name"])

    async def _feed(self, request: Request, kind: str, subject: str | None) -> Response:
        version = self._version()
        headers = request.headers
        query = request.scope["query_string"]
        anonymous = b"token=" not in query and "authorization" not in headers
        fast = (kind, subject, query)
        found = version.fast.get(fast) if anonymous else None
        if found is None:
            try:
                params = single_params(request.query_params.multi_items(), _FEED_PARAMS)
                audience = self._audience(request, params, version)
                key = feed_key(version.view(audience), kind, subject, params,
                               audience=audience, languages=version.languages(audience))
            except _RefusedError as refused:
                return refused.response
            except BadRequestError as exc:
                return _plain(400, str(exc))
            except NotFoundError:
                return _plain(404, "no such calendar")
            found = await self.store.document(version, key,
                                              lambda: self._render_feed(version, key))
            if anonymous:
                version.remember(version.fast, fast, found)
        return respond(request.method, headers.get("accept-encoding"),
                       headers.get("if-none-match"), headers.get("if-modified-since"), found)

    def _render_feed(self, version: Version, key: FeedKey) -> Rendered:
        """The bytes of one feed; runs in a worker thread."""
        view = version.view(key.audience)
        name = None
        actor, municipality = key.actor, key.municipality
        if key.kind == "actor" and key.subject:
            actor = key.subject
            name = f"{view.config.name}: {view.actors[key.subject].name}"
        elif key.kind == "municipality" and key.subject:
            municipality = key.subject
            name = f"{view.config.name}: {view.municipality_name(key.subject)}"
        items = select(view, actor=actor, municipality=municipality, topic=key.topic,
                       target_group=key.target_group)
        with self.store.render_lock:
            result = export_calendar(view, items, audience=key.audience,
                                     state=self.store.state, language=key.language, name=name,
                                     start=key.start, end=key.end)
            self.store.save_state()
        return self._rendered(version, result.data, CALENDAR, key.audience)

    def _rendered(self, version: Version, body: bytes, media_type: str,
                  audience: Visibility) -> Rendered:
        tag = etag_of(body)
        public = audience is Visibility.PUBLIC
        return Rendered.of(body, media_type, self.store.last_modified(tag, version),
                           f"{'public' if public else 'private'}, max-age={MAX_AGE}",
                           vary="Accept-Encoding" if public else "Accept-Encoding, Authorization",
                           etag=tag)

    def prerender(self, version: Version) -> None:
        """Render the public joint feed before a version is served: a version whose feed
        cannot be rendered is never served."""
        key = FeedKey("joint", None, Visibility.PUBLIC)
        version.remember(version.documents, key, self._render_feed(version, key))

    # -- pages ---------------------------------------------------------------------------------

    async def report(self, request: Request) -> Response:
        version = self._version()
        try:
            params = single_params(request.query_params.multi_items(), _REPORT_PARAMS)
            audience = self._audience(request, params, version)
            language = _report_language(params)
        except _RefusedError as refused:
            return refused.response
        except BadRequestError as exc:
            return _plain(400, str(exc))
        today = date.today()
        key: Hashable = ("report", audience, language, today)

        def render() -> Rendered:
            html = render_report(version.network, audience=audience, language=language,
                                 today=today)
            return self._rendered(version, html.encode("utf-8"), HTML, audience)

        found = await self.store.document(version, key, render)
        headers = request.headers
        return respond(request.method, headers.get("accept-encoding"),
                       headers.get("if-none-match"), headers.get("if-modified-since"), found)

    async def index(self, request: Request) -> Response:
        version = self._version()
        try:
            params = single_params(request.query_params.multi_items(), _PAGE_PARAMS,
                                   strict=False)
            audience = self._audience(request, params, version)
        except _RefusedError as refused:
            return refused.response
        except BadRequestError as exc:
            return _plain(400, str(exc))
        view = version.view(audience)
        base = self._base(request)
        extra = {} if audience is Visibility.PUBLIC else {
            "audience": audience.value, "token": params.get("token") or ""}

        def feed(path: str, label: str, note: str = "") -> dict[str, str]:
            https = base + path + (f"?{urlencode(extra)}" if extra else "")
            return {"label": label, "note": note, "https": https,
                    "webcal": "webcal://" + https.split("://", 1)[1]}

        used_places, used_actors = version.used(audience)
        municipalities = [feed(f"municipalities/{quote(m.name, safe='')}.ics", m.name)
                          for m in sorted(view.region.municipalities, key=lambda m: m.name)
                          if m.ags in used_places]
        actors = [feed(f"actors/{quote(a.id, safe='')}.ics", a.name)
                  for a in sorted(view.actors.values(), key=lambda a: a.name.casefold())
                  if a.id in used_actors]
        html = self.templates.get_template("index.html").render(
            name=view.config.name, audience=audience.value,
            audience_label=_AUDIENCE_LABEL.get(audience.value, ""),
            joint=feed("calendars/joint.ics", "Alle Angebote und Termine"),
            municipalities=municipalities, actors=actors,
            report_url=base + "report" + (f"?{urlencode(extra)}" if extra else ""))
        return HTMLResponse(html, headers={
            "cache-control": "no-cache" if audience is Visibility.PUBLIC else "private, no-cache",
            "content-security-policy": _INDEX_CSP, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"})

    async def healthz(self, request: Request) -> Response:
        version = self.store.current
        body = {"status": "ok", "version": version.number,
                "loaded": version.loaded.isoformat(timespec="seconds"),
                "data_modified": version.modified.isoformat(),
                "stale": self.store.last_error is not None, "error": self.store.last_error}
        return Response(json.dumps(body), media_type="application/json",
                        headers={"cache-control": "no-store"})


def create_app(path: str | os.PathLike[str], *,
               plugin_manager: pluggy.PluginManager | None = None,
               state: bool | str | os.PathLike[str] = True, watch: Watch = "auto",
               poll_interval: float = 2.0, debounce: float = 0.4, cache_size: int = 256,
               public_url: str | None = None, environ: Mapping[str, str] | None = None,
               ) -> Starlette:
    """The feed server of data directory ``path`` as an ASGI application.

    Loads the data at once (raises :class:`~ki_network.DataError` if it is invalid) and
    watches it for edits while the application runs.

    :param state: SEQUENCE/LAST-MODIFIED memory: ``True`` the data directory's
        ``.ki-network/calendar-state.json`` (shared with ``ki-network calendar``), a path, or
        ``False`` (memory only: sequences restart at 0 with every start).
    :param watch: ``auto`` (watchfiles, else polling), ``poll`` or ``off``.
    :param poll_interval: seconds between two scans when polling.
    :param debounce: seconds of quiet after an edit before it is loaded (watchfiles).
    :param cache_size: documents kept per data version (and per kind of URL).
    :param public_url: the URL the server is reached at from outside (for the links of the
        index page); default: from each request (``Host`` and the proxy's headers).
    :param environ: where the token variables are read (default: ``os.environ``).
    """
    store = FeedStore(path, plugin_manager=plugin_manager, state=state, watch=watch,
                      poll_interval=poll_interval, debounce=debounce, cache_size=cache_size,
                      environ=environ)
    endpoints = Endpoints(store, public_url)
    endpoints.prerender(store.current)  # the first version, like later ones
    methods = ["GET", "HEAD"]
    routes = [
        Route("/", endpoints.index, methods=methods, name="index"),
        Route("/calendars/joint.ics", endpoints.joint, methods=methods, name="joint"),
        Route("/actors/{id}.ics", endpoints.actor, methods=methods, name="actor"),
        Route("/municipalities/{name}.ics", endpoints.municipality, methods=methods,
              name="municipality"),
        Route("/report", endpoints.report, methods=methods, name="report"),
        Route("/healthz", endpoints.healthz, methods=methods, name="healthz"),
    ]
    app = Starlette(routes=routes, lifespan=store.lifespan)
    app.state.store = store
    return app


__all__: list[str] = ["create_app"]
