"""HTML of the Liferay-style portal: portal chrome, asset publisher abstracts and full content."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .generated import GeneratedArticle, SiteView

INSTANCE = "tQ7xLmB2kPzR"
_PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet"
NEWS_PAGE = "/web/guest/tin-tuc"


def portlet_id(instance: str) -> str:
    return f"{_PORTLET}_INSTANCE_{instance}"


def article_path(article: GeneratedArticle, instance: str) -> str:
    return f"{NEWS_PAGE}/-/asset_publisher/{instance}/content/{article.slug}"


def page_href(view: SiteView, instance: str, page: int) -> str:
    """A ``p_p_id`` pagination link, HTML-escaped as Liferay writes it."""
    pid = portlet_id(instance)
    query = f"p_p_id={pid}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&_{pid}_cur={page}&_{pid}_delta=10"
    return escape(f"{view.base_url}{NEWS_PAGE}?{query}")


def display_time(value: GeneratedArticle) -> str:
    return f"{value.published:%d/%m/%Y %H:%M}"


def _document(view: SiteView, title: str, portlet: str, instance: str) -> bytes:
    pid = portlet_id(instance)
    html = (
        '<!DOCTYPE html>\n<html class="ltr" dir="ltr" lang="vi-VN">\n<head>\n'
        f"<title>{escape(title)} - {escape(view.name)}</title>\n"
        '<meta content="text/html; charset=UTF-8" http-equiv="content-type" />\n'
        '<link href="/o/gov-theme/images/favicon.ico" rel="icon" />\n'
        '<link href="/o/frontend-theme-font-awesome-web/css/main.css" rel="stylesheet" />\n'
        f'<link rel="alternate" type="application/atom+xml" title="Tin tức" href="{view.base_url}'
        f'{NEWS_PAGE}/-/asset_publisher/{instance}/rss" />\n'
        '<script src="/o/frontend-js-web/liferay/global.bundle.js" type="text/javascript"></script>\n'
        "<script>var themeDisplay = Liferay.ThemeDisplay = {getLanguageId: function() "
        "{return 'vi_VN';}, getPathThemeImages: function() {return '/o/gov-theme/images';}};"
        "</script>\n</head>\n"
        '<body class="controls-visible signed-out public-page site">\n<div id="wrapper">\n'
        '<header id="banner"><div id="heading"><a class="logo" href="/web/guest" title="'
        f'{escape(view.name)}">{escape(view.name)}</a></div>\n<nav id="navigation" class="sort-pages">'
        '<ul><li><a href="/web/guest/trang-chu"><span>Trang chủ</span></a></li>'
        f'<li class="selected"><a href="{NEWS_PAGE}"><span>Tin tức</span></a></li></ul></nav></header>\n'
        '<section id="content"><div class="columns-1" id="main-content" role="main">\n'
        f'<section class="portlet" id="portlet_{pid}">\n'
        f'<div class="portlet-boundary portlet-boundary_{_PORTLET}_ portlet-static '
        f'portlet-static-end portlet-decorate portlet-asset-publisher" id="p_p_id_{pid}_">\n'
        f'<span id="p_{pid}"></span>\n<div class="portlet-content">\n{portlet}\n</div></div>\n'
        "</section>\n</div></section>\n"
        '<footer id="footer"><p class="powered-by">Cơ quan chủ quản: Văn phòng UBND '
        "(bản mô phỏng)</p></footer>\n</div>\n</body>\n</html>\n"
    )
    return html.encode()


def _abstract(view: SiteView, article: GeneratedArticle, instance: str) -> str:
    url = escape(view.base_url + article_path(article, instance))
    return (
        '<div class="asset-abstract default-asset-publisher">\n'
        f'<h3 class="asset-title"><a href="{url}">{escape(article.title)}</a></h3>\n'
        '<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">'
        f"{display_time(article)}</span></div>\n"
        f'<div class="asset-content"><div class="asset-summary">{escape(article.lead)}</div>'
        f'<div class="asset-more"><a href="{url}">Xem thêm <span class="hide-accessible">'
        f"về {escape(article.title)}</span> »</a></div></div>\n</div>\n"
    )


def _iterator(view: SiteView, page: int, count: int, instance: str) -> str:
    def button(label: str, target: int, enabled: bool, css: str = "") -> str:
        href = page_href(view, instance, target) if enabled else "javascript:;"
        classes = " ".join(c for c in (css, "" if enabled else "disabled") if c)
        return f'<li class="{classes}"><a href="{href}">{label}</a></li>'

    buttons = (
        button("&larr; Đầu", 1, page > 1, "first")
        + button("Trước", page - 1, page > 1)
        + button("Tiếp", page + 1, page < count)
        + button("Cuối &rarr;", count, page < count, "last")
    )
    return (
        f'<div class="taglib-page-iterator" id="_{portlet_id(instance)}_pageIterator">'
        '<div class="clearfix lfr-pagination"><div class="lfr-pagination-config">'
        f'<div class="lfr-pagination-page-selector">Trang {page} / {count}</div></div>'
        f'<ul class="lfr-pagination-buttons pager">{buttons}</ul></div></div>'
    )


def listing(
    view: SiteView, items: Sequence[GeneratedArticle], page: int, count: int, instance: str,
    *, home: bool,
) -> bytes:  # fmt: skip
    abstracts = "".join(_abstract(view, a, instance) for a in items)
    portlet = (
        f'<h2 class="portlet-title-text">Tin tức</h2>\n{abstracts}{_iterator(view, page, count, instance)}'
    )
    return _document(view, "Trang chủ" if home else "Tin tức", portlet, instance)


def article(view: SiteView, post: GeneratedArticle, instance: str) -> bytes:
    paragraphs = "".join(f'<p style="text-align: justify;">{escape(p)}</p>\n' for p in post.paragraphs)
    modified = ""
    if post.modified != post.published:
        modified = (
            '<span class="metadata-entry metadata-modified-date">Cập nhật: '
            f"{post.modified:%d/%m/%Y %H:%M}</span>"
        )
    portlet = (
        '<div class="asset-full-content clearfix default-asset-publisher show-asset-title">\n'
        '<div class="taglib-header"><span class="header-back-to"><a href="'
        f'{NEWS_PAGE}" title="Quay lại">Quay lại</a></span>\n'
        f'<h3 class="header-title"><span class="asset-title">{escape(post.title)}</span></h3></div>\n'
        '<div class="asset-metadata"><span class="metadata-entry metadata-publish-date">'
        f"{display_time(post)}</span>{modified}"
        f'<span class="metadata-entry metadata-author">Tác giả: {escape(post.author)}</span></div>\n'
        f'<span class="asset-anchor lfr-asset-anchor" id="{post.id}"></span>\n'
        '<div class="asset-content"><div class="journal-content-article" '
        f'data-analytics-asset-id="{post.id}" data-analytics-asset-type="web-content">\n'
        f'<p style="text-align: justify;"><strong>{escape(post.lead)}</strong></p>\n{paragraphs}'
        "</div></div>\n"
        '<div class="asset-categories"><span class="taglib-asset-categories-summary">'
        '<span class="asset-vocabulary">Chuyên mục:</span> <a class="asset-category" href="'
        f'{NEWS_PAGE}/-/asset_publisher/{instance}/category/{post.category_slug}">'
        f"{escape(post.category)}</a></span></div>\n</div>"
    )
    return _document(view, post.title, portlet, instance)


def not_found(view: SiteView) -> bytes:
    portlet = '<div class="alert alert-danger">Không tìm thấy tài nguyên được yêu cầu.</div>'
    return _document(view, "Không tìm thấy", portlet, INSTANCE)
