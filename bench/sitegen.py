"""Generate a static Vietnamese news site for the benchmarks: deterministic, cached on disk.

Two hosts, one per CMS family, each a directory of the tree:

- ``nv.bench.example``: NukeViet eGovernment, pages cut from the real captured portal
  (:mod:`site_nukeviet`); ``/<category>/<slug>-<id>.html``, category listings of 20 with
  ``/page-N/``, ``/rss/``, ``/sitemap.xml`` index over children of at most 1,000 URLs.
- ``wp.bench.example``: WordPress block theme (:mod:`site_wordpress`); ``/YYYY/MM/DD/slug/``,
  category listings of 10 with ``/page/N/``, ``/feed/``, ``/wp-sitemap.xml`` over core
  sitemaps of at most 2,000 URLs.

Article pages are 60-100 KB with portal furniture; texts recombine real Vietnamese
paragraphs, titles, sapos and bylines from the test fixtures. The same (seed, N) gives the
same bytes; a finished tree is cached under ``$PROVNEWS_BENCH_CACHE`` (default: the temp
dir) and reused. Run: ``.venv/bin/python bench/sitegen.py --pages 20000``.
"""

from __future__ import annotations

import argparse
import html as htmlmod
import json
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

BENCH = Path(__file__).resolve().parent
# bench/incremental.py would shadow the `incremental` package Twisted imports: bench goes last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import site_nukeviet as nv  # noqa: E402
import site_wordpress as wp  # noqa: E402

from crawler.replica.generated import GeneratedArticle  # noqa: E402
from crawler.replica.texts import slugify  # noqa: E402
from crawler.replica.wordpress_site import post_path  # noqa: E402

FIXTURES = BENCH.parent / "tests" / "fixtures"
VN = timezone(timedelta(hours=7))
NEWEST = datetime(2026, 11, 20, 9, 0, tzinfo=VN)
WP_CATEGORIES = ("Tin tức - Sự kiện", "Văn hóa", "Thể thao", "Du lịch", "Gia đình", "Thông báo")
SIZE_RANGE = (60_000, 100_000)
SITES = {
    "bench_nukeviet": {"host": nv.HOST, "family": "nukeviet", "feeds": ["/rss/"],
                       "sitemaps": ["/sitemap.xml"],
                       "article_pattern": r"^/[a-z0-9-]+/[a-z0-9-]+-\d+\.html$",
                       "article_id_pattern": r"-(\d+)\.html$"},
    "bench_wordpress": {"host": wp.HOST, "family": "wordpress", "feeds": ["/feed/"],
                        "sitemaps": ["/wp-sitemap.xml"],
                        "article_pattern": r"^/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$"},
}


@dataclass(frozen=True)
class Texts:
    titles: list[str]
    leads: list[str]
    paragraphs: list[str]
    authors: list[str]


def _clean(text: str) -> str:
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", text))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def load_texts() -> Texts:
    """Real titles, sapos, body paragraphs and bylines from the NukeViet and news fixtures."""
    titles, leads, paras, authors = [], [], [], []
    for name in ("nukeviet/labels.jsonl", "articles/labels.jsonl"):
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            titles.append(_clean(row["title"]))
            lead = row.get("hometext") or row.get("lead")
            if lead:
                leads.append(_clean(lead))
            paras += [_clean(row[k]) for k in ("body_first", "body_last") if row.get(k)]
            if row.get("author") and len(row["author"]) < 40:
                authors.append(_clean(row["author"]))
    for page in sorted((FIXTURES / "nukeviet" / "articles").glob("*.html")):
        body = re.search(r'<div id="news-bodyhtml"[^>]*>(.*?)\n        </div>\n',
                         page.read_text(encoding="utf-8"), re.S)
        if body:
            paras += [_clean(p) for p in re.findall(r"<p[^>]*>(.*?)</p>", body[1], re.S)]
    paras = sorted({p for p in paras if len(p) >= 80})
    return Texts(sorted(set(titles)), sorted(set(leads)), paras, sorted(set(authors)))


def make_articles(n: int, seed: int, categories: tuple[str, ...], texts: Texts,
                  first_id: int) -> list[GeneratedArticle]:
    """``n`` articles, newest first, each a recombination of real texts."""
    rnd = random.Random(f"{seed}:{first_id}")  # noqa: S311 - reproducible test data
    out, when, seen = [], NEWEST, set()
    for i in range(n):
        when -= timedelta(minutes=rnd.randint(5, 110))
        title = rnd.choice(texts.titles)
        slug = base = slugify(title)
        k = 2
        while (when.date(), slug) in seen:
            slug, k = f"{base}-{k}", k + 1
        seen.add((when.date(), slug))
        count = rnd.randint(5, 24)
        out.append(GeneratedArticle(
            id=first_id + i, slug=slug, title=title, published=when,
            modified=when + timedelta(minutes=rnd.randint(0, 600)), author=rnd.choice(texts.authors),
            category=rnd.choice(categories), lead=rnd.choice(texts.leads),
            paragraphs=tuple(rnd.sample(texts.paragraphs, min(count, len(texts.paragraphs)))),
        ))
    return out


def _write(root: Path, path: str, text: str) -> int:
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / ("index.xml" if text.startswith("<?xml") else "index.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    target.write_bytes(data)
    return len(data)


def _pad_to(size: int, render, pool: list) -> str:
    """Render with as many furniture items from ``pool`` as bring the page to ``size`` bytes."""
    base = len(render(pool[:0]).encode())
    per = max(200, (len(render(pool[:8]).encode()) - base) // 8)
    count = min(len(pool), max(0, (size - base) // per))
    html = render(pool[:count])
    while count > 0 and (over := len(html.encode()) - size) > 0:
        count -= max(1, over // per)
        html = render(pool[:max(0, count)])
    return html


def nv_path(a: GeneratedArticle) -> str:
    return f"/{slugify(a.category)}/{a.slug}-{a.id}.html"


def build_nukeviet(root: Path, arts: list[GeneratedArticle], rnd: random.Random) -> dict:
    templates, listing = nv.load_templates(), nv.listing_template()
    by_cat: dict[str, list[GeneratedArticle]] = {}
    for a in arts:
        by_cat.setdefault(a.category, []).append(a)
    sizes = []
    for a in arts:
        template = rnd.choice(templates[a.category])
        peers = by_cat[a.category]
        start = rnd.randrange(len(peers))
        pool = [(nv_path(p), p.title, f"{p.published:%d/%m/%Y}") for p in (peers * 2)[start:start + 160]]
        values = {"title": htmlmod.escape(a.title), "path": nv_path(a), "iso": a.published.isoformat(),
                  "display": nv.display(a.published), "author": htmlmod.escape(a.author),
                  "lead": htmlmod.escape(a.lead), "body": nv.body_html(a.paragraphs)}
        target = rnd.randint(*SIZE_RANGE)
        page = _pad_to(target, lambda items, v=values, t=template: t.render(
            {**v, "extra": nv.related_block(items)}), pool)
        sizes.append(_write(root, nv_path(a), page))
    listings = []
    for cat, items in by_cat.items():
        slug = slugify(cat)
        pages = -(-len(items) // 20)
        listings.append(f"/{slug}/")
        for p in range(1, pages + 1):
            chunk = items[(p - 1) * 20: p * 20]
            links, head = nv.pagination(cat, slug, p, pages)
            body = "".join(nv.listing_item(nv_path(a), a.title, a.published, a.lead, i == 0)
                           for i, a in enumerate(chunk))
            _write(root, nv.page_path(slug, p), listing.render({
                "items": body, "pages": links, "head": head, "path": nv.page_path(slug, p),
                "title": f"{cat} - Trang {p}" if p > 1 else cat, "category": htmlmod.escape(cat)}))
    urls = [(nv.BASE + nv_path(a), a.modified) for a in arts]
    _sitemaps(root, nv.BASE, urls, 1000, lambda k: f"/sitemap-vi.news.{k}.xml", "/sitemap.xml")
    _write(root, "/rss/", _rss(nv.BASE, "Tin Tức", [(nv.BASE + nv_path(a), a) for a in arts[:30]]))
    _write(root, "/robots.txt", f"User-agent: *\nDisallow: /admin/\nDisallow: /users/\n"
                                f"Sitemap: {nv.BASE}/sitemap.xml\n")
    return {"articles": len(arts), "listings": sorted(listings), "sizes": sizes}


def build_wordpress(root: Path, arts: list[GeneratedArticle], rnd: random.Random) -> dict:
    months = sorted({a.published.replace(day=1, hour=0, minute=0) for a in arts}, reverse=True)[:24]
    cats = [(slugify(c), c) for c in WP_CATEGORIES]
    sizes = []
    for i, a in enumerate(arts):
        pool = (arts * 2)[i + 1: i + 200]
        target = rnd.randint(*SIZE_RANGE)
        page = _pad_to(target, lambda items, a=a: wp.article(a, wp.sidebar(items, cats, months)), pool)
        sizes.append(_write(root, post_path(a), page))
    aside = wp.sidebar(arts[:10], cats, months)
    listings = []
    for slug, name in cats:
        items = [a for a in arts if a.category == name]
        pages = -(-len(items) // 10)
        base = f"/category/{slug}"
        listings.append(base + "/")
        for p in range(1, pages + 1):
            html = wp.listing(items[(p - 1) * 10: p * 10], p, pages, base, aside)
            _write(root, f"{base}/" + (f"page/{p}/" if p > 1 else ""), html)
    urls = [(f"http://{wp.HOST}{post_path(a)}", a.modified) for a in arts]
    _sitemaps(root, f"http://{wp.HOST}", urls, 2000,
              lambda k: f"/wp-sitemap-posts-post-{k}.xml", "/wp-sitemap.xml")
    _write(root, "/feed/", _rss(f"http://{wp.HOST}", wp.NAME,
                                [(f"http://{wp.HOST}{post_path(a)}", a) for a in arts[:10]]))
    _write(root, "/robots.txt", f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
                                f"\nSitemap: http://{wp.HOST}/wp-sitemap.xml\n")
    return {"articles": len(arts), "listings": listings, "sizes": sizes}


def _sitemaps(root: Path, base: str, urls: list, per: int, child, index: str) -> None:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    children = []
    for k in range(1, -(-len(urls) // per) + 1):
        rows = "".join(f"<url><loc>{xml_escape(u)}</loc><lastmod>{m.isoformat()}</lastmod></url>"
                       for u, m in urls[(k - 1) * per: k * per])
        _write(root, child(k), f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{rows}</urlset>\n')
        children.append(base + child(k))
    rows = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in children)
    _write(root, index, f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {ns}>{rows}</sitemapindex>\n')


def _rss(base: str, title: str, items: list) -> str:
    rows = "".join(
        f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(url)}</link>"
        f"<guid isPermaLink=\"true\">{xml_escape(url)}</guid><description>{xml_escape(a.lead)}"
        f"</description><pubDate>{format_datetime(a.published.astimezone(UTC), usegmt=True)}</pubDate></item>"
        for url, a in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{xml_escape(title)}'
            f"</title><link>{base}/</link><language>vi</language>{rows}</channel></rss>\n")


def cache_dir() -> Path:
    import os

    return Path(os.environ.get("PROVNEWS_BENCH_CACHE") or Path(tempfile.gettempdir()) / "provnews-bench")


def generate(pages: int = 20_000, seed: int = 1) -> Path:
    """The site tree for (pages, seed): cached, else generated. Its ``manifest.json`` says what is in it."""
    target = cache_dir() / f"site-s{seed}-n{pages}"
    if (target / "manifest.json").exists():
        return target
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent if target.parent.exists()
                                 else _mk(target.parent)))
    texts = load_texts()
    n_nv = (pages + 1) // 2
    nv_cats = tuple(sorted(nv.load_templates()))
    rnd = random.Random(seed)  # noqa: S311 - reproducible test data
    manifest = {"seed": seed, "pages": pages, "sites": {}}
    parts = (("bench_nukeviet", build_nukeviet, make_articles(n_nv, seed, nv_cats, texts, 1000)),
             ("bench_wordpress", build_wordpress,
              make_articles(pages - n_nv, seed, WP_CATEGORIES, texts, 1000 + n_nv)))
    for key, build, arts in parts:
        info = build(work / SITES[key]["host"], arts, rnd)
        sizes = info.pop("sizes")
        manifest["sites"][key] = {**SITES[key], **info, "bytes_min": min(sizes, default=0),
                                  "bytes_max": max(sizes, default=0),
                                  "bytes_mean": round(sum(sizes) / max(1, len(sizes)))}
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    (work / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def registry_toml(tree: Path) -> str:
    """Registry entries (``[[site]]``) for the generated sites, for PROVNEWS_REGISTRY_FILES."""
    manifest = json.loads((tree / "manifest.json").read_text())
    out = []
    for key, s in manifest["sites"].items():
        lines = [f'key = "{key}"', f'name = "Bench {s["family"]} site"', f'base_url = "http://{s["host"]}/"',
                 'province = "Sơn La"', 'level = "district"', f'family = "{s["family"]}"',
                 'status = "active"', "max_listing_pages = 100000",
                 f"feeds = {json.dumps(s['feeds'])}", f"sitemaps = {json.dumps(s['sitemaps'])}",
                 f"listings = {json.dumps(s['listings'])}",
                 f"article_pattern = '{s['article_pattern']}'"]
        if s.get("article_id_pattern"):
            lines.append(f"article_id_pattern = '{s['article_id_pattern']}'")
        out.append("[[site]]\n" + "\n".join(lines) + "\n")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    args = parser.parse_args()
    target = cache_dir() / f"site-s{args.seed}-n{args.pages}"
    if args.force:
        shutil.rmtree(target, ignore_errors=True)
    tree = generate(args.pages, args.seed)
    manifest = json.loads((tree / "manifest.json").read_text())
    print(f"{tree} (generated in {manifest['seconds']} s)")
    for key, s in manifest["sites"].items():
        print(f"  {key}: {s['articles']} articles, {s['bytes_min']}-{s['bytes_max']} bytes "
              f"(mean {s['bytes_mean']}), listings {', '.join(s['listings'])}")


if __name__ == "__main__":
    main()
