"""Text that an inline script writes into an empty element, put back where a reader sees it.

Some CMSes (the 2012 VnExpress family, e.g. ngoisao.net) ship the date line as
``document.getElementById("pDateTime").innerHTML="Thứ năm, 20/12/2012, 16:10 GMT+7"``
right after an empty ``<span id="pDateTime">``. A browser shows that text at the
element's place; so does this module. Only string literals assigned to an element that
exists and is empty are used: no script is run.
"""

from __future__ import annotations

import html
import re

from lxml import etree

_ASSIGN = re.compile(
    r"""getElementById\(\s*["'](?P<id>[\w-]+)["']\s*\)\s*\.\s*(?:innerHTML|innerText|textContent)\s*=\s*"""
    r"""(?P<q>["'])(?P<value>(?:(?!(?P=q)).){1,300})(?P=q)"""
    r"""|\$\(\s*["']#(?P<jid>[\w-]+)["']\s*\)\s*\.\s*(?:html|text)\(\s*(?P<jq>["'])"""
    r"""(?P<jvalue>(?:(?!(?P=jq)).){1,300})(?P=jq)\s*\)"""
)
_TAG = re.compile(r"<[^>]+>")


def render_script_text(root: etree._Element) -> int:
    """Fill empty elements with the literal text inline scripts assign to them; returns the count."""
    filled = 0
    for script in root.iter("script"):
        code = script.text or ""
        if "getElementById" not in code and "$(" not in code:
            continue
        for match in _ASSIGN.finditer(code):
            element_id = match["id"] or match["jid"]
            value = match["value"] if match["id"] else match["jvalue"]
            targets = root.xpath("//*[@id=$id]", id=element_id)
            if len(targets) != 1 or len(targets[0]) or (targets[0].text or "").strip():
                continue
            text = html.unescape(_TAG.sub(" ", value.replace("\\/", "/"))).strip()
            if text:
                targets[0].text = text
                filled += 1
    return filled
