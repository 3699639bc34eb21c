"""NukeViet eGovernment markup for the bench site, cut from the real captured pages.

Each real article page of ``tests/fixtures/nukeviet/articles/`` becomes a template: the
fields of its own article (title, path, date, author, sapo, body) are replaced by slots,
the rest (menus, banners, polls, footer, scripts) stays byte for byte. Listings come the
same way from the captured category listing. Rendering is a join of literal chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "nukeviet"
HOST = "nv.bench.example"
BASE = f"http://{HOST}"
_SLOT = "\x00"
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


@dataclass(frozen=True)
class Template:
    """Literal chunks and slot names, alternating: chunk, slot, chunk, ..., chunk."""

    parts: tuple[str, ...]

    def render(self, values: dict[str, str]) -> str:
        out = []
        for i, part in enumerate(self.parts):
            out.append(values[part] if i % 2 else part)
        return "".join(out)


def _slot(name: str) -> str:
    return f"{_SLOT}{name}{_SLOT}"


def _compile(html: str) -> Template:
    return Template(tuple(html.split(_SLOT)))


def _sub_once(pattern: str, repl: str, html: str, what: str) -> str:
    new, n = re.subn(pattern, repl, html, count=1, flags=re.S)
    if n != 1:
        raise ValueError(f"template: {what} not found")
    return new


def article_template(html: str, label: dict) -> Template:
    """Slots: title, path, iso, display, author, lead, body, extra."""
    path = label["url"].removeprefix("http://portal.example")
    html = html.replace("http://portal.example", BASE)
    html = _sub_once(r'(<div id="news-bodyhtml"[^>]*>).*?(\n        </div>\n)',
                     rf"\1{_slot('body')}\2", html, "body")
    html = _sub_once(r'(<div class="hometext[^"]*"[^>]*>).*?(</div>)',
                     rf"\1{_slot('lead')}\2", html, "hometext") if 'class="hometext' in html else html
    html = re.sub(r'(<meta (?:name|property)="(?:og:)?description" content=")[^"]*(")',
                  rf"\1{_slot('lead')}\2", html)
    html = re.sub(r"<title>[^<]*</title>", f"<title>{_slot('title')}</title>", html, count=1)
    html = re.sub(r'(<meta property="og:title" content=")[^"]*', rf"\1{_slot('title')}", html)
    html = re.sub(r'(<h1 [^>]*itemprop="headline">)[^<]*', rf"\1{_slot('title')}", html)
    html = html.replace(path, _slot("path"))
    html = re.sub(r'(itemprop="date(?:Published|Modified)">)[^<]*', rf"\1{_slot('iso')}", html)
    html = html.replace(label["published_display"], _slot("display"))
    html = _sub_once(r'(itemprop="author"[^>]*>\s*<span itemprop="name">)[^<]*',
                     rf"\1{_slot('author')}", html, "author") if 'itemprop="author"' in html else html
    html = re.sub(r"(<strong>Tác giả bài viết: </strong>)[^<\n]*", rf"\1{_slot('author')}", html)
    marker = '<div class="news_column panel panel-default newsdetailbox">'
    html = html.replace(marker, _slot("extra") + marker, 1)
    for name in ("title", "path", "display", "body", "extra", "iso"):
        if _slot(name) not in html:
            raise ValueError(f"template {label['id']}: no slot {name}")
    return _compile(html)


def load_templates() -> dict[str, list[Template]]:
    """Article templates by category name (only pages that show an author line)."""
    out: dict[str, list[Template]] = {}
    for line in (FIXTURES / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        if not label.get("author"):
            continue
        html = (FIXTURES / label["file"]).read_text(encoding="utf-8")
        try:
            out.setdefault(label["category"], []).append(article_template(html, label))
        except ValueError:
            continue  # a page whose fields are not where the theme usually puts them
    return out


def listing_template() -> Template:
    """The captured category listing with its items, heading and pagination as slots."""
    html = (FIXTURES / "listing" / "tin-tuc-su-kien_page-2.html").read_text(encoding="utf-8")
    html = html.replace("http://portal.example", BASE)
    html = _sub_once(r'(<div class="news_column listpage">).*?(</div>\n<div class="clearfix"></div>)',
                     rf"\1{_slot('items')}\2", html, "listing items")
    html = _sub_once(r'(<ul class="pagination">).*?(</ul>)', rf"\1{_slot('pages')}\2", html, "pagination")
    html = html.replace("/tin-tuc-su-kien/page-2/", _slot("path"))
    html = re.sub(r"<title>[^<]*</title>", f"<title>{_slot('title')}</title>", html, count=1)
    html = html.replace("<h2>Tin tức - Sự kiện</h2>", f"<h2>{_slot('category')}</h2>", 1)
    html = re.sub(r'<link rel="(?:prev|next)"[^>]*>\n?', "", html)
    html = html.replace("</head>", _slot("head") + "</head>", 1)
    return _compile(html)


def display(dt) -> str:
    return f"{WEEKDAYS[dt.weekday()]} - {dt:%d/%m/%Y %H:%M}"


def body_html(paragraphs: Sequence[str]) -> str:
    return "".join(f"\n            <p>{escape(p, quote=False)}</p>" for p in paragraphs)


def related_block(items: Sequence[tuple[str, str, str]]) -> str:
    """'Tin cùng chuyên mục' box: (path, title, dd/mm/yyyy) per item, as the theme prints it."""
    rows = "".join(
        '\n                        <li>\n                            <em class="fa fa-angle-right">'
        f'&nbsp;</em>\n                            <a href="{path}" data-placement="bottom" '
        f'data-content="{escape(title)}" data-img="/uploads/no-image.jpg" data-rel="tooltip" '
        f'title="{escape(title)}">{escape(title)}</a>\n                            <em>({day})</em>'
        "\n                        </li>"
        for path, title, day in items
    )
    return (
        '<div class="news_column panel panel-default newsdetailbox">\n    <div class="panel-body '
        'other-news">\n        <h4 class="h2">Tin cùng chuyên mục</h4>\n'
        f'                    <ul class="related related-square">{rows}\n                    </ul>'
        "\n    </div>\n</div>\n"
    )


def listing_item(path: str, title: str, when, lead: str, first: bool) -> str:
    tag = "h2" if first else "h3"
    t = escape(title)
    return (
        f'\n\t<div class="panel panel-default">\n\t\t<div class="panel-body{" featured" if first else ""}">'
        f'\n\t\t\t<a href="{path}" title="{t}" ><img alt="{t}" src="/assets/news/no-image.jpg" '
        f'width="183" class="img-thumbnail pull-left imghome" /></a>\n\t\t\t<{tag}>\n\t\t\t\t'
        f'<a href="{path}" title="{t}" >{t}</a>\n\t\t\t</{tag}>\n\t\t\t<div class="text-muted">'
        '\n\t\t\t\t<ul class="list-unstyled list-inline">\n\t\t\t\t\t<li><em class="fa fa-clock-o">'
        f'&nbsp;</em> {when:%d/%m/%Y %I:%M:%S %p}</li>\n\t\t\t\t</ul>\n\t\t\t</div>\n\t\t\t'
        f'{escape(lead, quote=False)}\n            <div class="viewmore text-right">\n'
        f'                <a href="{path}" class="more">Xem tiếp&nbsp;<i class="fa fa-caret-right"'
        ' aria-hidden="true"></i></a>\n            </div>\n\t\t</div>\n\t</div>'
    )


def page_path(cat_slug: str, page: int) -> str:
    return f"/{cat_slug}/" + (f"page-{page}/" if page > 1 else "")


def pagination(cat: str, cat_slug: str, page: int, pages: int) -> tuple[str, str]:
    """(the <ul class=pagination> items, <link rel=prev/next> for the head)."""
    links, head = [], ""
    if page > 1:
        prev = page_path(cat_slug, page - 1)
        links.append(f'<li><a rel="prev" title="{cat} - Trang {page - 1}" href="{prev}">&laquo;</a></li>')
        head += f'<link rel="prev" href="{BASE}{prev}">\n'
    for n in range(max(1, page - 2), min(pages, page + 2) + 1):
        if n == page:
            links.append(f'<li class="active"><a href="#">{n}</a></li>')
        else:
            links.append(f'<li><a title="{cat} - Trang {n}" href="{page_path(cat_slug, n)}">{n}</a></li>')
    if page < pages:
        nxt = page_path(cat_slug, page + 1)
        links.append(f'<li><a rel="next" title="{cat} - Trang {page + 1}" href="{nxt}">&raquo;</a></li>')
        head += f'<link rel="next" href="{BASE}{nxt}">\n'
    return "".join(links), head
