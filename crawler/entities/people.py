"""People: a cue or a role before a name, or a full name with a known surname; roles after."""

from __future__ import annotations

from crawler.entities import lexicon as lx
from crawler.entities._text import Phrases, Token, longest
from crawler.entities.gazetteer import name_key
from crawler.entities.model import Mention

_SEG_END = {",", ";", ".", ")", ":", "(", "!", "?", '"', "“", "”", "\n"}
_CUES_BY_LEN = Phrases(lx.CUES)
_ROLE_HEADS = Phrases(lx.ROLE_HEADS)


def _sentence_start(toks: list[Token], i: int, text: str) -> bool:
    return i == 0 or toks[i - 1].text in {".", "!", "?", ":", '"', "“", "-", "–", "\n"}


def _name_at(toks: list[Token], j: int, lo: int, hi: int, places: set[str]) -> int:
    """Number of tokens of a capitalised name at ``j`` (between ``lo`` and ``hi``), or 0."""
    k = j
    while (k < len(toks) and k - j < hi and toks[k].cap and toks[k].text.isalpha()) or (
        k < len(toks) and k > j and toks[k].text in {"H'", "Y"}
    ):
        k += 1
    n = k - j
    if n < lo or toks[j].text in lx.NOT_NAMES:
        return 0
    if name_key(" ".join(t.text for t in toks[j:k])) in places:
        return 0
    if n >= 3 and name_key(" ".join(t.text for t in toks[j : j + 2])) in places:
        return 0
    return n


def _role_chain(toks: list[Token], i: int, text: str) -> tuple[list[str], int]:
    """Role segments after a name at token ``i`` (", Bí thư huyện ủy, Chủ tịch HĐND huyện")."""
    roles: list[str] = []
    while i < len(toks) and toks[i].text in {",", "-", "–", "("} and len(roles) < 8:
        _, n = longest(toks, i + 1, _ROLE_HEADS)
        if not n:
            break
        start, k = i + 1, i + 1 + n
        while k < len(toks) and toks[k].text not in _SEG_END:
            t = toks[k]
            if t.cap and t.text in lx.SURNAMES and _name_at(toks, k, 2, 4, set()) and not toks[k - 1].cap:
                return roles, i  # "…, Thủ tướng Chính phủ Phạm Minh Chính": the next person's role
            if (
                t.text in {"-", "–"}
                and k + 1 < len(toks)
                and not (toks[k + 1].cap or toks[k + 1].text.isupper())
            ):
                break
            if not t.cap and t.low in lx.ROLE_STOPS and not _inside_org(toks, k):
                break
            if t.low in {"đồng", "ông", "bà", "đ/c"} and longest(toks, k, _CUES_BY_LEN)[1]:
                break
            k += 1
        roles.append(text[toks[start].start : toks[k - 1].end])
        i = k
        if i < len(toks) and toks[i].text == ")":
            i += 1
    return roles, i


def _inside_org(toks: list[Token], k: int) -> bool:
    """ "và" between two capitalised words belongs to an organisation name."""
    return toks[k].low == "và" and k + 1 < len(toks) and toks[k + 1].cap


def _role_before(toks: list[Token], i: int, text: str, places: set[str]) -> tuple[int, int, str]:
    """A role written before a name ("Bí thư Tỉnh ủy Hồ Quốc Dũng"): (name index, length, role)."""
    _, n = longest(toks, i, _ROLE_HEADS)
    if not n or not toks[i].cap:
        return 0, 0, ""
    k = i + n
    while k < len(toks) and k - i < 12 and toks[k].text not in _SEG_END:
        t = toks[k]
        if t.cap and t.text in lx.SURNAMES and k + 1 < len(toks) and toks[k + 1].cap:
            m = _name_at(toks, k, 2, 4, places)
            if m and toks[k - 1].text not in {"-", "–"}:
                return k, m, text[toks[i].start : toks[k - 1].end]
        if not t.cap and t.low in lx.ROLE_STOPS:
            break
        k += 1
    return 0, 0, ""


def _roles_backwards(toks: list[Token], i: int, text: str) -> list[str]:
    """Earlier segments of a chain written before the name ("Ủy viên Bộ Chính trị, Giám đốc …, X")."""
    out: list[str] = []
    while i > 1 and toks[i - 1].text == "," and len(out) < 6:
        s = i - 2
        while s > 0 and toks[s - 1].text not in _SEG_END and toks[s - 1].text not in {"-", "–"}:
            s -= 1
        if not toks[s].cap or not longest(toks, s, _ROLE_HEADS)[1]:
            break
        out.insert(0, text[toks[s].start : toks[i - 2].end])
        i = s
    return out


def _mention(toks, j, m, text, cue_start, cue, roles, priority) -> Mention:
    name = text[toks[j].start : toks[j + m - 1].end]
    return Mention(
        start=toks[j].start, end=toks[j + m - 1].end, label="PER", text=name,
        normalized=" ".join(w[:1].upper() + w[1:].lower() for w in name.split()),
        outer_start=cue_start, cue=cue, roles=roles, priority=priority,
    )  # fmt: skip


def find_people(toks: list[Token], text: str, places: set[str]) -> list[Mention]:
    """Person mentions; ``places`` holds name keys that are places, never names."""
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        found = _person_at(toks, i, text, places)
        if found is None:
            i += 1
            continue
        mention, nxt = found
        out.append(mention)
        i = nxt
    return out


def _person_at(toks, i, text, places) -> tuple[Mention, int] | None:
    t = toks[i]
    cue, n = longest(toks, i, _CUES_BY_LEN)
    if n and (not t.cap or _sentence_start(toks, i, text) or n > 1 or t.low in {"ông", "bà", "đ/c"}):
        m = _name_at(toks, i + n, 1 if cue in lx.STRONG_CUES else 2, 5, places)
        whole = name_key(" ".join(x.text for x in toks[i : i + n + m]))
        if m and whole not in places:
            roles, nxt = _role_chain(toks, i + n + m, text)
            cue_text = text[t.start : toks[i + n - 1].end]
            return _mention(toks, i + n, m, text, t.start, cue_text, roles, 3), nxt
    j, m, role = _role_before(toks, i, text, places)
    if m:
        roles, nxt = _role_chain(toks, j + m, text)
        before = _roles_backwards(toks, i, text)
        return _mention(toks, j, m, text, toks[j].start, None, [*before, role, *roles], 3), nxt
    if (
        t.cap
        and t.text in lx.SURNAMES
        and (i == 0 or not toks[i - 1].cap)
        and (i == 0 or toks[i - 1].low not in lx.NAMED_AFTER)
    ):
        m = _name_at(toks, i, 2, 4, places)
        if m:
            roles, nxt = _role_chain(toks, i + m, text)
            if m >= 3 or roles:
                return _mention(toks, i, m, text, t.start, None, roles, 1 if m < 3 else 2), nxt
    return None
