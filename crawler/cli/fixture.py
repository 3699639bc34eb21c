"""``provnews fixture``: turn a page into an extraction test case, and re-check every case.

A case is a folder ``tests/fixtures/cases/<site_key>/<id>/`` holding the page bytes
(``page.html``), ``meta.json`` (url, frozen ``fetched_at``, family hint) and
``expected.json`` (the extraction when the case was saved). ``check`` re-extracts every
case with the same inputs and prints the fields that changed.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from crawler.extract import FAMILIES, extract_article

CASES = Path("tests") / "fixtures" / "cases"
PAGE, META, EXPECTED = "page.html", "meta.json", "expected.json"
USER_AGENT = "provnews-fixture/1 (+https://github.com/provnews)"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@click.group()
def fixture() -> None:
    """Extraction test cases: save a page as a case, re-check all cases."""


@fixture.command()
@click.argument("source")
@click.option("--url", help="The page's URL when SOURCE is a file.")
@click.option("--id", "case_id", help="Case id (default: from the URL or the file name).")
@click.option("--family", type=click.Choice(FAMILIES), help="Family hint (default: detect).")
@click.option("--root", type=click.Path(path_type=Path), default=CASES, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing case.")
def save(
    source: str, url: str | None, case_id: str | None, family: str | None, root: Path, force: bool
) -> None:
    """Save SOURCE (a URL or a saved HTML file) as a test case with its current extraction."""
    fetched_at = datetime.now(UTC).replace(microsecond=0)  # the CLI is where the clock is read
    page, url = _read(source, url)
    folder = root / site_key(url) / (case_id or _case_id(source, url))
    if folder.exists() and not force:
        raise click.ClickException(f"{folder} exists (use --force to overwrite)")
    article = extract_article(page, url, fetched_at=fetched_at, family=family)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PAGE).write_bytes(page)
    meta = {"url": url, "fetched_at": fetched_at.isoformat(), "family": family, "detected": article.family}
    _write_json(folder / META, meta)
    _write_json(folder / EXPECTED, _jsonable(article.to_json()))
    click.echo(f"saved {folder} ({article.family or 'generic'}: {article.title!r})")


@fixture.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Re-extract every case under PATHS (default: tests/fixtures/cases); exit 1 on any change."""
    cases = sorted({meta.parent for path in (paths or (CASES,)) for meta in _metas(path)})
    if not cases:
        raise click.ClickException(f"no cases under {', '.join(map(str, paths or (CASES,)))}")
    failed = 0
    for case in cases:
        diffs = diff_case(case)
        click.echo(f"{'FAIL' if diffs else 'ok'}   {case}")
        for line in diffs:
            click.echo(f"       {line}")
        failed += bool(diffs)
    click.echo(f"{len(cases) - failed} ok, {failed} changed, {len(cases)} cases")
    if failed:
        raise SystemExit(1)


def diff_case(case: Path) -> list[str]:
    """Human-readable differences between a case's expected and current extraction."""
    meta = json.loads((case / META).read_text(encoding="utf-8"))
    expected = json.loads((case / EXPECTED).read_text(encoding="utf-8"))
    fetched_at = datetime.fromisoformat(meta["fetched_at"]) if meta.get("fetched_at") else None
    article = extract_article((case / PAGE).read_bytes(), meta.get("url"), fetched_at=fetched_at,
                              family=meta.get("family"))  # fmt: skip
    current = _jsonable(article.to_json())
    out = []
    for key in sorted(set(expected) | set(current)):
        if expected.get(key) != current.get(key):
            out.append(f"{key}: expected {_short(expected.get(key))}, got {_short(current.get(key))}")
    return out


def site_key(url: str | None) -> str:
    """``https://www.baosonla.vn/x`` -> ``baosonla_vn``; ``local`` without a URL."""
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.")
    return _UNSAFE.sub("_", host.replace(".", "_")) or "local"


def _read(source: str, url: str | None) -> tuple[bytes, str | None]:
    if re.match(r"https?://", source, re.IGNORECASE):
        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http(s) only
                return response.read(), url or response.geturl()
        except urllib.error.HTTPError as exc:
            exc.close()  # the error carries the open response
            raise click.ClickException(f"cannot fetch {source}: HTTP {exc.code}") from exc
        except OSError as exc:
            raise click.ClickException(f"cannot fetch {source}: {exc}") from exc
    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"no such file: {source}")
    return path.read_bytes(), url


def _case_id(source: str, url: str | None) -> str:
    """The last path segment of the URL without its extension, else the file name's stem."""
    name = Path(urlsplit(url).path).stem if url else ""
    if not name and not re.match(r"https?://", source):
        name = Path(source).stem
    return _UNSAFE.sub("-", name).strip("-")[:80] or "page"


def _metas(path: Path) -> list[Path]:
    return [path / META] if (path / META).is_file() else sorted(path.rglob(META))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else f"{text[:100]} … {text[-50:]} ({len(text)} chars)"
