"""provnews scheduler entry point: ``python scheduler.py [OPTIONS]`` is
``provnews schedule run [OPTIONS]`` (see ``--help`` and docs/deployment.md).

One dedicated APScheduler 3.x process (BlockingScheduler, Asia/Ho_Chi_Minh) that crawls
every registry site on its schedule, each crawl in its own child process.
"""

import sys

from crawler.cli.schedule import schedule_run


def main() -> int:
    schedule_run.main(prog_name="scheduler.py")  # click exits with the command's code
    return 0


if __name__ == "__main__":
    sys.exit(main())
