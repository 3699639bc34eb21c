"""Registry loading for the scheduler: a bad entry is reported, the others still load.

``crawler.registry.load_registry`` stops at the first invalid entry, which is right for
``provnews crawl``; a service that hundreds of sites depend on must not stop scheduling
all of them because one entry has a typo. Each entry is validated by the registry's own
rules, then its ``schedule`` is parsed into a real trigger (catching crontab values the
registry's shape check lets through, like ``61 * * * *``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from crawler.registry import DEFAULT_REGISTRY_FILES, RegistryError, Site, _build
from crawler.schedule.config import parse_spec


@dataclass
class LoadedRegistry:
    sites: dict[str, Site] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """One line per rejected entry or file, naming it."""


def load_sites(paths: list[Path] | tuple[Path, ...] | None = None) -> LoadedRegistry:
    """Every valid ``[[site]]`` entry of the files; invalid ones go to ``problems``."""
    out = LoadedRegistry()
    origin: dict[str, str] = {}
    for path in [Path(p) for p in (paths or DEFAULT_REGISTRY_FILES)]:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            out.problems.append(f"{path}: cannot read registry: {' '.join(str(exc).split())}")
            continue
        for i, entry in enumerate(data.get("site", []), start=1):
            where = f"{path.name} entry {i} ({entry.get('key', '?')})"
            try:
                site = _build(entry, where)
                if site.schedule is not None:
                    parse_spec(site.schedule)
            except (RegistryError, ValueError, TypeError) as exc:
                message = str(exc) if str(exc).startswith(where) else f"{where}: {exc}"
                out.problems.append(message)
                continue
            if site.key in out.sites:
                out.problems.append(f"{where}: duplicate key '{site.key}' (first defined in "
                                    f"{origin[site.key]}); the first is scheduled")
                continue
            out.sites[site.key] = site
            origin[site.key] = where
    return out
