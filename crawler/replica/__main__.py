"""``python -m crawler.replica [--port N] [--fault HOST=KIND]``: serve in the foreground."""

from __future__ import annotations

import argparse
import threading

from .faults import FAULT_KINDS
from .server import REPLICA_HOSTS, ReplicaServer


def _fault(value: str) -> tuple[str, str]:
    host, sep, kind = value.partition("=")
    if not sep or host not in REPLICA_HOSTS or kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError(
            f"expected HOST=KIND with HOST in {REPLICA_HOSTS} and KIND in {sorted(FAULT_KINDS)}"
        )
    return host, kind


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.replica", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--fault", type=_fault, action="append", default=[], metavar="HOST=KIND")
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    server = ReplicaServer(faults=dict(args.fault), slow_seconds=args.slow_seconds, port=args.port)
    with server:
        print(f"Replica of {', '.join(REPLICA_HOSTS)} serving as HTTP proxy {server.proxy_url}")
        print(f"Try: curl -x {server.proxy_url} http://news.example/rss.xml")
        print(f"     curl -x {server.proxy_url} http://portal.example/rss/")
        print("Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
