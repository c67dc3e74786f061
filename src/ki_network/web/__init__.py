"""Publish the joint calendars: a subscribable feed server for a data directory.

``ki-network serve DIR`` runs it with uvicorn; :func:`create_app` gives the ASGI
application (Starlette) to mount inside a municipality's own application.  Needs the extra
``ki-network[serve]``.

========================================  ==================================================
``/``                                     index page (German) with ``webcal://`` links
``/calendars/joint.ics?topic=…&…``        the joint calendar, filtered as ``ki-network
                                          calendar`` filters (``audience`` default public)
``/actors/{id}.ics``                      one actor's calendar
``/municipalities/{name or AGS}.ics``     one municipality's calendar
``/report``                               the HTML report for the same audience
``/healthz``                              the served data version, and whether an edit failed
========================================  ==================================================

>>> import asyncio, tempfile, httpx
>>> from pathlib import Path
>>> from ki_network.testing import bare_plugin_manager, write_network
>>> directory = write_network(Path(tempfile.mkdtemp()) / "netz")  # the tiny test network
>>> app = create_app(directory, plugin_manager=bare_plugin_manager(), state=False,
...                  watch="off")
>>> async def visit() -> list[httpx.Response]:
...     async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
...                                  base_url="http://kalender.example") as client:
...         feed = await client.get("/municipalities/05374012.ics?target_group=newcomers")
...         again = await client.get("/municipalities/05374012.ics?target_group=newcomers",
...                                  headers={"If-None-Match": feed.headers["ETag"]})
...         return [feed, again, await client.get("/calendars/joint.ics?topic=langauge")]
>>> feed, again, wrong = asyncio.run(visit())
>>> feed.status_code, feed.headers["Content-Type"], again.status_code
(200, 'text/calendar; charset=utf-8', 304)
>>> wrong.status_code, wrong.text[:52]
(400, "no topic 'langauge' (did you mean 'language'?); allo")

See ``docs/serve.md``: reverse proxies, mounting, tokens.
"""

from __future__ import annotations

from .app import create_app
from .store import FeedStore, Version

__all__ = ["FeedStore", "Version", "create_app"]
