"""What a CMS family is: versions, detection signals, default discovery, extraction parser.

Sites are data and families are code: a registry entry names its family, and the
family supplies what every site of that CMS shares (where feeds and sitemaps live, how
listings paginate, what an article URL looks like, which parser reads its pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from urllib.parse import urljoin

from parsel import Selector

from crawler import discovery


@dataclass(frozen=True)
class PageInfo:
    """One fetched page as detection sees it: URL, decoded HTML and response headers."""

    url: str
    html: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def sel(self) -> Selector:
        return Selector(text=self.html or "<html></html>")

    def header(self, name: str) -> str:
        lowered = {k.lower(): v for k, v in self.headers.items()}
        return lowered.get(name.lower(), "")

    @cached_property
    def generator(self) -> str:
        return " ".join(self.sel.css("meta[name=generator]::attr(content)").getall()).lower()


@dataclass(frozen=True)
class Signal:
    """One piece of evidence for a family, worth ``weight`` when ``test`` holds."""

    weight: float
    reason: str
    test: Callable[[PageInfo], bool]


@dataclass(frozen=True)
class Version:
    """A parser version. ``valid_until`` (exclusive) dates the markup change that ended it."""

    name: str
    parser: str
    """The ``crawler.extract`` family name whose parser reads this version's pages."""
    fixtures: str
    """Fixture folder, relative to ``tests/fixtures/``."""
    valid_until: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class Discovery:
    """Where a family's sites usually expose their articles (paths relative to the site)."""

    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ("/",)
    pagination: str = "rel_next"
    """``rel_next``, ``page_path`` (``/page-2/``, ``/page/2/``), ``older_posts`` or ``p_p_id``."""
    next_page_css: tuple[str, ...] = ()
    """Selectors of a "next/older page" link the generic ``next_page`` does not know."""
    article_pattern: str | None = None
    article_id_pattern: str | None = None
    feed_directory: str | None = None
    """A page listing per-category feeds (NukeViet's ``/feeds/``)."""


@dataclass(frozen=True)
class Detection:
    family: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    """A CMS family. Module-level ``FAMILY`` objects in ``crawler.families.<name>``."""

    name: str
    label: str
    versions: tuple[Version, ...]
    discovery: Discovery
    signals: tuple[Signal, ...] = ()

    def detect(self, page: PageInfo) -> Detection:
        """Sum of the weights of the signals the page shows, capped at 1."""
        reasons = []
        score = 0.0
        for signal in self.signals:
            try:
                hit = signal.test(page)
            except (ValueError, TypeError):
                hit = False
            if hit:
                score += signal.weight
                reasons.append(signal.reason)
        return Detection(self.name, min(score, 1.0), tuple(reasons))

    def version_for(self, when: datetime | date | None = None) -> Version:
        """The version valid at ``when`` (a crawl time), the newest when ``None``."""
        day = when.date() if isinstance(when, datetime) else when
        for version in self.versions:
            if version.valid_until is None or (day is not None and day < version.valid_until):
                return version
        return self.versions[-1]

    @property
    def parser(self) -> str:
        """The extraction parser of the current version."""
        return self.version_for().parser

    def next_page(self, html: str | Selector, url: str) -> str | None:
        """The next listing page: the family's own link first, then the generic rules."""
        sel = discovery.as_selector(html)
        for css in self.discovery.next_page_css:
            href = sel.css(css).get()
            if href and not href.startswith(("#", "javascript:")):
                return discovery.normalize_url(urljoin(url, href))
        return discovery.next_page(sel, url)

    def article_id(self, url: str) -> str | None:
        """The article id in a URL, when the family puts one there."""
        pattern = self.discovery.article_id_pattern
        match = re.search(pattern, url) if pattern else None
        return match[1] if match else None


def has(css: str) -> Callable[[PageInfo], bool]:
    return lambda page: bool(page.sel.css(css))


def xpath(query: str) -> Callable[[PageInfo], bool]:
    return lambda page: bool(page.sel.xpath(query))


def html_contains(*needles: str) -> Callable[[PageInfo], bool]:
    return lambda page: any(n in page.html for n in needles)
