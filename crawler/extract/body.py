"""provnews' own body extractor for unknown layouts: score containers, then drop boilerplate.

Every text-bearing element gives its parent (or itself, for a ``div``/``td`` holding
text directly) a score: its length without link text; the holder's parent gets half.
The best holder is the body container. Inside it, page furniture is dropped by class
(related news, share/print, tags, comments, counters, ads), by link density (lists of
links) and by line (``Quay lại``, ``In bài``...); a short "related news"/"comments"
heading ends the body. Captions go to the image list, and stay in the text only when
the article is a photo story (captions are most of its text). Returns ``None`` when no
container is convincing; the caller then falls back to trafilatura.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from crawler.extract.bylines import clean_byline, drop_trailing_bylines, is_byline_line, looks_like_name
from crawler.extract.dates import parse_datetime
from crawler.extract.text import BLOCK_TAGS, SKIP_TAGS, clean

MIN_SCORE = 120  # non-link characters in the best container; below, nothing convincing
MIN_PARAGRAPH = 20  # characters of own text for an element to count as a paragraph
# ASP.NET and SharePoint pages wrap the whole page in one <form>: it is not furniture here.
_SKIP = SKIP_TAGS - {"form"}
_INLINE = frozenset({"a", "b", "strong", "i", "em", "u", "span", "font", "small", "big", "sub", "sup",
                     "abbr", "cite", "q", "mark", "code", "time", "s", "strike", "ins", "del"})  # fmt: skip
_PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote", "li", "dd", "h2", "h3", "h4", "h5", "h6"})
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "h1", "menu", "label"})
_BOILERPLATE = re.compile(
    r"relat|lienquan|lien-quan|tinkhac|tin-khac|tin_khac|othernews|other-news|news-other|"
    r"share|social|sociable|sharing|print|email|\btags?\b|tag-|keyword|comment|binhluan|"
    r"binh-luan|ykien|y-kien|counter|thongke|stats|banner|advert|\bads?\b|quangcao|qcao|"
    r"breadcrumb|menu|toolbar|rating|vote|poll|subscribe|newsletter|sidebar|footer|navigation",
    re.IGNORECASE,
)
_CAPTION_CLASS = re.compile(r"caption|chuthich|chu-thich|desc|legend|image|photo|img", re.IGNORECASE)
_FURNITURE_LINE = re.compile(
    r"^(?:quay lại|trở về|trở lại|về đầu trang|lên đầu trang|in bài|bản in|gửi bài|gửi cho bạn bè|"
    r"gửi email|chia sẻ|chia sẻ bài viết|lưu bài|đánh giá|bình chọn|xem thêm|xem tiếp|"
    r"số lượt xem|lượt xem|đang truy cập|top|print|share|email|facebook|twitter|zalo)\b.{0,30}$",
    re.IGNORECASE,
)
_TAGS_LINE = re.compile(r"^(?:tags?|từ khóa|từ khoá|chủ đề)\s*:", re.IGNORECASE)
_END_HEADING = re.compile(
    r"^(?:tin liên quan|bài liên quan|tin cùng chuyên mục|các tin khác|tin khác|tin đọc nhiều|"
    r"đọc thêm|xem thêm các tin|tin mới hơn|tin cũ hơn|những tin mới hơn|những tin cũ hơn|"
    r"ý kiến bạn đọc|ý kiến của bạn|bình luận|gửi bình luận|dòng sự kiện|tin bài liên quan)\b.{0,20}$",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_DATE_WORDS = re.compile(
    r"\b(?:thứ|hai|ba|tư|năm|sáu|bảy|chủ|nhật|ngày|tháng|cập|đăng|lúc|gmt|utc|am|pm|sáng|trưa|"
    r"chiều|tối|đêm|giờ)\b"
)
_STRING = etree.XPath("string()")
_SPACE = re.compile(r"\s+")
_MAX_LINK_LIST = 4000
_LINK_TEXT = etree.XPath(".//a//text() | self::a//text()")


@dataclass
class Body:
    """What the body extractor found: paragraphs and images with captions."""

    paragraphs: list[str]
    images: list[dict[str, str | None]] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    """Byline and source lines cut from the end of the body, last first."""


def extract_body(
    root: etree._Element,
    *,
    url: str | None = None,
    title: str | None = None,
    lead: str | None = None,
    author: str | None = None,
) -> Body | None:
    """The article body of a page, or ``None`` when no container scores high enough."""
    body = root.find("body") if root.tag != "body" else root
    if body is None:
        return None
    container, score = best_container(body)
    if container is None or score < MIN_SCORE:
        return None
    return read_container(container, url=url, title=title, lead=lead, author=author)


def best_container(body: etree._Element) -> tuple[etree._Element | None, float]:
    """The element holding the most paragraph text (half credit to the holder's parent).

    The winner then widens to an ancestor that adds prose of its own (a body split over
    sibling blocks, a photo story with one caption table per photo).
    """
    scores: dict[etree._Element, float] = {}
    totals: dict[etree._Element, list[int]] = {}
    for node, length, links in _paragraphs(body):
        _add_to_ancestors(totals, node, length, links)
        value = max(length - 2 * links, 0)
        holder = node.getparent() if node.tag in _PARAGRAPH_TAGS else node
        if not value or holder is None:
            continue
        scores[holder] = scores.get(holder, 0) + value
        parent = holder.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + value / 2
    if not scores:
        return None, 0.0
    for node in scores:
        if _is_boilerplate(node):
            scores[node] *= 0.2
    best = max(scores, key=lambda n: scores[n])
    wide = _widen(best, totals)
    length, links = totals.get(wide, (0, 0))
    return wide, max(scores[best], length - links)


def _add_to_ancestors(totals: dict[etree._Element, list[int]], node: etree._Element, length: int,
                      links: int) -> None:  # fmt: skip
    """Count a paragraph in every ancestor up to the first furniture-classed one."""
    current: etree._Element | None = node
    while current is not None:
        entry = totals.setdefault(current, [0, 0])
        entry[0] += length
        entry[1] += links
        if _is_boilerplate(current):
            return
        current = current.getparent()


def _widen(best: etree._Element, totals: dict[etree._Element, list[int]]) -> etree._Element:
    def prose(node: etree._Element) -> int:
        length, links = totals.get(node, (0, 0))
        return length - links

    for _ in range(6):
        parent = best.getparent()
        if parent is None or parent.tag in ("body", "html") or _is_boilerplate(parent):
            break
        length, links = totals.get(parent, (0, 0))
        gained = prose(parent) - prose(best)
        if gained == 0 or (gained >= 0.25 * prose(best) and links <= 0.3 * length):
            best = parent
        else:
            break
    return best


def _paragraphs(body: etree._Element) -> Iterator[tuple[etree._Element, int, int]]:
    """``(element, own text length, own link text length)`` for text-bearing elements."""
    stack = [body]
    while stack:
        node = stack.pop()
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _SKIP and child.tag not in _FURNITURE_TAGS:
                stack.append(child)
        if node.tag in BLOCK_TAGS or node.tag == "body":
            length, links = _own_text(node)
            if length >= MIN_PARAGRAPH:
                yield node, length, links


def _own_text(node: etree._Element) -> tuple[int, int]:
    """Length of the text directly in ``node`` and its inline children, and of its link text."""
    length = len((node.text or "").strip())
    links = 0
    for child in node:
        tag = child.tag
        if tag in _INLINE:
            text = _STRING(child).strip()
            length += len(text)
            if tag == "a":
                links += len(text)
            elif len(child):
                links += sum(len(t.strip()) for t in _LINK_TEXT(child))
        length += len((child.tail or "").strip())
    return length, links


def _is_boilerplate(node: etree._Element) -> bool:
    marks = f"{node.get('class', '')} {node.get('id', '')}"
    return bool(marks.strip()) and bool(_BOILERPLATE.search(marks))


def _is_caption(node: etree._Element) -> bool:
    if node.tag in ("figcaption", "caption"):
        return True
    marks = f"{node.get('class', '')} {node.get('id', '')}"
    return bool(marks.strip()) and bool(_CAPTION_CLASS.search(marks)) and node.find(".//img") is None


def _link_heavy(node: etree._Element) -> bool:
    """A block that is mostly links: a related-news list, a tag cloud, a menu."""
    if node.tag not in ("ul", "ol", "div", "table", "p", "section", "dl"):
        return False
    text = _STRING(node)
    if len(text) > _MAX_LINK_LIST:
        return False  # long blocks hold the body; their link lists are checked one by one
    length = len(_SPACE.sub("", text))
    if not length:
        return False
    links = sum(len(_SPACE.sub("", t)) for t in _LINK_TEXT(node))
    return links / length > 0.5


def read_container(
    container: etree._Element,
    *,
    url: str | None,
    title: str | None,
    lead: str | None,
    author: str | None,
) -> Body:
    """Paragraphs and images of a body container, without furniture."""
    reader = _Reader(url)
    reader.walk(container, root=True)
    lines = reader.lines()
    captions = {line for line, is_caption in lines if is_caption}
    prose = [line for line, is_caption in lines if not is_caption]
    photo_story = 2 * sum(map(len, prose)) < sum(map(len, captions))
    paragraphs = [line for line, is_caption in lines if photo_story or not is_caption]
    kept, credits = _trim(paragraphs, title=title, lead=lead, author=author)
    return Body(paragraphs=kept, images=reader.images, credits=credits)


def _trim(
    paragraphs: list[str], *, title: str | None, lead: str | None, author: str | None
) -> tuple[list[str], list[str]]:
    """The body lines, and the byline/credit lines cut from its end."""
    out: list[str] = []
    for line in paragraphs:
        if len(line) < 60 and _END_HEADING.match(line) and out:
            break
        if line == title or _FURNITURE_LINE.match(line) or _TAGS_LINE.match(line) or not _LETTER.search(line):
            continue
        if not out and _is_heading_furniture(line, lead):
            continue
        out.append(line)
    cut = len(out)
    if author:  # the byline ends the body: "Nguyễn Đình Quân" then "Chia sẻ bài viết..."
        for i in range(len(out) - 1, max(len(out) - 4, 0), -1):
            if clean_byline(out[i]) == author or (is_byline_line(out[i], author) and author in out[i]):
                cut = i
                break
    kept = drop_trailing_bylines(out[:cut], author)
    return kept, [line for line in reversed(out[len(kept) :]) if len(line) <= 120][:3]


def _is_heading_furniture(line: str, lead: str | None) -> bool:
    """Lines above the body proper: the lead again, a date stamp, a credit line."""
    if lead and (line in lead or lead.startswith(line[:80])):
        return True
    return is_dateline(line) or (len(line) < 60 and is_byline_line(line) and not looks_like_name(line))


def is_dateline(line: str) -> bool:
    """A short line that is only a date stamp: ``15:20 PM | 21/12/2012``, ``Thứ Ba, 25/12/2012``."""
    if len(line) > 80 or parse_datetime(line) is None:
        return False
    words = _DATE_WORDS.sub(" ", line.lower())
    return len(_LETTER_WORD.findall(words)) <= 1


class _Reader:
    """Walks a container in document order, collecting lines (with a caption flag) and images."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.parts: list[tuple[str, bool]] = []
        self.images: list[dict[str, str | None]] = []
        self._pending: list[int] = []

    def walk(self, node: etree._Element, caption: bool = False, root: bool = False) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP or tag in _FURNITURE_TAGS:
            return
        if not root and tag in BLOCK_TAGS and _is_boilerplate(node):
            return
        if tag == "img":
            self._image(node)
            return
        if not root and tag in BLOCK_TAGS and _link_heavy(node):
            return
        if not caption and tag and _is_caption(node):
            caption = True
            self._caption(clean(_STRING(node)))
        block = tag in BLOCK_TAGS or tag == "br"
        if block:
            self.parts.append(("\n", caption))
        if node.text and tag:
            self.parts.append((node.text, caption))
        for child in node:
            self.walk(child, caption)
            if child.tail:
                self.parts.append((child.tail, caption))
        if block:
            self.parts.append(("\n", caption))

    def _image(self, node: etree._Element) -> None:
        """An image, its ``alt`` as caption until a caption element says otherwise."""
        sources = (node.get(name) for name in ("data-src", "data-original", "src"))
        src = next((s.strip() for s in sources if s and s.strip() and not s.startswith("data:")), None)
        if src is None:
            return
        self._pending.append(len(self.images))
        self.images.append({"url": urljoin(self.url or "", src), "caption": clean(node.get("alt"))})

    def _caption(self, text: str | None) -> None:
        """A caption element describes the images since the previous caption."""
        if text:
            for index in self._pending:
                self.images[index]["caption"] = text
        self._pending = []

    def lines(self) -> list[tuple[str, bool]]:
        """Cleaned lines; a line is a caption when all its text came from caption elements."""
        out: list[tuple[str, bool]] = []
        text: list[str] = []
        flags: list[bool] = []
        for piece, caption in [*self.parts, ("\n", False)]:
            for i, chunk in enumerate(piece.split("\n")):
                if i:  # a line break: flush the current line
                    line = clean("".join(text))
                    if line:
                        out.append((line, all(flags)))
                    text, flags = [], []
                text.append(chunk)
                if chunk.strip():
                    flags.append(caption)
        return out
