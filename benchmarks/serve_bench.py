"""Load benchmark of ``ki-network serve`` against a plain Starlette endpoint, on loopback.

Usage:  python benchmarks/serve_bench.py [--clients 200] [--requests 50] [--repeat 3]

Starts two servers on 127.0.0.1 in child processes, both uvicorn with the same settings
(httptools, uvloop where installed, no access log, one worker):

* ``ki-network serve`` on a copy of ``examples/oberberg``;
* a plain Starlette application whose one endpoint returns the bytes of the served joint
  feed (read from the first server), ``Response(body, media_type="text/calendar")``.

This process is the load: CLIENTS keep-alive connections, each sending REQUESTS requests one
after another (a small asyncio protocol: httpx itself would be slower than the servers).
Cases, alternating REPEAT times, the fastest run of each reported:

* plain Starlette, the same bytes as the full feed;
* full feed ``/calendars/joint.ics`` (identity and gzip);
* a filtered feed ``?municipality=Waldbröl&target_group=parents``;
* a 304 revalidation (``If-None-Match``) of the full feed;
* the full feed while the data directory is edited twice: every response must be a 200
  with a whole calendar of one of the three versions.

Every run is bounded: CLIENTS × REQUESTS requests, at most ``--timeout`` seconds; the
servers are stopped at the end.  Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "oberberg"
HOST = "127.0.0.1"  # loopback only

PLAIN_APP = '''
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(sys.argv[1]).read_bytes()


async def feed(request):
    return Response(BODY, media_type="text/calendar; charset=utf-8")


app = Starlette(routes=[Route("/calendars/joint.ics", feed), Route("/healthz", feed)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
'''

NEW_OFFER = """
- id: bench-edit-{n}
  title: Neues Angebot {n}
  provider: ki-oberberg
  topic: counselling
  municipality: Wiehl
  schedule: [{{start: 2026-05-0{n}T10:00, end: 2026-05-0{n}T11:00}}]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start(command: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            problem = process.stderr.read() if process.stderr else b""
            raise RuntimeError(f"server stopped: {problem!r}")
        with contextlib.suppress(OSError), urllib.request.urlopen(
                f"http://{HOST}:{port}/healthz", timeout=2):
            return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not come up")


def fetch(port: int, path: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=10) as response:
        return response.read(), response.headers["ETag"] or ""


@dataclass
class Tally:
    """What the clients of one run saw."""

    latencies: list[float] = field(default_factory=list)
    bodies: Counter[int] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0


@dataclass
class Result:
    name: str
    seconds: float
    tally: Tally

    @property
    def errors(self) -> int:
        return self.tally.errors

    @property
    def rps(self) -> float:
        return len(self.tally.latencies) / self.seconds

    def quantile(self, q: float) -> float:
        latencies = sorted(self.tally.latencies)
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000


@dataclass
class Case:
    name: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    check: Callable[[bytes], bool] | None = None


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that reads responses without copying bodies it
    does not need (the load generator must cost less than the servers it measures)."""

    def __init__(self, keep_body: bool) -> None:
        self.keep_body = keep_body
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.left = -1  # body bytes still to come; -1: reading the head
        self.status = 0
        self.chunks: list[bytes] = []
        self.done: asyncio.Future[tuple[int, bytes]] | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment] - uvloop's is no subclass

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost = exc or ConnectionResetError("closed by the server")
        if self.done is not None and not self.done.done():
            self.done.set_exception(self.lost)

    def ask(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        self.done = asyncio.get_running_loop().create_future()
        if self.lost is not None or self.transport is None:
            self.done.set_exception(self.lost or ConnectionError("not connected"))
        else:
            self.transport.write(request)
        return self.done

    def data_received(self, data: bytes) -> None:
        if self.left < 0:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head, data = self.head[:end], self.head[end + 4:]
            self.head = b""
            self.status = int(head[9:12])
            self.left = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    self.left = int(line[15:])
            self.chunks = []
        take = data[:self.left]
        if self.keep_body:
            self.chunks.append(take)
        self.left -= len(take)
        if self.left == 0 and self.done is not None and not self.done.done():
            self.left = -1
            self.done.set_result((self.status, b"".join(self.chunks)))


async def _client(case: Case, request: bytes, count: int, start_line: asyncio.Event,
                  tally: Tally) -> None:
    loop = asyncio.get_running_loop()
    transport, connection = await loop.create_connection(
        lambda: _Connection(case.check is not None), HOST, case.port)
    await start_line.wait()
    try:
        for _ in range(count):
            began = time.perf_counter()
            status, body = await connection.ask(request)
            tally.latencies.append(time.perf_counter() - began)
            tally.statuses[status] += 1
            if status not in (200, 304) or (case.check is not None and not case.check(body)):
                tally.errors += 1
            if case.check is not None:
                tally.bodies[hash(body)] += 1
    except (OSError, ValueError):
        tally.errors += 1
    finally:
        transport.close()


async def _run(case: Case, args: argparse.Namespace,
               during: Callable[[], object] | None = None) -> Result:
    lines = [f"GET {case.path} HTTP/1.1", f"Host: {HOST}:{case.port}", "User-Agent: bench",
             *(f"{k}: {v}" for k, v in case.headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    tally = Tally()
    start_line = asyncio.Event()
    tasks = [asyncio.ensure_future(_client(case, request, args.requests, start_line, tally))
             for _ in range(args.clients)]
    await asyncio.sleep(0.5)  # connections open before the clock starts
    began = time.perf_counter()
    start_line.set()
    side = asyncio.ensure_future(asyncio.to_thread(during)) if during else None
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), args.timeout)
    except TimeoutError:
        tally.errors += args.clients * args.requests - len(tally.latencies)
    seconds = time.perf_counter() - began
    if side is not None:
        await side
    return Result(case.name, seconds, tally)


def run(case: Case, args: argparse.Namespace,
        during: Callable[[], object] | None = None) -> Result:
    return asyncio.run(_run(case, args, during))


def whole_calendar(body: bytes) -> bool:
    return body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run, at most")
    args = parser.parse_args()
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    data = work / "oberberg"
    shutil.copytree(EXAMPLE, data, ignore=shutil.ignore_patterns(".ki-network"))
    ours_port, plain_port = free_port(), free_port()
    servers = []
    try:
        servers.append(start([sys.executable, "-m", "ki_network", "serve", str(data), "--host",
                              HOST, "--port", str(ours_port), "--no-access-log", "--log-level",
                              "warning"], ours_port))
        body, etag = fetch(ours_port, "/calendars/joint.ics")
        (work / "joint.ics").write_bytes(body)
        (work / "plain.py").write_text(PLAIN_APP, encoding="utf-8")
        servers.append(start([sys.executable, str(work / "plain.py"), str(work / "joint.ics"),
                              str(plain_port)], plain_port))
        filtered = "/calendars/joint.ics?municipality=Waldbr%C3%B6l&target_group=parents"
        filtered_body, _ = fetch(ours_port, filtered)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"full feed {len(body):,} bytes, filtered {len(filtered_body):,} bytes; "
              f"{args.clients} clients x {args.requests} requests per run")
        cases = [
            Case("plain Starlette, same bytes", plain_port, "/calendars/joint.ics"),
            Case("ki-network: full feed", ours_port, "/calendars/joint.ics"),
            Case("ki-network: full feed, gzip", ours_port, "/calendars/joint.ics",
                 {"Accept-Encoding": "gzip"}),
            Case("ki-network: filtered feed", ours_port, filtered),
            Case("ki-network: 304 revalidation", ours_port, "/calendars/joint.ics",
                 {"If-None-Match": etag}),
        ]
        best: dict[str, Result] = {}
        for _ in range(args.repeat):
            for case in cases:
                result = run(case, args)
                if case.name not in best or result.rps > best[case.name].rps:
                    best[case.name] = result
        print(f"\nfastest of {args.repeat} runs each, load average after: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("| case | requests/s | p50 ms | p99 ms | errors |")
        print("|---|---|---|---|---|")
        for name, result in best.items():
            print(f"| {name} | {result.rps:,.0f} | {result.quantile(0.5):.1f} | "
                  f"{result.quantile(0.99):.1f} | {result.errors} |")
        plain, ours = best[cases[0].name], best[cases[1].name]
        print(f"\nfull feed / plain Starlette, time per request: {plain.rps / ours.rps:.2f}x")

        def edit() -> None:
            for n in (1, 2):
                time.sleep(1.0)
                with (data / "offers.yaml").open("a", encoding="utf-8") as handle:
                    handle.write(NEW_OFFER.format(n=n))

        edited = run(Case("full feed while the data is edited twice", ours_port,
                          "/calendars/joint.ics", check=whole_calendar), args, during=edit)
        print(f"\n| {edited.name} | {edited.rps:,.0f} | {edited.quantile(0.5):.1f} | "
              f"{edited.quantile(0.99):.1f} | {edited.errors} |")
        print(f"statuses {dict(edited.tally.statuses)}; distinct whole calendars seen: "
              f"{len(edited.tally.bodies)} (requests per version: "
              f"{sorted(edited.tally.bodies.values())})")
        final, _ = fetch(ours_port, "/calendars/joint.ics")
        print(f"events before {body.count(b'BEGIN:VEVENT')}, after {final.count(b'BEGIN:VEVENT')}")
    finally:
        for process in servers:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            if process.poll() is None:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
