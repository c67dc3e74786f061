"""The index page and the report as a person sees them: served by the real server and
opened in a headless Chromium (the pattern of ``tests/report/test_browser.py``): no console
messages, and every subscribe link is a ``webcal://`` URL of a feed that exists."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from ..conftest import ARTIFACTS, browse
from .conftest import PARTNER_TOKEN, Server

pytestmark = pytest.mark.browser


def _subscribe_links(dom: str) -> list[str]:
    return [html.unescape(link) for link in re.findall(r'href="(webcal://[^"]+)"', dom)]


def test_index_page_links_feeds_that_exist(chromium: str, server: Server,
                                           tmp_path: Path) -> None:
    dom, console = browse(chromium, tmp_path / "profile", "--dump-dom", server.url + "/")
    assert console == []
    assert '<html lang="de">' in dom and "Kalender abonnieren" in dom
    links = _subscribe_links(dom)
    assert len(links) > 20  # the joint feed, municipalities, actors
    assert f"webcal://127.0.0.1:{server.port}/calendars/joint.ics" in links
    assert f"webcal://127.0.0.1:{server.port}/municipalities/Waldbr%C3%B6l.ics" in links
    copyable = [html.unescape(v) for v in re.findall(r'value="(http://[^"]+)"', dom)]
    assert copyable == [link.replace("webcal://", "http://", 1) for link in links]
    with server.client() as client:
        for link in links:
            response = client.head(link.replace("webcal://", "http://", 1))
            assert response.status_code == 200, link
            assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "servicestelle-antidiskriminierung" not in dom  # partner-only: not for the public
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "serve-index.png"
    _, console = browse(chromium, tmp_path / "profile", f"--screenshot={shot}",
                        "--window-size=1280,1600", "--hide-scrollbars", server.url + "/")
    assert console == [] and shot.stat().st_size > 10_000


def test_the_partners_index_links_feeds_with_the_token(chromium: str, server: Server,
                                                       tmp_path: Path) -> None:
    url = f"{server.url}/?audience=partners&token={PARTNER_TOKEN}"
    dom, console = browse(chromium, tmp_path / "profile", "--dump-dom", url)
    assert console == []
    links = _subscribe_links(dom)
    partner_feed = (f"webcal://127.0.0.1:{server.port}/actors/servicestelle-antidiskriminierung"
                    f".ics?audience=partners&token={PARTNER_TOKEN}")
    assert partner_feed in links
    with server.client() as client:
        for link in links:
            assert client.head(link.replace("webcal://", "http://", 1)).status_code == 200


def test_report_renders_without_console_messages(chromium: str, server: Server,
                                                 tmp_path: Path) -> None:
    dom, console = browse(chromium, tmp_path / "profile", "--dump-dom", server.url + "/report")
    assert console == []
    assert '<html lang="de">' in dom
    for element_id in ("network-map-svg", "coverage-heatmap-svg", "week-calendar"):
        assert f'id="{element_id}"' in dom, element_id
    assert "servicestelle-antidiskriminierung" not in dom  # the public report
