"""``provnews sites add URL`` and ``provnews sites check KEY``: onboard and verify one site.

Both are plain click commands; the ``sites`` group attaches them
(``sites.add_command(sites_add)``, ``sites.add_command(sites_check)``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler import discovery
from crawler.cli.common import EXIT_USAGE, ProvnewsError, shorten, table
from crawler.extract.text import decode_html
from crawler.onboard import OnboardError, Probe, check_url, probe
from crawler.registry import DEFAULT_REGISTRY_FILES, LEVELS, RegistryError, Site, load_registry, site_key_for
from crawler.registry_write import entry_toml, has_key, write_entry
from crawler.webfetch import Fetched, Fetcher, FetchError, host_map_from_env

DEFAULT_REGISTRY = DEFAULT_REGISTRY_FILES[0]
UNKNOWN_PROVINCE = "chưa xác định"
CHECKED_FIELDS = ("title", "published_at", "published_raw", "updated_at", "author", "category",
                  "lead", "text", "canonical_url")  # fmt: skip

proxy_option = click.option(
    "--proxy", "proxies", multiple=True, metavar="HOST=URL",
    help="Fetch HOST through the HTTP proxy URL (repeatable; also PROVNEWS_HOST_MAP as JSON).",
)  # fmt: skip


def make_fetcher(proxies: tuple[str, ...]) -> Fetcher:
    try:
        host_map = host_map_from_env()
    except FetchError as exc:
        raise ProvnewsError(str(exc), EXIT_USAGE) from None
    for item in proxies:
        host, sep, url = item.partition("=")
        if not sep or not host or urlsplit(url).scheme not in ("http", "https"):
            raise ProvnewsError(f"--proxy expects HOST=http://proxy:port, got {item!r}", EXIT_USAGE)
        host_map[host.lower()] = url
    return Fetcher(host_map)


def guess_level(host: str) -> str:
    """A first guess from the host name: ``*.dcs.vn`` party committee, ``bao*`` newspaper…"""
    host = host.removeprefix("www.")
    labels = host.split(".")
    if host.endswith(".dcs.vn"):
        return "party_committee"
    if labels[0].startswith("bao") or "news" in labels[0]:
        return "newspaper"
    if host.endswith(".gov.vn"):
        inner = labels[:-2]
        if len(inner) == 1:
            return "province"
        return "department" if inner[0].startswith("so") else "district"
    return "department"


def guess_province(host: str, known: dict[str, Site]) -> str | None:
    """The province of a registry site whose host shares a distinctive label (``sonla``)."""
    labels = set(host.removeprefix("www.").split(".")) - {"gov", "vn", "com", "org", "net", "dcs", "example"}
    for site in known.values():
        site_labels = set(site.host.removeprefix("www.").split("."))
        if labels & site_labels and site.province != UNKNOWN_PROVINCE:
            return site.province
    return None


def _relative(url: str, base_url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc != urlsplit(base_url).netloc:
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def entry_fields(found: Probe, key: str, province: str, level: str) -> dict[str, object]:
    reasons = "; ".join(found.detection.reasons) or "no family signal"
    return {
        "key": key, "name": found.name, "base_url": found.base_url, "province": province,
        "level": level, "family": found.detection.family, "status": "unverified",
        "feeds": [_relative(u, found.base_url) for u in found.feeds],
        "sitemaps": [_relative(u, found.base_url) for u in found.sitemaps],
        "listings": found.listings, "article_pattern": found.article_pattern,
        "article_id_pattern": found.article_id_pattern,
        "notes": f"added by `provnews sites add {found.url}` on {datetime.now(UTC):%Y-%m-%d}; "
                 f"family evidence: {reasons}",
    }  # fmt: skip


def _report(found: Probe, key: str) -> None:
    detection = found.detection
    rows = [
        ["key", key], ["base URL", found.base_url], ["name", found.name],
        ["family", f"{detection.family} (score {detection.score:.2f})"],
        *[["  evidence", reason] for reason in detection.reasons],
        *[["feed", u] for u in found.feeds], *[["sitemap", u] for u in found.sitemaps],
        *[["listing", u] for u in found.listings],
        ["article pattern", found.article_pattern or "(none: .html links)"],
        *[["sample article", u] for u in found.sample_articles[:3]],
    ]  # fmt: skip
    click.echo(table(rows, ["found", "value"]))
    for warning in found.warnings:
        click.echo(f"provnews: warning: {warning}", err=True)


@click.command(name="add")
@click.argument("url")
@click.option("--key", help="Registry key [default: the domain with dots as underscores].")
@click.option("--province", help="Current (post-2025) province [default: guessed from known sites].")
@click.option("--level", type=click.Choice(sorted(LEVELS)), help="Administrative level [default: guessed].")
@click.option("--registry", "registry_file", type=click.Path(path_type=Path), default=DEFAULT_REGISTRY,
              show_default=True, help="Registry TOML file to write.")  # fmt: skip
@click.option("--replace", is_flag=True, help="Overwrite an existing entry with the same key.")
@click.option("--dry-run", is_flag=True, help="Print the entry; write nothing.")
@proxy_option
def sites_add(url: str, key: str | None, province: str | None, level: str | None, registry_file: Path,
              replace: bool, dry_run: bool, proxies: tuple[str, ...]) -> None:  # fmt: skip
    """Detect the CMS family, feeds, sitemaps and listings of the site at URL and add it.

    Fetches the home page and robots.txt, then the candidate feeds and sitemaps. The
    entry is written with status "unverified"; run `provnews sites check KEY` next.
    """
    try:
        url = check_url(url)
    except OnboardError as exc:
        raise ProvnewsError(str(exc), EXIT_USAGE) from None
    key = key or site_key_for(url)
    if not re.fullmatch(r"[a-z0-9_]+", key or ""):
        raise ProvnewsError(f"cannot make a registry key from {url!r}; give --key", EXIT_USAGE)
    if not dry_run and not replace and has_key(registry_file, key):
        raise ProvnewsError(f"{registry_file}: key '{key}' already exists (use --replace to overwrite it)")
    try:
        found = probe(url, make_fetcher(proxies))
    except OnboardError as exc:
        raise ProvnewsError(str(exc)) from None
    known = _known_sites(registry_file)
    host = urlsplit(found.base_url).hostname or ""
    if province is None:
        province = guess_province(host, known) or UNKNOWN_PROVINCE
        found.warnings.append(f"province guessed as {province!r}; set it with --province")
    if level is None:
        level = guess_level(host)
        found.warnings.append(f"level guessed as {level!r}; set it with --level")
    _report(found, key)
    block = entry_toml(entry_fields(found, key, province, level))
    click.echo("\n" + block.rstrip())
    if dry_run:
        click.echo("dry run: nothing written", err=True)
        return
    try:
        write_entry(registry_file, key, block, replace=replace)
    except (RegistryError, OSError) as exc:
        raise ProvnewsError(f"registry: {exc}") from None
    click.echo(f"wrote '{key}' to {registry_file}; verify it with `provnews sites check {key}`", err=True)


def _known_sites(registry_file: Path) -> dict[str, Site]:
    files = [f for f in (*DEFAULT_REGISTRY_FILES, registry_file) if Path(f).exists()]
    try:
        return load_registry(list(dict.fromkeys(files)))
    except RegistryError:
        return {}


@click.command(name="check")
@click.argument("key")
@click.option("--registry", "registry_files", multiple=True, type=click.Path(path_type=Path),
              help="Registry TOML file(s) [default: sites.toml and replica_sites.toml].")  # fmt: skip
@proxy_option
def sites_check(key: str, registry_files: tuple[Path, ...], proxies: tuple[str, ...]) -> None:
    """Fetch one listing (or feed, or sitemap) and one article of KEY; print the extracted fields.

    Each field shows the layer that produced it (family:<name>, metadata, generic).
    Exits 1 when no article is found or its title, date or text cannot be extracted.
    """
    try:
        sites = load_registry(list(registry_files) or None)
    except RegistryError as exc:
        raise ProvnewsError(f"registry: {exc}", EXIT_USAGE) from None
    if key not in sites:
        raise ProvnewsError(f"unknown site key '{key}' (see `provnews sites list`)", EXIT_USAGE)
    run_check(sites[key], make_fetcher(proxies))



def run_check(site: Site, fetcher: Fetcher) -> None:
    """Find one article of ``site`` through its first discovery channel, extract and print it."""
    from crawler.extract import extract_article  # heavy (trafilatura); only this command needs it

    source, links = _article_links(site, fetcher)
    click.echo(f"{site.key}: {len(links)} article link(s) on {source}")
    if not links:
        raise ProvnewsError(f"{site.key}: no article link found on {source}")
    got = _get(fetcher, links[0])
    if not got.ok:
        raise ProvnewsError(f"{site.key}: article {links[0]} answered HTTP {got.status}")
    art = extract_article(got.body, got.url, fetched_at=datetime.now(UTC), family=site.family)
    rows = []
    for name in CHECKED_FIELDS:
        value = getattr(art, name)
        shown = value.isoformat() if isinstance(value, datetime) else value
        text = str(shown) if shown is not None else ""
        rows.append([name, shorten(text, 70), art.provenance.get(name, "")])
    click.echo(f"article: {got.url} (parser: {art.family or 'none'}, site family: {site.family})")
    click.echo(table(rows, ["field", "value", "from"]))
    for problem in art.problems:
        click.echo(f"provnews: warning: {problem}", err=True)
    missing = [n for n in ("title", "published_at", "text") if getattr(art, n) is None]
    if missing:
        raise ProvnewsError(f"{site.key}: check failed, no {', '.join(missing)} in {got.url}")
    click.echo(f"{site.key}: check passed")


def _get(fetcher: Fetcher, url: str) -> Fetched:
    try:
        return fetcher.get(url)
    except FetchError as exc:
        raise ProvnewsError(str(exc)) from None


def _article_links(site: Site, fetcher: Fetcher) -> tuple[str, list[str]]:
    """``(where, article URLs)`` from the first listing, else the first feed, else sitemap."""
    def keep(urls: list[str]) -> list[str]:
        return [u for u in urls if discovery.same_site(u, site.base_url)
                and discovery.is_article_url(u, site.article_pattern)]  # fmt: skip

    if site.listings:
        got = _get(fetcher, site.absolute(site.listings[0]))
        html = decode_html(got.body)[0] if got.ok else ""
        return got.url, keep(discovery.article_links(html, got.url, site.article_pattern))
    url = site.absolute((site.feeds or site.sitemaps)[0])
    for _ in range(3):  # a sitemap index leads to a child sitemap
        got = _get(fetcher, url)
        try:
            if site.feeds:
                return url, keep(discovery.feed_links(got.body, got.url))
            result = discovery.sitemap_entries(got.body, got.url)
        except discovery.FeedError as exc:
            raise ProvnewsError(f"{site.key}: {exc} ({url})") from None
        if not result.is_index or not result.urls:
            return url, keep(result.urls)
        url = result.urls[0]
    return url, []
