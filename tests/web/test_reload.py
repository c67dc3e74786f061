"""Live data: edits are served without a restart, a broken edit never is, and a request
during an edit sees one whole version."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import icalendar
import pytest

from .conftest import TIMEOUT, Server, wait_for

JOINT = "/calendars/joint.ics"


def _new_offer(number: int) -> str:
    return f"""
- id: live-offer-{number}
  title: Neues Angebot Nummer {number}
  provider: ki-oberberg
  topic: counselling
  target_groups: [adults]
  municipality: Wiehl
  schedule:
    - {{start: 2026-04-0{number}T15:00, end: 2026-04-0{number}T16:00}}
  visibility: public
"""


def _append(directory: Path, text: str) -> None:
    with (directory / "offers.yaml").open("a", encoding="utf-8") as handle:
        handle.write(text)


def _feed(server: Server) -> bytes:
    with server.client() as client:
        response = client.get(JOINT)
        assert response.status_code == 200
        return response.content


def _health(server: Server) -> dict[str, object]:
    with server.client() as client:
        body: dict[str, object] = client.get("/healthz").json()
        return body


@pytest.mark.parametrize("args", [(), ("--watch", "poll", "--poll-interval", "0.2")],
                         ids=["watchfiles", "polling"])
def test_an_edit_is_served_without_a_restart(start_server: Callable[..., Server],
                                             args: tuple[str, ...]) -> None:
    server = start_server(*args)
    with server.client() as client:
        before = client.get(JOINT)
    assert b"live-offer-1@" not in before.content
    _append(server.directory, _new_offer(1))
    assert wait_for(lambda: b"live-offer-1@" in _feed(server)), server.output()
    assert _health(server)["version"] == 2
    with server.client() as client:  # the old ETag is stale now
        again = client.get(JOINT, headers={"If-None-Match": before.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != before.headers["etag"]


def test_a_broken_edit_keeps_the_last_good_version(start_server: Callable[..., Server]) -> None:
    server = start_server()
    good = _feed(server)
    offers = server.directory / "offers.yaml"
    original = offers.read_text(encoding="utf-8")
    # an offer of an actor that does not exist, and a file cut off in the middle
    offers.write_text(original + _new_offer(2).replace("ki-oberberg", "no-such-actor")
                      + "\n- id: cut-off\n  title: [unclosed", encoding="utf-8")
    assert wait_for(lambda: _health(server)["stale"] is True), server.output()
    assert _feed(server) == good  # the whole last good calendar, not an empty or half one
    health = _health(server)
    assert health["version"] == 1 and "problem" in str(health["error"])
    assert "offers.yaml" in server.output()  # each problem is logged with its place
    offers.write_text(original + _new_offer(3), encoding="utf-8")  # repaired
    assert wait_for(lambda: b"live-offer-3@" in _feed(server)), server.output()
    assert _health(server)["stale"] is False


def test_an_edit_under_load_never_shows_half_a_calendar(
        start_server: Callable[..., Server]) -> None:
    server = start_server()
    first = _feed(server)
    seen: list[bytes] = []
    failures: list[str] = []
    done = threading.Event()

    def edit() -> None:
        for number in (4, 5):
            time.sleep(0.8)
            _append(server.directory, _new_offer(number))
            wait_for(lambda n=number: f"live-offer-{n}@".encode() in _feed(server), 20)
        time.sleep(0.5)
        done.set()

    async def client() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as session:
            for _ in range(2000):  # bounded; stops when the edits are done
                if done.is_set():
                    return
                try:
                    response = await session.get(JOINT)
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                if response.status_code != 200:
                    failures.append(str(response.status_code))
                seen.append(response.content)

    async def load() -> None:
        await asyncio.gather(*(client() for _ in range(8)))

    editor = threading.Thread(target=edit)
    editor.start()
    asyncio.run(asyncio.wait_for(load(), 60))
    editor.join(timeout=60)
    assert failures == []
    versions = {body: len(icalendar.Calendar.from_ical(body).walk("VEVENT"))
                for body in set(seen)}
    # only whole versions: the one before, one per edit (each one event more)
    base = len(icalendar.Calendar.from_ical(first).walk("VEVENT"))
    assert first in versions and len(versions) == 3, sorted(versions.values())
    assert sorted(versions.values()) == [base, base + 1, base + 2]
    assert all(body.endswith(b"END:VCALENDAR\r\n") for body in versions)
    assert len(seen) > 50
