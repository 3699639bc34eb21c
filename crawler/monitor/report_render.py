"""Drawing the daily report: charts (matplotlib, PNG) and the HTML and Markdown files.

The HTML file carries its charts inline (data: URIs) so it can be mailed or forwarded as
one file; the Markdown file links the same charts, written as PNG files beside it.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from html import escape
from pathlib import Path

from crawler.monitor.report import DailyReport

MAX_SERIES = 8
MAX_SITES = 15


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes


def _figure(width: float = 9, height: float = 4):  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of articles
    return fig, ax


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _per_province_chart(r: DailyReport) -> Chart:
    fig, ax = _figure()
    ranked = sorted(r.per_day_province.items(), key=lambda kv: -sum(kv[1]))
    series = ranked[:MAX_SERIES]
    if len(ranked) > MAX_SERIES:
        rest = [sum(v[i] for _, v in ranked[MAX_SERIES:]) for i in range(len(r.days))]
        series.append(("other provinces", rest))
    labels = [d.strftime("%d/%m") for d in r.days]
    bottom = [0] * len(r.days)
    for province, counts in series:
        ax.bar(labels, counts, bottom=bottom, label=province)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_ylabel("articles")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    if series:
        ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Articles per day and province, last 30 days")
    return Chart("per-province", "Articles per province (30 days)", _png(fig))


def _per_site_chart(r: DailyReport) -> Chart:
    top = list(r.per_site.items())[:MAX_SITES]
    fig, ax = _figure(height=max(2.5, 0.35 * len(top) + 1))
    ax.xaxis.set_major_locator(ax.yaxis.get_major_locator())
    ax.barh([k for k, _ in reversed(top)], [n for _, n in reversed(top)], color="#4C72B0")
    ax.set_xlabel("articles")
    ax.set_title(f"Articles per site, last 30 days (top {MAX_SITES})")
    return Chart("per-site", "Articles per site (30 days)", _png(fig))


def _changes_chart(r: DailyReport) -> Chart:
    fig, ax = _figure(width=5, height=3)
    names = ["new", "edited", "removed"]
    bars = ax.bar(names, [r.changes[n] for n in names], color=["#55A868", "#DD8452", "#C44E52"])
    ax.bar_label(bars)
    ax.set_title(f"Stored on {r.day:%d/%m/%Y}")
    return Chart("changes", "New, edited and removed articles", _png(fig))


def _daily_total_chart(r: DailyReport) -> Chart:
    fig, ax = _figure(height=3)
    totals = [sum(v[i] for v in r.per_day_province.values()) for i in range(len(r.days))]
    ax.plot([d.strftime("%d/%m") for d in r.days], totals, marker="o", color="#8172B3")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.set_ylabel("articles")
    ax.set_title("All articles per day, last 30 days")
    return Chart("per-day", "Articles per day (30 days)", _png(fig))


def charts(r: DailyReport) -> list[Chart]:
    return [_per_province_chart(r), _per_site_chart(r), _changes_chart(r), _daily_total_chart(r)]


def _tables(r: DailyReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, column names, rows) of every table in the report."""
    people = [[p.name, str(p.articles), "; ".join(p.roles)] for p in r.people]
    places = [[p.name, str(p.articles), p.unit] for p in r.places]
    hits = [[h.watchlist, str(h.counts["new"]), str(h.counts["updated"]), str(h.counts["removed"]),
             "; ".join(h.titles)] for h in r.watch_hits]  # fmt: skip
    health = [[h.key, h.status, "; ".join(h.alerts + h.warnings)] for h in r.health]
    return [
        ("Top people of the day", ["person", "articles", "roles"], people),
        ("Top places of the day", ["place", "articles", "administrative unit"], places),
        ("Watchlist hits", ["watchlist", "new", "edited", "removed", "articles"], hits),
        ("Site health", ["site", "health", "why"], health),
    ]


def _summary(r: DailyReport) -> str:
    alerts = sum(h.status == "alert" for h in r.health)
    return (f"{r.articles_of_day} articles dated {r.day:%d/%m/%Y}; stored that day: {r.changes['new']} new, "
            f"{r.changes['edited']} edited, {r.changes['removed']} removed; "
            f"{sum(sum(h.counts.values()) for h in r.watch_hits)} watchlist hits; "
            f"{alerts} of {len(r.health)} sites in alert.")  # fmt: skip


CSS = ("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:960px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;"
       "text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}"
       ".alert{color:#b00020;font-weight:bold}.warn{color:#a36a00}")  # fmt: skip


def html(r: DailyReport, drawn: list[Chart]) -> str:
    parts = [f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>provnews daily report '
             f"{r.day:%Y-%m-%d}</title><style>{CSS}</style></head><body>",
             f"<h1>provnews daily report, {r.day:%d/%m/%Y}</h1><p>{escape(_summary(r))}</p>"]  # fmt: skip
    for chart in drawn:
        data = base64.b64encode(chart.png).decode("ascii")
        parts.append(f'<figure><img class="chart" id="chart-{chart.name}" alt="{escape(chart.title)}" '
                     f'src="data:image/png;base64,{data}"><figcaption>{escape(chart.title)}</figcaption></figure>')
    for heading, columns, rows in _tables(r):
        parts.append(f"<h2>{escape(heading)}</h2>")
        if not rows:
            parts.append("<p>None.</p>")
            continue
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        cells = ("".join(_cell(heading, i, v) for i, v in enumerate(row)) for row in rows)
        body = "".join(f"<tr>{c}</tr>" for c in cells)
        parts.append(f"<table><tr>{head}</tr>{body}</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _cell(heading: str, index: int, value: str) -> str:
    css = f' class="{value}"' if heading == "Site health" and index == 1 and value != "ok" else ""
    return f"<td{css}>{escape(value)}</td>"


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(r: DailyReport, drawn: list[Chart], chart_dir: str) -> str:
    lines = [f"# provnews daily report, {r.day:%d/%m/%Y}", "", _summary(r), ""]
    lines += [f"![{c.title}]({chart_dir}/{c.name}.png)\n" for c in drawn]
    for heading, columns, rows in _tables(r):
        lines += [f"## {heading}", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows] + [""]
    return "\n".join(lines)


def write(r: DailyReport, out_dir: Path) -> tuple[Path, Path]:
    """Write ``provnews-daily-DATE.html`` and ``.md`` (charts in ``provnews-daily-DATE/``)."""
    stem = f"provnews-daily-{r.day:%Y-%m-%d}"
    drawn = charts(r)
    chart_dir = out_dir / stem
    chart_dir.mkdir(parents=True, exist_ok=True)
    for chart in drawn:
        (chart_dir / f"{chart.name}.png").write_bytes(chart.png)
    html_path, md_path = out_dir / f"{stem}.html", out_dir / f"{stem}.md"
    html_path.write_text(html(r, drawn), encoding="utf-8")
    md_path.write_text(markdown(r, drawn, stem), encoding="utf-8")
    return html_path, md_path
