"""``create_app`` inside another application, and token settings that must not work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ki_network import DataError
from ki_network.web import create_app

from .conftest import Server, copy_example, wait_for

HOST_APP = '''
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from ki_network.web import create_app

feeds = create_app(sys.argv[1], watch="poll", poll_interval=0.2)


async def home(request):
    return PlainTextResponse("Stadtportal")


app = Starlette(routes=[Route("/", home), Mount("/kalender", app=feeds)],
                lifespan=feeds.router.lifespan_context)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
'''


def test_mounted_inside_another_application(start_server: Callable[..., Server],
                                            tmp_path: Path) -> None:
    script = tmp_path / "host.py"
    script.write_text(HOST_APP, encoding="utf-8")
    server = start_server(script=script, health="/kalender/healthz")
    with server.client() as client:
        assert client.get("/").text == "Stadtportal"
        index = client.get("/kalender/")
        assert index.status_code == 200
        link = f"webcal://127.0.0.1:{server.port}/kalender/calendars/joint.ics"
        assert f'href="{link}"' in index.text
        assert f"http://127.0.0.1:{server.port}/kalender/municipalities/Waldbr%C3%B6l.ics" \
            in index.text
        feed = client.get("/kalender/municipalities/Waldbr%C3%B6l.ics")
        assert feed.status_code == 200 and feed.content.startswith(b"BEGIN:VCALENDAR")
        assert client.get("/kalender/actors/nobody.ics").status_code == 404
    # the host's lifespan runs the watcher: edits are served here too
    with (server.directory / "offers.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n- id: mounted-live\n  title: Live im Stadtportal\n"
                     "  provider: ki-oberberg\n  topic: counselling\n  municipality: Wiehl\n"
                     "  schedule: [{start: 2026-05-05T10:00, end: 2026-05-05T11:00}]\n")

    def changed() -> bool:
        with server.client() as client:
            return b"offer-mounted-live@" in client.get("/kalender/calendars/joint.ics").content
    assert wait_for(changed), server.output()


def _ask(app: object, *urls: str) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://kalender.test",
                                     timeout=20) as client:
            return [await client.get(url) for url in urls]
    return asyncio.run(run())


def test_a_token_written_into_the_data_opens_nothing(tmp_path: Path, oberberg: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    directory = copy_example(tmp_path / "net")
    settings = (directory / "network.yaml").read_text(encoding="utf-8")
    (directory / "network.yaml").write_text(
        settings.replace("partners: {env: KI_TEST_PARTNER_TOKEN}",
                         "partners: written-into-the-data-0123456789"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="ki_network.web"):
        app = create_app(directory, state=False, watch="off",
                         environ={"KI_TEST_INTERNAL_TOKEN": "internal-0123456789abcdef"})
    assert "never the token itself" in caplog.text
    assert "written-into-the-data" not in caplog.text
    refused, opened = _ask(
        app, "/calendars/joint.ics?audience=partners&token=written-into-the-data-0123456789",
        "/calendars/joint.ics?audience=partners&token=internal-0123456789abcdef")
    assert refused.status_code == 403
    assert opened.status_code == 200


def test_an_unset_variable_keeps_the_feeds_closed(tmp_path: Path, oberberg: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    directory = copy_example(tmp_path / "net")
    with caplog.at_level(logging.WARNING, logger="ki_network.web"):
        app = create_app(directory, state=False, watch="off", environ={})
    assert "KI_TEST_PARTNER_TOKEN is not set" in caplog.text
    (response,) = _ask(app, "/calendars/joint.ics?audience=partners&token=")
    assert response.status_code == 403


def test_invalid_data_at_start_is_an_error(tmp_path: Path, oberberg: Path) -> None:
    directory = copy_example(tmp_path / "net")
    with (directory / "offers.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n- id: broken\n  provider: nobody\n")
    with pytest.raises(DataError):
        create_app(directory, state=False, watch="off")


def test_serve_refuses_invalid_data_at_start(tmp_path: Path, oberberg: Path,
                                             cli: Callable[..., Any]) -> None:
    directory = copy_example(tmp_path / "net")
    with (directory / "offers.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n- id: broken\n  provider: nobody\n")
    done = cli("serve", directory, "--port", "1")  # never listens: the data is refused first
    assert done.code == 1
    assert "offers.yaml:" in done.stderr and "nobody" in done.stderr
