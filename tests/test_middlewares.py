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
