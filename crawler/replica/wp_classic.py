"""WordPress classic-theme HTML (underscores-style, as Twenty Fifteen/Sixteen) for generated sites.

Single posts: ``h1.entry-title``, a ``.entry-meta`` line with ``time.entry-date``
(``published``, plus ``time.updated`` once edited), ``.byline .author.vcard`` and
``.cat-links a[rel="category tag"]``, the body in ``.entry-content``. A "recent posts"
widget in the sidebar links the five newest posts. Listings paginate with
``.nav-links .nav-previous`` ("Bài cũ hơn") and have no ``<link rel=next>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .generated import GeneratedArticle, SiteView
from .wordpress_site import WP_VERSION, page_url, post_path


def display_date(value_article: GeneratedArticle) -> str:
    return f"{value_article.published:%d/%m/%Y}"


def _meta(view: SiteView, post: GeneratedArticle) -> str:
    url = view.base_url + post_path(post)
    if post.modified != post.published:
        times = (
            f'<time class="entry-date published" datetime="{post.published.isoformat()}">'
            f'{display_date(post)}</time><time class="updated" datetime="'
            f'{post.modified.isoformat()}">{post.modified:%d/%m/%Y}</time>'
        )
    else:
        times = (
            f'<time class="entry-date published updated" datetime="{post.published.isoformat()}">'
            f"{display_date(post)}</time>"
        )
    return (
        f'<div class="entry-meta"><span class="posted-on">Đăng ngày <a href="{url}" rel="bookmark">'
        f'{times}</a></span><span class="byline"> bởi <span class="author vcard"><a class="url fn n" '
        f'href="{view.base_url}/author/{post.author_slug}/">{escape(post.author)}</a></span></span>'
        f'<span class="cat-links"> Chuyên mục: <a href="{view.base_url}/category/'
        f'{post.category_slug}/" rel="category tag">{escape(post.category)}</a></span></div>'
    )


def _document(view: SiteView, title: str, body_class: str, main: str, extra: str = "") -> bytes:
    recent = "".join(
        f'<li><a href="{view.base_url}{post_path(a)}">{escape(a.title)}</a></li>' for a in view.articles[:5]
    )
    html = (
        '<!DOCTYPE html>\n<html lang="vi" class="no-js">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="alternate" type="application/rss+xml" title="{escape(view.name)} &raquo; '
        f'Dòng thông tin" href="{view.base_url}/feed/" />\n'
        f"<link rel='stylesheet' id='twentysixteen-style-css' href='{view.base_url}"
        "/wp-content/themes/twentysixteen/style.css?ver=20231107' media='all' />\n"
        f'<link rel="https://api.w.org/" href="{view.base_url}/wp-json/" />\n'
        f'<meta name="generator" content="WordPress {WP_VERSION}" />\n{extra}</head>\n'
        f'<body class="{body_class}">\n<div id="page" class="site"><div class="site-inner">\n'
        '<header id="masthead" class="site-header"><div class="site-branding">'
        f'<p class="site-title"><a href="{view.base_url}/" rel="home">{escape(view.name)}</a></p>'
        '</div><nav id="site-navigation" class="main-navigation"><div class="menu"><ul>'
        f'<li><a href="{view.base_url}/">Trang chủ</a></li>'
        f'<li><a href="{view.base_url}/gioi-thieu/">Giới thiệu</a></li></ul></div></nav></header>\n'
        '<div id="content" class="site-content">\n<div id="primary" class="content-area">'
        f'<main id="main" class="site-main">\n{main}\n</main></div>\n'
        '<aside id="secondary" class="sidebar widget-area"><section class="widget '
        'widget_recent_entries"><h2 class="widget-title">Bài viết mới</h2>'
        f"<ul>{recent}</ul></section></aside>\n</div>\n"
        '<footer id="colophon" class="site-footer"><div class="site-info">'
        f'{escape(view.name)} <a href="https://vi.wordpress.org/">Vận hành bởi WordPress</a>'
        "</div></footer>\n</div></div>\n</body>\n</html>\n"
    )
    return html.encode()


def article(view: SiteView, post: GeneratedArticle) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in post.paragraphs)
    main = (
        f'<article id="post-{post.id}" class="post-{post.id} post type-post status-publish '
        f'format-standard hentry category-{post.category_slug}">\n'
        f'<header class="entry-header"><h1 class="entry-title">{escape(post.title)}</h1>\n'
        f"{_meta(view, post)}</header>\n"
        f'<div class="entry-content">\n<p><strong>{escape(post.lead)}</strong></p>\n{body}</div>\n'
        "</article>"
    )
    extra = f'<link rel="canonical" href="{view.base_url}{post_path(post)}" />\n'
    classes = f"post-template-default single single-post postid-{post.id}"
    return _document(view, f"{post.title} – {view.name}", classes, main, extra)


def listing(view: SiteView, items: Sequence[GeneratedArticle], page: int, pages: int, base: str) -> bytes:
    posts = "".join(
        f'<article id="post-{a.id}" class="post-{a.id} post type-post status-publish hentry">\n'
        f'<header class="entry-header"><h2 class="entry-title"><a href="{view.base_url}'
        f'{post_path(a)}" rel="bookmark">{escape(a.title)}</a></h2>\n{_meta(view, a)}</header>\n'
        f'<div class="entry-summary"><p>{escape(a.lead)}</p></div>\n</article>\n'
        for a in items
    )
    links = ""
    if page < pages:
        links += (f'<div class="nav-previous"><a href="{page_url(view, base, page + 1)}">'
                  "Bài cũ hơn</a></div>")  # fmt: skip
    if page > 1:
        links += (f'<div class="nav-next"><a href="{page_url(view, base, page - 1)}">'
                  "Bài mới hơn</a></div>")  # fmt: skip
    nav = (
        '<nav class="navigation posts-navigation" aria-label="Bài viết">'
        '<h2 class="screen-reader-text">Điều hướng bài viết</h2>'
        f'<div class="nav-links">{links}</div></nav>'
    )
    title = view.name + (f" – Trang {page}" if page > 1 else "")
    return _document(view, title, "home blog hfeed", posts + nav)


def page(view: SiteView, title: str, paragraph: str) -> bytes:
    main = (
        f'<article class="page type-page"><header class="entry-header"><h1 class="entry-title">'
        f'{escape(title)}</h1></header><div class="entry-content"><p>{escape(paragraph)}</p>'
        "</div></article>"
    )
    return _document(view, f"{title} – {view.name}", "page", main)
