"""Base texts for the generated replica sites: real government-news prose, reused.

The 93 labelled articles of the captured NukeViet portal (``tests/fixtures/nukeviet/
labels.jsonl``) give titles, sapos, first and last body paragraphs, bylines and
categories in the style of Vietnamese provincial news. Generated sites draw from this
pool with a seeded shuffle, so every run serves the same pages.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Bylines for labelled articles that show none (every generated article has an author).
FALLBACK_AUTHORS = (
    "Minh Ngọc", "Thu Hà", "Lò Văn Thắng", "Hoàng Yến", "Quàng Thị Duyên", "Ngọc Anh",
)  # fmt: skip
_MIDDLE = (
    "Thời gian tới, các cấp, các ngành tiếp tục tăng cường công tác phối hợp, "
    "kịp thời tháo gỡ khó khăn, vướng mắc phát sinh trong quá trình triển khai.",
    "Theo báo cáo, đến nay các chỉ tiêu chủ yếu đều đạt và vượt kế hoạch đề ra; "
    "đời sống vật chất, tinh thần của Nhân dân từng bước được nâng lên.",
    "Đại diện các sở, ngành, địa phương đã thảo luận, làm rõ những kết quả đạt được, "
    "tồn tại, hạn chế và đề xuất giải pháp trong thời gian tới.",
)


@dataclass(frozen=True)
class BaseText:
    """One article's worth of text, taken from a labelled real page."""

    title: str
    lead: str
    paragraphs: tuple[str, ...]
    author: str
    category: str


def slugify(text: str, max_words: int = 10) -> str:
    """ASCII slug of a Vietnamese title: ``"Đại hội Đảng bộ"`` -> ``"dai-hoi-dang-bo"``."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", text)
    return "-".join(words[:max_words]) or "bai-viet"


def load_texts(fixtures_dir: Path) -> list[BaseText]:
    """Every labelled article of the NukeViet capture as a :class:`BaseText`."""
    path = fixtures_dir / "nukeviet" / "labels.jsonl"
    texts = []
    for i, line in enumerate(filter(None, path.read_text(encoding="utf-8").splitlines())):
        row = json.loads(line)
        middle = _MIDDLE[i % len(_MIDDLE)]
        paragraphs = tuple(p for p in (row.get("body_first"), middle, row.get("body_last")) if p)
        texts.append(
            BaseText(
                title=row["title"],
                lead=row.get("lead") or row.get("hometext") or paragraphs[0],
                paragraphs=paragraphs,
                author=row.get("author") or FALLBACK_AUTHORS[i % len(FALLBACK_AUTHORS)],
                category=row.get("category") or "Tin tức - Sự kiện",
            )
        )
    return texts
