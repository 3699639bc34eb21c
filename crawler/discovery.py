"""Pure functions that find article URLs in listing pages, feeds and sitemaps.

No Scrapy here: each function takes text or bytes plus the page URL and returns URLs,
so the same code serves the spider, ``sites check`` and tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

_NEXT_TEXTS = ("trang sau", "tiếp", "next", "»", "›", ">>")


class FeedError(ValueError):
    """A feed or sitemap could not be parsed; the message says why in one line."""


@dataclass(frozen=True)
class SitemapResult:
    """A parsed sitemap: either an index of child sitemaps or a list of page URLs."""

    is_index: bool
    urls: list[str]
    lastmods: dict[str, datetime] = field(default_factory=dict)
    """``<lastmod>`` of the URLs that have a parseable, timezone-aware one."""


_TRACKING = re.compile(
    r"^(utm_[a-z]+|fbclid|gclid|zarsrc|gidzl|_ga|mc_[a-z]+|phpsessid|jsessionid|sid|sessionid)$", re.I
)


def normalize_url(url: str) -> str:
    """Drop the fragment, tracking parameters (utm_*, fbclid, Zalo's zarsrc/gidzl...) and
    session ids (query or ``;jsessionid=``), and lower-case scheme and host."""
    parts = urlsplit(url.strip())
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.I) or "/"
    query = "&".join(
        pair for pair in parts.query.split("&")
        if pair and not _TRACKING.match(pair.split("=", 1)[0])
    )
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def same_site(url: str, base_url: str) -> bool:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    base = (urlsplit(base_url).hostname or "").removeprefix("www.")
    return bool(host) and host == base


def is_article_url(url: str, pattern: str | None) -> bool:
    """True when the URL's path matches the site's article pattern (any path if None)."""
    path = urlsplit(url).path
    if pattern is None:
        return path.endswith((".html", ".htm", ".aspx")) and path.count("/") >= 1
    return re.search(pattern, path) is not None


def article_identity(url: str, id_pattern: str | None) -> str:
    """What makes two article URLs the same article: the id in the URL when the site's
    family puts one there, else the normalised URL itself."""
    if id_pattern:
        match = re.search(id_pattern, urlsplit(url).path)
        if match:
            return f"id:{match.group(1)}"
    return normalize_url(url)


def as_selector(html: str | Selector) -> Selector:
    """The page as a selector: ``html`` itself when it is one already (a response's
    ``selector``, parsed once for all of a listing page's lookups)."""
    return html if isinstance(html, Selector) else Selector(text=html)


def article_links(html: str | Selector, page_url: str, pattern: str | None) -> list[str]:
    """Article URLs linked from a listing page, in page order, without duplicates."""
    sel = as_selector(html)
    seen: dict[str, None] = {}
    for href in sel.css("a::attr(href)").getall():
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = normalize_url(urljoin(page_url, href))
        if same_site(url, page_url) and is_article_url(url, pattern):
            seen.setdefault(url, None)
    return list(seen)


def next_page(html: str | Selector, page_url: str) -> str | None:
    """The URL of the next listing page (``rel=next`` or a pagination "next" link)."""
    sel = as_selector(html)
    href = sel.css('link[rel="next"]::attr(href), a[rel="next"]::attr(href)').get()
    if not href:
        for link in sel.css(".pagination a, .paging a, .pager a, nav.pagination a"):
            label = " ".join(link.css("::text").getall() + link.css("::attr(title)").getall())
            if label.strip().lower().startswith(_NEXT_TEXTS):
                href = link.attrib.get("href")
                break
    if not href or href.startswith(("#", "javascript:")):
        return None
    url = normalize_url(urljoin(page_url, href))
    return url if url != normalize_url(page_url) else None


def _parse_xml(data: bytes, what: str) -> etree._Element:
    if not data.strip():
        raise FeedError(f"{what} is empty")
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{what} is not well-formed XML: {exc}") from None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def feed_links(data: bytes, feed_url: str) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed. Raises FeedError on a malformed feed."""
    root = _parse_xml(data, "feed")
    links: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = next((c for c in el if _local(c.tag) == "link"), None)
            if link is not None and (link.text or "").strip():
                links.append(urljoin(feed_url, link.text.strip()))
        elif name == "entry":
            for c in el:
                if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate":
                    links.append(urljoin(feed_url, c.get("href", "")))
                    break
    if _local(root.tag) not in ("rss", "feed", "rdf"):
        raise FeedError(f"feed root element is <{_local(root.tag)}>, not rss/feed")
    return [normalize_url(u) for u in dict.fromkeys(links) if u]


def sitemap_entries(data: bytes, sitemap_url: str) -> SitemapResult:
    """URLs of a sitemap (``urlset``) or child sitemaps of a ``sitemapindex``."""
    root = _parse_xml(data, "sitemap")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FeedError(f"sitemap root element is <{kind}>, not urlset/sitemapindex")
    urls: list[str] = []
    lastmods: dict[str, datetime] = {}
    for entry in root:
        loc = next((c for c in entry if _local(c.tag) == "loc" and (c.text or "").strip()), None)
        if loc is None:
            continue
        url = normalize_url(urljoin(sitemap_url, (loc.text or "").strip()))
        urls.append(url)
        mod = next((c for c in entry if _local(c.tag) == "lastmod"), None)
        stamp = _w3c_datetime((mod.text or "") if mod is not None else "")
        if stamp is not None:
            lastmods[url] = stamp
    return SitemapResult(is_index=kind == "sitemapindex", urls=list(dict.fromkeys(urls)),
                         lastmods=lastmods)


def _w3c_datetime(text: str) -> datetime | None:
    """A sitemap ``lastmod`` (W3C datetime) when it carries a time zone; else None."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None
