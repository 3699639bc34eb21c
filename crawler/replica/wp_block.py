"""WordPress 6.x block-theme HTML (Twenty Twenty-Three templates) for generated sites.

Single posts: ``h1.wp-block-post-title``, ``.wp-block-post-content``, then a meta row
with ``.wp-block-post-date time[datetime]`` (shown as ``20 Tháng Sáu, 2025``, the
Vietnamese locale's ``j F, Y``), ``.wp-block-post-author-name`` and the category
``.wp-block-post-terms``. Listings are a ``wp-block-query`` with query pagination
and a ``<link rel="next">`` in the head. Yoast-style JSON-LD carries ``dateModified``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from .generated import GeneratedArticle, SiteView
from .wordpress_site import WP_VERSION, page_url, post_path

MONTHS = ("Một", "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Mười Một", "Mười Hai")


def display_date(article: GeneratedArticle) -> str:
    dt = article.published
    return f"{dt.day} Tháng {MONTHS[dt.month - 1]}, {dt.year}"


def _time(article: GeneratedArticle) -> str:
    return f'<time datetime="{article.published.isoformat()}">{display_date(article)}</time>'


def _head(view: SiteView, title: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="UTF-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="alternate" type="application/rss+xml" title="{escape(view.name)} &raquo; '
        f'Dòng thông tin" href="{view.base_url}/feed/" />\n'
        f'<link rel="alternate" type="application/rss+xml" title="{escape(view.name)} &raquo; '
        f'Dòng phản hồi" href="{view.base_url}/comments/feed/" />\n'
        f"<link rel='stylesheet' id='wp-block-library-css' href='{view.base_url}"
        f"/wp-includes/css/dist/block-library/style.min.css?ver={WP_VERSION}' media='all' />\n"
        f'<link rel="https://api.w.org/" href="{view.base_url}/wp-json/" />\n'
        f'<meta name="generator" content="WordPress {WP_VERSION}" />\n{extra}</head>\n'
    )


def _chrome(view: SiteView, body_class: str, main: str) -> str:
    return (
        f'<body class="{body_class} wp-embed-responsive">\n<div class="wp-site-blocks">\n'
        '<header class="wp-block-template-part"><div class="wp-block-group is-layout-flex">'
        f'<p class="wp-block-site-title"><a href="{view.base_url}" rel="home">{escape(view.name)}'
        '</a></p><nav class="wp-block-navigation"><ul class="wp-block-navigation__container">'
        f'<li class="wp-block-pages-list__item"><a href="{view.base_url}/gioi-thieu/">Giới thiệu'
        "</a></li></ul></nav></div></header>\n"
        f"{main}\n"
        '<footer class="wp-block-template-part"><div class="wp-block-group">'
        f'<p class="has-text-align-center">{escape(view.name)}. Được tạo bởi '
        '<a href="https://wordpress.org" rel="nofollow">WordPress</a></p></div></footer>\n'
        "</div>\n</body>\n</html>\n"
    )


def _json_ld(view: SiteView, article: GeneratedArticle) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": {"@type": "Person", "name": article.author},
        "articleSection": [article.category],
        "mainEntityOfPage": view.base_url + post_path(article),
    }
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'


def article(view: SiteView, post: GeneratedArticle) -> bytes:
    url = view.base_url + post_path(post)
    head = _head(
        view, f"{post.title} – {view.name}",
        f'<link rel="canonical" href="{url}" />\n'
        f'<meta property="article:modified_time" content="{post.modified.isoformat()}" />\n'
        f"{_json_ld(view, post)}",
    )  # fmt: skip
    body = "".join(f"<p>{escape(p)}</p>\n" for p in post.paragraphs)
    main = (
        '<main class="wp-block-group is-layout-flow">\n'
        '<div class="wp-block-group has-global-padding is-layout-constrained">'
        f'<h1 class="wp-block-post-title">{escape(post.title)}</h1></div>\n'
        '<div class="entry-content wp-block-post-content has-global-padding is-layout-constrained">'
        f"\n<p><strong>{escape(post.lead)}</strong></p>\n{body}</div>\n"
        '<div class="wp-block-group has-global-padding is-layout-constrained">'
        '<div class="wp-block-group is-layout-flex">'
        f'<div class="wp-block-post-date">{_time(post)}</div>\n<p>bởi</p>\n'
        '<div class="wp-block-post-author-name"><a href="'
        f'{view.base_url}/author/{post.author_slug}/" target="_self" '
        f'class="wp-block-post-author-name__link">{escape(post.author)}</a></div>\n<p>trong</p>\n'
        '<div class="taxonomy-category wp-block-post-terms"><a href="'
        f'{view.base_url}/category/{post.category_slug}/" rel="tag">{escape(post.category)}</a>'
        "</div></div></div>\n</main>"
    )
    html = head + _chrome(view, f"post-template-default single single-post postid-{post.id}", main)
    return html.encode()


def listing(view: SiteView, items: Sequence[GeneratedArticle], page: int, pages: int, base: str) -> bytes:
    extra = ""
    if page > 1:
        extra += f'<link rel="prev" href="{page_url(view, base, page - 1)}" />\n'
    if page < pages:
        extra += f'<link rel="next" href="{page_url(view, base, page + 1)}" />\n'
    posts = "".join(
        f'<li class="wp-block-post post-{a.id} post type-post status-publish hentry '
        f'category-{a.category_slug}">\n<h2 class="wp-block-post-title"><a href="'
        f'{view.base_url}{post_path(a)}" target="_self">{escape(a.title)}</a></h2>\n'
        '<div class="wp-block-post-excerpt"><p class="wp-block-post-excerpt__excerpt">'
        f'{escape(a.lead)} </p></div>\n<div class="wp-block-post-date">{_time(a)}</div></li>\n'
        for a in items
    )
    nav = []
    if page > 1:
        nav.append(f'<a href="{page_url(view, base, page - 1)}" '
                   'class="wp-block-query-pagination-previous">Trang trước</a>')  # fmt: skip
    nav.append('<div class="wp-block-query-pagination-numbers">' + "".join(
        f'<span aria-current="page" class="page-numbers current">{n}</span>' if n == page
        else f'<a class="page-numbers" href="{page_url(view, base, n)}">{n}</a>'
        for n in range(1, pages + 1)
    ) + "</div>")  # fmt: skip
    if page < pages:
        nav.append(f'<a href="{page_url(view, base, page + 1)}" '
                   'class="wp-block-query-pagination-next">Trang sau</a>')  # fmt: skip
    main = (
        '<main class="wp-block-query is-layout-constrained">\n'
        f'<ul class="wp-block-post-template is-layout-flow">\n{posts}</ul>\n'
        '<nav class="wp-block-query-pagination is-layout-flex" aria-label="Phân trang">'
        f"{''.join(nav)}</nav>\n</main>"
    )
    title = view.name + (f" – Trang {page}" if page > 1 else "")
    return (_head(view, title, extra) + _chrome(view, "home blog", main)).encode()


def page(view: SiteView, title: str, paragraph: str) -> bytes:
    main = (
        '<main class="wp-block-group"><h1 class="wp-block-post-title">'
        f"{escape(title)}</h1><p>{escape(paragraph)}</p></main>"
    )
    return (_head(view, f"{title} – {view.name}") + _chrome(view, "page", main)).encode()
