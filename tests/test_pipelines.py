"""Pure parts of the store pipeline: run status and the crawl report."""

from __future__ import annotations

import os

import pytest

from pipelines.store import crawl_report, run_status


@pytest.mark.parametrize(
    ("fetched", "failed", "discovered", "not_modified", "expected"),
    [
        (10, 0, 10, 0, "ok"),
        (10, 2, 12, 0, "partial"),
        (0, 5, 0, 0, "failed"),  # everything answered 500
        (0, 0, 0, 0, "failed"),  # discovery found nothing at all: a broken layout
        (0, 0, 0, 3, "ok"),  # an unchanged site: feeds and listings said 304
        (0, 0, 25, 0, "ok"),  # every article known and not due
        (12, 0, 0, 0, "ok"),  # only revisits of stored articles
    ],
    ids=["ok", "partial", "all-errors", "nothing-found", "not-modified", "all-known", "revisits-only"],
)
def test_run_status(fetched: int, failed: int, discovered: int, not_modified: int, expected: str):
    assert run_status(fetched, failed, discovered, not_modified) == expected


def test_crawl_report_groups_stats_by_channel_and_status():
    stats = {
        "provnews/discovered/feed": 30, "provnews/discovered/listing": 5,
        "provnews/requests/feed": 1, "provnews/not_modified/sitemap": 2,
        "downloader/response_status_count/200": 40, "downloader/response_status_count/304": 2,
        "downloader/request_count": 42, "provnews/skipped_known": 20,
    }
    report = crawl_report(stats)
    assert report["discovered_by_channel"] == {"feed": 30, "listing": 5}
    assert report["http_status_counts"] == {"200": 40, "304": 2}
    assert report["not_modified_by_channel"] == {"sitemap": 2}
    assert (report["requests"], report["skipped_known"], report["revisits"]) == (42, 20, 0)


def test_the_sites_of_one_crawl_process_share_one_worker_pool():
    """A crawl of many sites runs one pool of PROVNEWS_WORKERS processes, not one per site."""
    from pipelines.store import WorkerPool

    first = WorkerPool.acquire(1, False)
    second = WorkerPool.acquire(3, False)  # the process's pool already exists: same one
    assert first is second
    assert len({first.submit(os.getpid).result() for _ in range(4)}) == 1  # one worker process
    WorkerPool.release()
    assert WorkerPool._pool is first  # still used by the other site
    WorkerPool.release()
    assert WorkerPool._pool is None


def test_workers_run_at_lower_priority_than_the_crawl_process():
    """PROVNEWS_WORKER_NICE: the workers yield the CPU to the crawl process that feeds them."""
    from pipelines.store import WorkerPool

    pool = WorkerPool.acquire(1, False, 5)
    try:
        assert pool.submit(os.nice, 0).result() == min(os.nice(0) + 5, 19)
    finally:
        WorkerPool.release()


def test_the_crawl_process_does_not_load_numpy():
    """Only the extraction workers compute sketches; numpy costs each process ~20 MB."""
    import subprocess
    import sys

    code = ("import sys, crawler.cli, crawler.cli.crawl, crawler.runner, pipelines.store; "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_batch_lost_with_its_worker_is_recorded_page_by_page():
    """A worker that dies mid-batch: every page of that batch becomes a recorded failure
    (not stored, so the next crawl fetches it again); other batches are counted as usual."""
    from collections import Counter
    from concurrent.futures import Future

    from scrapy.utils.test import get_crawler

    from crawler.batch import BatchResult
    from crawler.workers import WorkerDied
    from pipelines.store import StoreArticlePipeline

    pipeline = object.__new__(StoreArticlePipeline)  # the bookkeeping only: no database
    pipeline.crawler = get_crawler()
    pipeline.outcomes, pipeline.store_failures = Counter(), []
    lost: Future[BatchResult] = Future()
    lost.set_exception(WorkerDied("a worker process exited during a job (exit code -9)"))
    done: Future[BatchResult] = Future()
    done.set_result(BatchResult(outcomes=Counter(new=2)))
    pipeline.in_flight = [(lost, ["http://a/1", "http://a/2"]), (done, ["http://a/3", "http://a/4"])]
    pipeline._drain()
    assert pipeline.in_flight == []
    assert [(f["url"], f["kind"]) for f in pipeline.store_failures] == [
        ("http://a/1", "worker_error"), ("http://a/2", "worker_error")]
    assert "exit code -9" in pipeline.store_failures[0]["message"]
    assert pipeline.outcomes["new"] == 2
    assert pipeline.crawler.stats.get_value("provnews/errors/worker_error") == 2


def test_the_crawl_process_freezes_its_start_up_objects():
    """Before the reactor runs, start-up objects leave the collector's walks (GC took ~11 %
    of the crawl process's CPU at 20,000 pages); the thresholds stay (memory)."""
    import gc

    from crawler.runner import _freeze_gc

    before = gc.get_threshold()
    try:
        _freeze_gc()
        assert gc.get_freeze_count() > 10_000  # the imported modules' objects, at least
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
