"""Retry backoff and the user agent."""

from __future__ import annotations

import pytest

from crawler.middlewares import backoff_delay
from crawler.runner import build_settings


@pytest.mark.parametrize(
    ("retry", "expected"), [(0, 0.0), (1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)],
    ids=["not-a-retry", "first", "second", "third", "capped"],
)
def test_backoff_doubles_and_is_capped(retry: int, expected: float) -> None:
    assert backoff_delay(retry, base=2.0, cap=60.0) == expected


def test_backoff_off_when_base_is_zero() -> None:
    assert backoff_delay(3, base=0, cap=60) == 0.0


def test_prod_settings_are_polite() -> None:
    settings = build_settings("prod")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert "BackoffRetryMiddleware" in str(settings.getdict("DOWNLOADER_MIDDLEWARES"))


def test_user_agent_names_the_contact() -> None:
    settings = build_settings("dev", {"PROVNEWS_CONTACT": "ops@example.org"})
    assert settings.get("USER_AGENT").startswith("provnews/")
    assert "ops@example.org" in settings.get("USER_AGENT")


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown environment"):
        build_settings("staging")


def test_site_overrides_reach_the_crawl_settings():
    from dataclasses import replace

    from crawler.registry import load_registry
    from crawler.runner import site_settings

    site = replace(load_registry()["portal_example"], concurrency=1, download_delay=2.5,
                   robots_obey=False, robots_reason="the portal's robots.txt blocks /news by mistake")
    settings = site_settings(build_settings("prod"), site)
    assert settings.getbool("ROBOTSTXT_OBEY") is False
    assert settings.getdict("DOWNLOAD_SLOTS")["portal.example"] == {"concurrency": 1, "delay": 2.5}
    assert build_settings("prod").getbool("ROBOTSTXT_OBEY") is True  # the base is untouched


def _meta_refresh_outcomes(bodies: list[tuple[bytes, dict]]) -> list[tuple[str, str | None]]:
    """What provnews' and Scrapy's meta-refresh middlewares make of each body."""
    from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as Scrapys
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import MetaRefreshMiddleware as Ours

    crawler = get_crawler()
    ours, scrapys = Ours.from_crawler(crawler), Scrapys.from_crawler(crawler)
    out = []
    for body, headers in bodies:
        request = Request("https://portal.example/tin-tuc/a-1.html")
        got = []
        for mw in (ours, scrapys):
            response = HtmlResponse(request.url, body=body, headers=headers, request=request)
            result = mw.process_response(request, response)
            got.append(result.url if isinstance(result, Request) else None)
        out.append((got[0], got[1]))
    return out


def test_meta_refresh_redirects_as_scrapys_own_middleware_does():
    refresh = '<meta http-equiv="{}" content="0; url=/tin-tuc/moi-2.html">'
    head = "<html><head><meta charset='{}'>" + refresh + "</head><body>Tin mới</body></html>"
    cases = [
        (head.format("utf-8", "refresh").encode(), {}),
        (head.format("utf-8", "REFRESH").encode(), {}),  # any case
        (head.format("windows-1258", "Refresh").replace("ớ", "ơ\u0301").encode("cp1258"), {}),
        ("\ufeff".encode("utf-16-le") + head.format("utf-16", "refresh").encode("utf-16-le"), {}),
        (head.format("utf-8", "refresh").encode("utf-16"), {b"Content-Type": b"text/html; charset=utf-16"}),
        # too late: after the first 4,096 characters
        (("<html><body>" + "ờ" * 5000 + refresh.format("refresh") + "</body></html>").encode(), {}),
        (("<p>" + "x" * 4000 + refresh.format("refresh")).encode(), {}),  # within 4,096 characters
        (b"<html><head><title>Tin</title></head><body>no redirect here</body></html>", {}),
        (b"<html><head><meta http-equiv='refresh' content='30'></head></html>", {}),  # reload only
    ]
    outcomes = _meta_refresh_outcomes(cases)
    assert [ours for ours, _ in outcomes] == [scrapys for _, scrapys in outcomes]
    assert outcomes[0][0] == "https://portal.example/tin-tuc/moi-2.html"
    assert sum(1 for ours, _ in outcomes if ours) == 6  # the cases above that redirect


def test_meta_refresh_agrees_with_scrapy_on_real_pages():
    from pathlib import Path

    pages = sorted(Path(__file__).parent.joinpath("fixtures").rglob("*.html"))
    assert len(pages) > 50
    outcomes = _meta_refresh_outcomes([(p.read_bytes(), {}) for p in pages])
    assert all(ours == scrapys for ours, scrapys in outcomes)
