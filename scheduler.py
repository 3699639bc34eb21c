"""provnews scheduler entry point (APScheduler 3.x).

Not implemented yet: the scheduled refresh (one BlockingScheduler process running each
crawl in its own child process) is tracked in the scheduler issue. Until then, run
`provnews crawl --all` from cron or a systemd timer.
"""

import sys


def main() -> int:
    print("provnews scheduler: not implemented yet; run `provnews crawl --all` from cron "
          "or a systemd timer for now", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
