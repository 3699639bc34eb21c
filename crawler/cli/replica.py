"""``provnews replica``: the bundled replica sites, for trying provnews offline."""

from __future__ import annotations

import threading

import click


@click.group()
def replica() -> None:
    """The local replica of a NukeViet portal and a news site."""


@replica.command()
@click.option("--port", type=int, default=0, show_default=True, help="Port (0: a free one).")
def serve(port: int) -> None:
    """Serve the replica sites as an HTTP proxy on 127.0.0.1 until interrupted."""
    from crawler.replica import REPLICA_HOSTS, ReplicaServer

    with ReplicaServer(port=port) as server:
        click.echo(f"replica proxy: {server.proxy_url}  (hosts: {', '.join(REPLICA_HOSTS)})")
        click.echo(f"try: curl -x {server.proxy_url} http://portal.example/rss/")
        click.echo("crawl through it: provnews crawl portal_example "
                   f"-s 'PROVNEWS_HOST_MAP={{\"portal.example\": \"{server.proxy_url}\"}}'")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")
