"""Onboarding one site from its URL: fetch, detect the CMS family, find feeds, sitemaps, listings.

:func:`probe` returns a :class:`Probe` (what was found, plus warnings); the
``sites add`` command prints it and turns it into a registry entry. Every network
problem becomes a :class:`OnboardError` (one line) or a warning, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler import discovery, families
from crawler.extract.text import clean, decode_html, looks_binary
from crawler.families import Detection, Family, PageInfo
from crawler.webfetch import Fetched, Fetcher, FetchError

T = TypeVar("T")
MAX_FEEDS = 12
_HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml")
_GUESSED_FEEDS = ("/feed/", "/rss/", "/rss.xml", "/rss/home.rss")
_GUESSED_SITEMAPS = ("/sitemap.xml", "/wp-sitemap.xml")


class OnboardError(Exception):
    """The site cannot be onboarded; the message is one line."""


@dataclass
class Probe:
    """What ``sites add`` found about one site."""

    url: str
    base_url: str
    name: str
    detection: Detection
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    article_pattern: str | None = None
    article_id_pattern: str | None = None
    sample_articles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def family(self) -> Family:
        return families.get(self.detection.family)


def check_url(url: str) -> str:
    """The URL if it is http(s) with a host; :class:`OnboardError` otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"'{parts.scheme}://'" if parts.scheme else "no scheme"
        raise OnboardError(f"only http:// and https:// URLs can be added, got {shown}: {url}")
    if not parts.hostname:
        raise OnboardError(f"the URL has no host name: {url}")
    return url.strip()


def probe(url: str, fetcher: Fetcher) -> Probe:
    """Fetch the home page and robots.txt of ``url``'s site and find how to crawl it."""
    home = _fetch_home(check_url(url), fetcher)
    html = decode_html(home.body)[0]
    parts = urlsplit(home.url)
    base_url = f"{parts.scheme}://{parts.netloc}/"
    page = PageInfo(home.url, html, home.headers)
    result = Probe(url, base_url, _site_name(page.sel, parts.netloc), families.detect(page))
    robots_sitemaps = _robots(base_url, fetcher, result.warnings)
    samples: list[str] = []
    result.feeds = _feeds(page, result.family, fetcher, samples)
    result.sitemaps = _sitemaps(base_url, robots_sitemaps, result.family, fetcher, samples)
    result.listings = _listings(result, page)
    _article_patterns(result, samples)
    if not (result.feeds or result.sitemaps):
        result.warnings.append("no feed or sitemap found: only listing pages will be crawled")
    return result


def _fetch_home(url: str, fetcher: Fetcher) -> Fetched:
    try:
        home = fetcher.get(url)
    except FetchError as exc:
        raise OnboardError(str(exc)) from None
    if not home.ok:
        raise OnboardError(f"{url} answered HTTP {home.status}")
    if home.content_type not in _HTML_TYPES:
        raise OnboardError(f"{url} is not an HTML page (Content-Type: {home.content_type})")
    text = decode_html(home.body)[0]
    if looks_binary(text) or not re.search(r"<(html|body|head|a)\b", text[:200000], re.I):
        raise OnboardError(f"{url} is not an HTML page (no HTML markup in the body)")
    return home


def _site_name(sel: Selector, host: str) -> str:
    """``og:site_name``, else the longest part of ``<title>`` ("Trang chủ - <site>" -> site)."""
    name = clean(sel.css("meta[property='og:site_name']::attr(content)").get())
    if name:
        return name
    parts = re.split(r"\s+[|\-–—]\s+", clean(sel.css("title::text").get()) or "")
    return max(parts, key=len) or host


def _robots(base_url: str, fetcher: Fetcher, warnings: list[str]) -> list[str]:
    """``Sitemap:`` lines of robots.txt; problems with the file become warnings."""
    url = urljoin(base_url, "/robots.txt")
    try:
        got = fetcher.get(url)
    except FetchError as exc:
        warnings.append(f"robots.txt: {exc}")
        return []
    if got.status == 404:
        warnings.append("robots.txt: none (404); everything is allowed")
        return []
    if not got.ok:
        warnings.append(f"robots.txt: HTTP {got.status}; the crawler will retry it")
        return []
    text = decode_html(got.body)[0]
    if looks_binary(text) or re.search(r"<(html|body)\b", text[:2000], re.I):
        warnings.append("robots.txt: not a robots file (binary or HTML); ignored")
        return []
    rules = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    if any(r and ":" not in r for r in rules):
        warnings.append("robots.txt: has lines that are not 'field: value'; they are ignored")
    if _disallows_all(rules):
        warnings.append("robots.txt: disallows / for every agent; crawling needs robots_obey = false")
    found = [r.split(":", 1)[1].strip() for r in rules if r.lower().startswith("sitemap:")]
    return [urljoin(base_url, u) for u in found if u]


def _disallows_all(rules: list[str]) -> bool:
    agent_all = False
    for rule in rules:
        name, _, value = (part.strip() for part in rule.partition(":"))
        if name.lower() == "user-agent":
            agent_all = value == "*"
        elif agent_all and name.lower() == "disallow" and value == "/":
            return True
    return False


def _feeds(page: PageInfo, family: Family, fetcher: Fetcher, samples: list[str]) -> list[str]:
    """Feeds that parse and list items: advertised first, then the family's, then guesses."""
    sel = page.sel
    advertised = [
        urljoin(page.url, link.attrib.get("href", ""))
        for link in sel.css("link[rel~=alternate]")
        if link.attrib.get("type", "").lower() in _FEED_TYPES and "comment" not in link.attrib.get("href", "")
    ]
    candidates = advertised + [urljoin(page.url, p) for p in (*family.discovery.feeds, *_GUESSED_FEEDS)]
    directory = family.discovery.feed_directory
    if directory:
        candidates += _feed_directory(urljoin(page.url, directory), fetcher)
    found: list[str] = []
    for url in dict.fromkeys(c for c in candidates if discovery.same_site(c, page.url)):
        if len(found) >= MAX_FEEDS:
            break
        items = _fetch_xml(url, fetcher, discovery.feed_links)
        if items is not None and items[0] and items[1] not in found:
            found.append(items[1])
            samples.extend(items[0][:10])
    return found


def _feed_directory(url: str, fetcher: Fetcher) -> list[str]:
    """Per-category feed links on a feed directory page (NukeViet's ``/feeds/``)."""
    try:
        got = fetcher.get(url)
    except FetchError:
        return []
    if not got.ok:
        return []
    hrefs = Selector(text=decode_html(got.body)[0]).css("a[href*='/rss/']::attr(href)").getall()
    return [urljoin(got.url, h) for h in hrefs]


def _fetch_xml(url: str, fetcher: Fetcher, parse: Callable[[bytes, str], T]) -> tuple[T, str] | None:
    """``(parsed, final URL)`` when ``url`` answers 200 with XML that ``parse`` accepts."""
    try:
        got = fetcher.get(url)
    except FetchError:
        return None
    if not got.ok:
        return None
    try:
        return parse(got.body, got.url), got.url
    except discovery.FeedError:
        return None


def _sitemaps(
    base_url: str, from_robots: list[str], family: Family, fetcher: Fetcher, samples: list[str]
) -> list[str]:
    """Sitemaps that parse: robots.txt's first, then the family's, then the usual places."""
    usual = (*family.discovery.sitemaps, *_GUESSED_SITEMAPS)
    candidates = from_robots + [urljoin(base_url, p) for p in usual]
    found: list[str] = []
    for url in dict.fromkeys(candidates):
        result = _fetch_xml(url, fetcher, discovery.sitemap_entries)
        if result is None or result[1] in found or not result[0].urls:
            continue
        found.append(result[1])
        sitemap = result[0]
        if sitemap.is_index:
            child = _fetch_xml(_article_child(sitemap.urls), fetcher, discovery.sitemap_entries)
            sitemap = child[0] if child else discovery.SitemapResult(False, [])
        if not samples:  # feed items are better samples than a sitemap's first pages
            samples.extend(sitemap.urls[:20])
    return found


def _article_child(urls: list[str]) -> str:
    """The child sitemap of an index most likely to list articles."""
    for hint in ("posts-post", "news", "post", "article", "tin-tuc"):
        for url in urls:
            if hint in url:
                return url
    return urls[0]


def _listings(result: Probe, page: PageInfo) -> list[str]:
    """The home page, plus NukeViet category pages (from their feeds) or the Liferay news page."""
    listings = ["/"]
    for feed in result.feeds:
        path = urlsplit(feed).path
        match = re.fullmatch(r"/rss/([a-z0-9-]+)/", path)
        if result.detection.family == "nukeviet" and match:
            listings.append(f"/{match[1]}/")
        match = re.fullmatch(r"(/.+)/-/asset_publisher/\w+/rss", path)
        if match:
            listings.append(match[1])
    return list(dict.fromkeys(listings))


def _article_patterns(result: Probe, samples: list[str]) -> None:
    """The family's article pattern when it fits what feeds and sitemaps list, else an inferred one."""
    samples = [u for u in dict.fromkeys(samples) if discovery.same_site(u, result.base_url)]
    result.sample_articles = samples[:5]
    pattern = result.family.discovery.article_pattern or infer_article_pattern(samples)
    if pattern and samples and _coverage(pattern, samples) < 0.8:
        result.warnings.append(f"article pattern {pattern!r} matches few listed URLs; left unset")
        pattern = None
    result.article_pattern = pattern
    result.article_id_pattern = result.family.discovery.article_id_pattern


def _coverage(pattern: str, urls: list[str]) -> float:
    paths = [urlsplit(u).path for u in urls]
    article_like = [p for p in paths if p.count("/") >= 2 or p.endswith((".html", ".htm"))]
    if not article_like:
        return 0.0
    return sum(1 for p in article_like if re.search(pattern, p)) / len(article_like)


def infer_article_pattern(urls: list[str]) -> str | None:
    """``^/bai/[^/]+\\.html$`` when the URLs share a first path segment and an extension."""
    paths = [urlsplit(u).path for u in urls if urlsplit(u).path.count("/") >= 2]
    if len(paths) < 3:
        return None
    firsts = {p.split("/")[1] for p in paths}
    exts = {re.search(r"(\.[a-z]+)?$", p)[0] for p in paths}  # type: ignore[index]
    depth = {p.count("/") for p in paths}
    if len(firsts) != 1 or len(exts) != 1 or len(depth) != 1:
        return None
    ext = exts.pop()
    middle = "/[^/]+" * (depth.pop() - 2)
    return f"^/{re.escape(firsts.pop())}{middle}/[^/]+{re.escape(ext)}$"
