"""Writing ``[[site]]`` entries into a registry TOML file (``sites add``).

The standard library reads TOML but does not write it; entries here are simple
(strings, lists of strings, numbers), so they are rendered by hand. After a write the
file is loaded back strictly; if that fails the original text is restored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crawler.registry import RegistryError, load_registry

FIELD_ORDER = (
    "key", "name", "base_url", "province", "province_pre2025", "province_code", "province_code_pre2025",
    "level", "family",
    "status", "feeds", "sitemaps", "listings", "article_pattern", "article_id_pattern", "notes",
)  # fmt: skip
_BLOCK_START = re.compile(r"^\[\[site\]\]\s*$", re.M)


def toml_value(value: Any) -> str:
    """A TOML literal: regexes as 'literal strings', other strings as "basic strings"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value)
    if "\\" in text and "'" not in text and "\n" not in text:
        return f"'{text}'"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def entry_toml(fields: dict[str, Any]) -> str:
    """One ``[[site]]`` block, fields in the registry's usual order, empty ones left out."""
    names = [n for n in FIELD_ORDER if n in fields] + sorted(set(fields) - set(FIELD_ORDER))
    lines = ["[[site]]"]
    for name in names:
        value = fields[name]
        if value is None or value == [] or value == ():
            continue
        lines.append(f"{name} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def _blocks(text: str) -> list[tuple[int, int]]:
    starts = [m.start() for m in _BLOCK_START.finditer(text)]
    return list(zip(starts, [*starts[1:], len(text)], strict=False))


def _block_of(text: str, key: str) -> tuple[int, int] | None:
    pattern = re.compile(rf"^key\s*=\s*[\"']{re.escape(key)}[\"']\s*$", re.M)
    for start, end in _blocks(text):
        if pattern.search(text, start, end):
            return start, end
    return None


def has_key(path: Path, key: str) -> bool:
    return path.exists() and _block_of(path.read_text(encoding="utf-8"), key) is not None


def write_entry(path: Path, key: str, block: str, *, replace: bool = False) -> None:
    """Append ``block`` (or replace the entry named ``key``), then load the file back strictly."""
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    found = _block_of(original, key)
    if found and not replace:
        raise RegistryError(f"{path}: key '{key}' already exists (use --replace to overwrite it)")
    if found:
        start, end = found
        text = original[:start] + block + ("\n" if end < len(original) else "") + original[end:]
    else:
        text = original.rstrip("\n") + ("\n\n" if original.strip() else "") + block
    path.write_text(text, encoding="utf-8")
    try:
        load_registry([path])
    except RegistryError:
        path.write_text(original, encoding="utf-8")
        raise
