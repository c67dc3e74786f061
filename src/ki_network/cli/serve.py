"""``serve``: publish the joint calendars as subscribable feeds (needs ``ki-network[serve]``)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import click

from ._common import command, directory_argument

_TOKEN = re.compile(r"(?i)(token=)[^&\s\"]*")


class _RedactTokens(logging.Filter):
    """Access log lines show ``token=…`` instead of the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN.sub(r"\1…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


@command("serve")
@directory_argument
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; prefer a reverse proxy).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--public-url", metavar="URL",
              help="The URL people reach the server at (for the index page's links); "
                   "default: from each request.")
@click.option("--root-path", default="", metavar="PATH",
              help="Path prefix a reverse proxy strips, e.g. /kalender.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies whose X-Forwarded-Proto/-For headers are trusted ('*': any).")
@click.option("--watch", "watch", type=click.Choice(["auto", "poll", "off"]), default="auto",
              show_default=True,
              help="Pick up edits of DIR: auto (watchfiles, else polling), poll, off.")
@click.option("--poll-interval", default=2.0, show_default=True, type=click.FloatRange(0.05),
              help="Seconds between two scans of DIR when polling.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SEQUENCE/LAST-MODIFIED memory (default: DIR/.ki-network/"
                   "calendar-state.json, shared with `ki-network calendar`).")
@click.option("--no-state", is_flag=True,
              help="Keep SEQUENCE in memory only (clients may then miss edits after a restart).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True)
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request (tokens in URLs are replaced by …).")
def serve_command(  # noqa: PLR0917 - click passes the options by position
        directory: str, host: str, port: int, public_url: str | None,
                  root_path: str, forwarded_allow_ips: str, watch: str, poll_interval: float,
                  state_path: Path | None, no_state: bool, log_level: str,
                  access_log: bool) -> None:
    """Serve the joint calendars of DIR for subscription (webcal/https), with an index page,
    the HTML report and a health check; edits of DIR are served without a restart.

    Partners' and internal feeds need a token, configured in network.yaml by the name of an
    environment variable (see docs/serve.md).  Stop with Ctrl+C.
    """
    try:
        import uvicorn  # noqa: PLC0415 - the extra is optional

        from ..web import create_app  # noqa: PLC0415
    except ImportError as exc:
        raise click.ClickException(
            f"ki-network serve needs the extra: pip install 'ki-network[serve]' ({exc})"
        ) from exc
    level = getattr(logging, log_level.upper())
    logging.basicConfig(level=level, format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("ki_network").setLevel(level)
    state: bool | Path = False if no_state else (state_path or True)
    try:
        app: Any = create_app(directory, state=state, watch=watch,  # type: ignore[arg-type]
                              poll_interval=poll_interval, public_url=public_url)
    except ValueError as exc:  # an unreadable state file
        raise click.ClickException(str(exc)) from exc
    logging.getLogger("uvicorn.access").addFilter(_RedactTokens())
    click.echo(f"serving {Path(directory).resolve()} on http://{host}:{port}{root_path}/",
               err=True)
    uvicorn.run(app, host=host, port=port, root_path=root_path, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, log_level=log_level,
                access_log=access_log, server_header=False)
