"""The site registry: sites are data (TOML files under ``settings/``), loaded strictly.

Loading fails loudly, naming the entry, on duplicate keys, unknown fields, missing
fields or invalid values, so a typo in the registry never silently drops a site.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from cssselect import GenericTranslator, SelectorError

SETTINGS_DIR = Path(__file__).resolve().parent.parent / "settings"
DEFAULT_REGISTRY_FILES = (SETTINGS_DIR / "sites.toml", SETTINGS_DIR / "replica_sites.toml")

LEVELS = {"province", "district", "commune", "party_committee", "department", "newspaper", "demo"}
STATUSES = {"active", "redirected", "merged", "dead", "unverified", "replica"}
FAMILIES = {"nukeviet", "wordpress", "liferay", "generic"}
SELECTOR_KEYS = {"title", "published", "author", "lead", "body", "category", "listing_item", "next_page"}
"""Fields a site's ``selectors`` table may override (CSS selectors)."""
_SCHEDULE = re.compile(r"^(?:\d+[mhd]|(?:[\d*/,-]+\s+){4}[\d*/,-]+)$")


class RegistryError(ValueError):
    """The registry files are invalid; the message names the file and entry."""


@dataclass(frozen=True)
class Site:
    """One source site. Field names match the TOML keys."""

    key: str
    name: str
    base_url: str
    province: str
    level: str
    family: str = "generic"
    status: str = "active"
    listings: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_pattern: str | None = None
    """Regex (searched in the URL path) telling article URLs apart from other links."""
    article_id_pattern: str | None = None
    """Regex whose first group is the article's id in its URL (NukeViet: ``-(\\d+)\\.html$``);
    URLs with the same id are one article (listings link it under several categories)."""
    max_listing_pages: int = 50
    download_delay: float | None = None
    concurrency: int | None = None
    province_pre2025: str | None = None
    province_code: str | None = None
    """Two-digit code of the current province (post-July-2025 list)."""
    province_code_pre2025: str | None = None
    schedule: str | None = None
    """How often to crawl: an interval (``30m``, ``6h``, ``1d``) or a 5-field crontab line."""
    robots_obey: bool | None = None
    """Per-site override of ROBOTSTXT_OBEY; ``false`` needs a ``robots_reason``."""
    robots_reason: str | None = None
    selectors: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """CSS selector overrides by field (see ``SELECTOR_KEYS``), for a site that bends its family."""
    notes: str | None = None
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def absolute(self, path_or_url: str) -> str:
        return urljoin(self.base_url, path_or_url)


def site_key_for(url: str) -> str:
    """The registry key for a URL: its host with dots turned into underscores."""
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_")


_TUPLE_FIELDS = {"listings", "feeds", "sitemaps"}
_KNOWN = {f.name for f in fields(Site)}


def _build(entry: dict, where: str) -> Site:
    unknown = set(entry) - _KNOWN
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("key", "name", "base_url", "province", "level"):
        if not entry.get(required):
            raise RegistryError(f"{where}: missing required field '{required}'")
    values = dict(entry)
    for name in _TUPLE_FIELDS:
        raw = values.get(name, [])
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise RegistryError(f"{where}: '{name}' must be a list of strings")
        values[name] = tuple(raw)
    site = Site(**values)
    if not re.fullmatch(r"[a-z0-9_]+", site.key):
        raise RegistryError(f"{where}: key '{site.key}' must be lower-case letters, digits, '_'")
    if urlsplit(site.base_url).scheme not in ("http", "https"):
        raise RegistryError(f"{where}: base_url must be an http(s) URL, got '{site.base_url}'")
    if site.level not in LEVELS:
        raise RegistryError(f"{where}: level '{site.level}' not one of {sorted(LEVELS)}")
    if site.status not in STATUSES:
        raise RegistryError(f"{where}: status '{site.status}' not one of {sorted(STATUSES)}")
    if site.family not in FAMILIES:
        raise RegistryError(f"{where}: family '{site.family}' not one of {sorted(FAMILIES)}")
    for name in ("article_pattern", "article_id_pattern"):
        pattern = getattr(site, name)
        if pattern is None:
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RegistryError(f"{where}: {name} is not a valid regex: {exc}") from None
    if not (site.listings or site.feeds or site.sitemaps):
        raise RegistryError(f"{where}: needs at least one of listings, feeds, sitemaps")
    _check_extensions(site, where)
    return site


def _check_extensions(site: Site, where: str) -> None:
    """Validate the optional fields: codes, schedule, robots override, selectors."""
    for name in ("province_code", "province_code_pre2025"):
        code = getattr(site, name)
        if code is not None and not (isinstance(code, str) and re.fullmatch(r"\d{2}", code)):
            raise RegistryError(f"{where}: {name} must be a two-digit string, got {code!r}")
    if site.schedule is not None and not _SCHEDULE.match(str(site.schedule)):
        raise RegistryError(f"{where}: schedule {site.schedule!r} is not like '6h', '1d' or a crontab line")
    if site.robots_obey is not None and not isinstance(site.robots_obey, bool):
        raise RegistryError(f"{where}: robots_obey must be true or false")
    if site.robots_obey is False and not site.robots_reason:
        raise RegistryError(f"{where}: robots_obey = false needs a robots_reason")
    if not isinstance(site.selectors, dict):
        raise RegistryError(f"{where}: selectors must be a table of field = CSS selector")
    for name, css in site.selectors.items():
        if name not in SELECTOR_KEYS:
            raise RegistryError(f"{where}: selectors.{name} is not one of {sorted(SELECTOR_KEYS)}")
        try:
            GenericTranslator().css_to_xpath(css)
        except (SelectorError, TypeError) as exc:
            raise RegistryError(f"{where}: selectors.{name} is not valid CSS: {exc}") from None


def load_registry(paths: tuple[Path, ...] | list[Path] | None = None) -> dict[str, Site]:
    """Load every ``[[site]]`` entry from the given TOML files, keyed by site key."""
    sites: dict[str, Site] = {}
    origin: dict[str, str] = {}
    for path in paths or DEFAULT_REGISTRY_FILES:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RegistryError(f"{path}: registry file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path}: invalid TOML: {exc}") from None
        for i, entry in enumerate(data.get("site", []), start=1):
            where = f"{path.name} entry {i} ({entry.get('key', '?')})"
            site = _build(entry, where)
            if site.key in sites:
                raise RegistryError(
                    f"{where}: duplicate key '{site.key}' (first defined in {origin[site.key]})"
                )
            sites[site.key] = site
            origin[site.key] = where
    return sites
