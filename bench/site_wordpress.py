"""WordPress block-theme markup for the bench site: the replica's templates plus portal weight.

The article and listing HTML come from :mod:`crawler.replica.wp_block` (Twenty
Twenty-Three markup); this module adds what makes a real WordPress page 60-100 KB: the
inline global styles and emoji loader a block theme prints in ``<head>``, and a sidebar
of recent posts, categories and monthly archives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape

from crawler.replica import wp_block
from crawler.replica.generated import GeneratedArticle, SiteView
from crawler.replica.wordpress_site import post_path

HOST = "wp.bench.example"
NAME = "Sở Văn hóa, Thể thao và Du lịch"
VIEW = SiteView(host=HOST, name=NAME, articles=(), changed_at=datetime(2026, 1, 1))  # noqa: DTZ001
PRESETS = ("black", "cyan-bluish-gray", "white", "pale-pink", "vivid-red", "luminous-vivid-orange",
           "luminous-vivid-amber", "light-green-cyan", "vivid-green-cyan", "pale-cyan-blue",
           "vivid-cyan-blue", "vivid-purple", "base", "contrast", "primary", "secondary", "tertiary")


def _global_styles() -> str:
    """The ``global-styles-inline-css`` block a block theme inlines on every page."""
    rules = [":root{" + "".join(
        f"--wp--preset--color--{p}: #{(i * 1234567) % 0xFFFFFF:06x};"
        f"--wp--preset--gradient--{p}-to-{q}: linear-gradient(135deg,rgba(6,147,227,{i / 20:.2f}) 0%,"
        f"rgb(155,81,224) 100%);"
        for i, p in enumerate(PRESETS) for q in PRESETS[:3]
    ) + "}"]
    for p in PRESETS:
        for prop, suffix in (("color", "color"), ("background-color", "background-color"),
                             ("border-color", "border-color")):
            rules.append(f".has-{p}-{suffix}{{{prop}: var(--wp--preset--color--{p}) !important;}}")
        rules.append(f".has-{p}-gradient-background{{background: var(--wp--preset--gradient--{p}-to-"
                     f"black) !important;}}")
    for size in ("small", "medium", "large", "x-large", "xx-large"):
        rules.append(f".has-{size}-font-size{{font-size: var(--wp--preset--font-size--{size}) !important;}}")
    return "<style id='global-styles-inline-css'>\n" + "\n".join(rules) + "\n</style>\n"


_EMOJI = (
    "<script>\nwindow._wpemojiSettings = {\"baseUrl\":\"https:\\/\\/s.w.org\\/images\\/core\\/emoji"
    "\\/15.0.3\\/72x72\\/\",\"ext\":\".png\",\"svgUrl\":\"https:\\/\\/s.w.org\\/images\\/core\\/emoji"
    "\\/15.0.3\\/svg\\/\",\"svgExt\":\".svg\",\"source\":{\"concatemoji\":\"\\/wp-includes\\/js\\/"
    "wp-emoji-release.min.js?ver=6.5.3\"}};\n/*! This file is auto-generated */\n!function(i,n){"
    + "var o,s,e;function c(e){try{var t={supportTests:e,timestamp:(new Date).valueOf()};"
    "sessionStorage.setItem(o,JSON.stringify(t))}catch(e){}}" * 12 + "}(window,document);\n</script>\n"
)
HEAD_EXTRA = _global_styles() + _EMOJI


def sidebar(recent: Sequence[GeneratedArticle], categories: Sequence[tuple[str, str]],
            months: Sequence[datetime]) -> str:
    """Recent posts (with excerpts), categories and monthly archives, as block widgets."""
    posts = "".join(
        f'<li><a class="wp-block-latest-posts__post-title" href="http://{HOST}{post_path(a)}">'
        f'{escape(a.title)}</a><time datetime="{a.published.isoformat()}" class="wp-block-latest-'
        f'posts__post-date">{wp_block.display_date(a)}</time><div class="wp-block-latest-posts__'
        f'post-excerpt">{escape(a.lead)}</div></li>\n'
        for a in recent
    )
    cats = "".join(f'<li class="cat-item"><a href="http://{HOST}/category/{slug}/">{escape(name)}</a>'
                   "</li>" for slug, name in categories)
    archives = "".join(f'<li><a href="http://{HOST}/{m:%Y/%m}/">Tháng {m.month} {m.year}</a></li>'
                       for m in months)
    return (
        '<aside class="wp-block-group sidebar is-layout-flow">\n<h2 class="wp-block-heading">'
        f'Bài viết mới</h2>\n<ul class="wp-block-latest-posts__list has-dates wp-block-latest-posts">'
        f"\n{posts}</ul>\n<h2 class=\"wp-block-heading\">Chuyên mục</h2>\n<ul class=\"wp-block-"
        f'categories-list wp-block-categories">{cats}</ul>\n<h2 class="wp-block-heading">Lưu trữ</h2>'
        f'\n<ul class="wp-block-archives-list wp-block-archives">{archives}</ul>\n</aside>\n'
    )


def _furnish(html: bytes, aside: str) -> str:
    text = html.decode()
    text = text.replace("</head>", HEAD_EXTRA + "</head>", 1)
    return text.replace("</main>", "</main>\n" + aside, 1)


def article(post: GeneratedArticle, aside: str) -> str:
    return _furnish(wp_block.article(VIEW, post), aside)


_NUMBERS = re.compile(r'<div class="wp-block-query-pagination-numbers">.*?</div>', re.S)


def listing(items: Sequence[GeneratedArticle], page: int, pages: int, base: str, aside: str) -> str:
    html = _furnish(wp_block.listing(VIEW, items, page, pages, base), aside)
    # WordPress prints a window of page numbers with ellipses, not every page.
    near = [n for n in (1, page - 1, page, page + 1, pages) if 1 <= n <= pages]
    numbers = "".join(
        f'<span aria-current="page" class="page-numbers current">{n}</span>' if n == page
        else f'<a class="page-numbers" href="http://{HOST}{base}/{f"page/{n}/" if n > 1 else ""}">{n}</a>'
        for n in sorted(set(near))
    )
    return _NUMBERS.sub(f'<div class="wp-block-query-pagination-numbers">{numbers}</div>', html, count=1)
