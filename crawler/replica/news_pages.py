"""HTML, RSS, sitemap and robots.txt bodies generated for news.example."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

if TYPE_CHECKING:
    from .news_site import NewsArticle

SITE_NAME = "Tin tức tổng hợp"
_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")

STATIC_PAGES = {
    "/gioi-thieu/": (
        "Giới thiệu",
        "Tin tức tổng hợp là trang tin điện tử tổng hợp tin tức thời sự, kinh tế, "
        "xã hội, giáo dục và giải trí trong nước.",
    ),
    "/lien-he/": (
        "Liên hệ",
        "Mọi ý kiến đóng góp xin gửi về toà soạn qua thư điện tử toasoan@news.example.",
    ),
    "/quang-cao/": ("Liên hệ quảng cáo", "Bảng giá quảng cáo năm 2026 sẽ được cập nhật sau."),
    "/dieu-khoan-su-dung/": (
        "Điều khoản sử dụng",
        "Nội dung trên trang được tổng hợp từ các báo điện tử; bản quyền thuộc về tác giả.",
    ),
}

_MENU = (("/", "Trang chủ"), ("/", "Tin mới nhất"), ("/gioi-thieu/", "Giới thiệu"))
_FOOTER = (
    ("/gioi-thieu/", "Giới thiệu"),
    ("/lien-he/", "Liên hệ"),
    ("/quang-cao/", "Quảng cáo"),
    ("/dieu-khoan-su-dung/", "Điều khoản sử dụng"),
    ("/rss.xml", "RSS"),
)


def page_path(page: int) -> str:
    return "/" if page == 1 else f"/trang-{page}/"


def display_date(article: NewsArticle) -> str:
    """The date as the listing shows it: ``Thứ năm, 02/11/2023 19:20``."""
    dt = article.published_at
    return f"{_WEEKDAYS[dt.weekday()]}, {dt:%d/%m/%Y %H:%M}"


def _links(items: Sequence[tuple[str, str]], css: str) -> str:
    lis = "".join(f'<li><a href="{href}">{escape(label)}</a></li>' for href, label in items)
    return f'<ul class="{css}">{lis}</ul>'


def _document(title: str, main: str, head_extra: str = "") -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="alternate" type="application/rss+xml" title="RSS" '
        'href="http://news.example/rss.xml">\n'
        f"{head_extra}</head>\n<body>\n"
        f'<header class="site-header"><a class="logo" href="/">{escape(SITE_NAME)}</a>\n'
        f'<nav class="main-menu">{_links(_MENU, "menu")}</nav></header>\n'
        f'<main class="container">\n{main}\n</main>\n'
        f'<footer class="site-footer">{_links(_FOOTER, "footer-links")}\n'
        "<p>© 2026 Tin tức tổng hợp. Giấy phép số 000/GP-BTTTT (bản mô phỏng).</p>"
        "</footer>\n</body>\n</html>\n"
    ).encode()


def _item(article: NewsArticle) -> str:
    return (
        '<article class="item-news">\n'
        f'<h3 class="title-news"><a href="{article.path}" title="{escape(article.title)}">'
        f"{escape(article.title)}</a></h3>\n"
        f'<p class="meta"><span class="cat">{escape(article.category)}</span> | '
        f'<span class="time">{display_date(article)}</span></p>\n'
        f'<p class="description">{escape(article.lead)}</p>\n</article>'
    )


def _pagination(page: int, page_count: int) -> str:
    items = []
    if page > 1:
        items.append(f'<li class="prev"><a href="{page_path(page - 1)}">Trang trước</a></li>')
    for n in range(1, page_count + 1):
        css = ' class="active"' if n == page else ""
        items.append(f'<li{css}><a href="{page_path(n)}">{n}</a></li>')
    if page < page_count:
        items.append(
            f'<li class="next"><a href="{page_path(page + 1)}" rel="next">Trang sau</a></li>'
        )
    return f'<ul class="pagination">{"".join(items)}</ul>'


def listing(items: Sequence[NewsArticle], page: int, page_count: int) -> bytes:
    """One listing page: five items, pagination, ``rel=next``/``rel=prev`` links."""
    head = ""
    if page > 1:
        head += f'<link rel="prev" href="http://news.example{page_path(page - 1)}">\n'
    if page < page_count:
        head += f'<link rel="next" href="http://news.example{page_path(page + 1)}">\n'
    title = "Tin mới nhất" + (f" - Trang {page}" if page > 1 else "")
    body = "\n".join(_item(a) for a in items)
    main = (
        f'<h1 class="title-page">{escape(title)}</h1>\n<section class="list-news">\n{body}\n'
        f"</section>\n{_pagination(page, page_count)}"
    )
    return _document(f"{title} | {SITE_NAME}", main, head)


def simple_page(title: str, paragraph: str) -> bytes:
    """A plain content page (about, contact, errors)."""
    main = f'<h1 class="title-page">{escape(title)}</h1>\n<p>{escape(paragraph)}</p>'
    return _document(f"{title} | {SITE_NAME}", main)


def rss(items: Sequence[NewsArticle], base_url: str) -> bytes:
    """An RSS 2.0 feed; pubDate in RFC 822 form with the +0700 offset."""
    last_build = format_datetime(items[0].published_at) if items else ""
    entries = "".join(
        "<item>\n"
        f"<title>{xml_escape(a.title)}</title>\n<link>{a.url}</link>\n"
        f'<guid isPermaLink="true">{a.url}</guid>\n'
        f"<description>{xml_escape(a.lead)}</description>\n"
        f"<category>{xml_escape(a.category)}</category>\n"
        f"<pubDate>{format_datetime(a.published_at)}</pubDate>\n</item>\n"
        for a in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{SITE_NAME}</title>\n<link>{base_url}/</link>\n"
        "<description>Tin mới nhất</description>\n<language>vi</language>\n"
        f"<lastBuildDate>{last_build}</lastBuildDate>\n{entries}</channel>\n</rss>\n"
    ).encode()


def sitemap(items: Sequence[NewsArticle]) -> bytes:
    """A urlset with every article URL and its publication time as lastmod."""
    urls = "".join(
        f"<url><loc>{a.url}</loc><lastmod>{a.published_at.isoformat()}</lastmod></url>\n"
        for a in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


def robots(base_url: str) -> str:
    return f"User-agent: *\nDisallow: /admin/\n\nSitemap: {base_url}/sitemap.xml\n"
