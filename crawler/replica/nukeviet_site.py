"""portal.example: a NukeViet eGovernment portal served from its captured pages.

Every row of ``tests/fixtures/nukeviet/manifest.jsonl`` is served at its URL path
with its recorded status and Content-Type. On top of that the site emulates
NukeViet's friendly-URL behaviour (see that folder's README): a known article id
under a wrong alias or another category 301s to the canonical URL, an unknown id
gets the 404 page, and a mobile User-Agent gets the ``mobile_egov`` theme where
that theme was captured. The ``default`` theme rows are not served (one theme per
user agent, as on a real portal).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .response import Response

HOST = "portal.example"
DESKTOP_THEME = "egov"
MOBILE_THEME = "mobile_egov"
_ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+/[^/]*?-(\d+)\.html$")
_KIND = {
    "article": "article",
    "listing": "listing",
    "listing-beyond-last": "listing",
    "rss": "feed",
    "sitemap": "sitemap",
    "sitemap-index": "sitemap",
    "robots": "robots",
    "404": "error",
}


@dataclass(frozen=True)
class _Entry:
    file: Path
    url: str
    status: int
    content_type: str
    kind: str


def is_mobile(user_agent: str) -> bool:
    """NukeViet's mobile theme switch, reduced to the two common UA markers."""
    return "iPhone" in user_agent or ("Android" in user_agent and "Mobile" in user_agent)


class NukeVietSite:
    """Routes requests for portal.example to the captured NukeViet responses."""

    host = HOST

    def __init__(self, fixtures_dir: Path) -> None:
        self.root = fixtures_dir / "nukeviet"
        self._by_path: dict[str, dict[str, _Entry]] = {}
        self._canonical: dict[int, str] = {}
        self._not_found: _Entry | None = None
        self._load_manifest()

    def _load_manifest(self) -> None:
        lines = (self.root / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
        for line in filter(None, lines):
            row = json.loads(line)
            theme = row.get("theme", DESKTOP_THEME)
            entry = _Entry(
                file=self.root / row["file"],
                url=row["url"],
                status=int(row["status"]),
                content_type=row["content_type"],
                kind=_KIND.get(row["kind"], "page"),
            )
            self._by_path.setdefault(urlsplit(row["url"]).path, {})[theme] = entry
            if row["kind"] == "article" and theme == DESKTOP_THEME:
                self._canonical[int(row["id"])] = row["url"]
            if row["kind"] == "404":
                self._not_found = entry
        if self._not_found is None:
            raise ValueError(f"{self.root}/manifest.jsonl has no 404 row")

    def article_urls(self) -> list[str]:
        """Every canonical article URL (desktop theme), ordered by article id."""
        return [self._canonical[i] for i in sorted(self._canonical)]

    def respond(self, path: str, query: str, user_agent: str) -> Response:
        if "download" in parse_qs(query):
            return self._serve(self._not_found_entry(), status=404)
        themes = self._by_path.get(path)
        if themes:
            mobile = is_mobile(user_agent)
            entry = themes.get(MOBILE_THEME) if mobile else None
            return self._serve(entry or themes[DESKTOP_THEME])
        match = _ARTICLE_PATH.match(path)
        if match and int(match[1]) in self._canonical:
            return _redirect(self._canonical[int(match[1])])
        return self._serve(self._not_found_entry(), status=404)

    def _not_found_entry(self) -> _Entry:
        assert self._not_found is not None
        return self._not_found

    def _serve(self, entry: _Entry, status: int | None = None) -> Response:
        return Response(
            status=status or entry.status,
            body=entry.file.read_bytes(),
            content_type=entry.content_type,
            kind=entry.kind,
            headers={"Vary": "User-Agent"},
            article_url=entry.url if entry.kind == "article" else None,
        )


def _redirect(location: str) -> Response:
    """NukeViet answers a non-canonical article URL with a bare 301."""
    return Response(301, b"", kind="redirect", headers={"Location": location})
