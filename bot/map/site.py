"""A self-contained status page: the maps as inline SVG, a table of places and each
place's timeline, in one HTML file that asks no other host for anything.

Everything read from articles or people (titles, place names, providers, links) is
escaped. The page reads well without JavaScript; a few lines of inline script add
searching and sorting to the table.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.map import STATUS_STYLES, Drawing, MapPlace, layout
from bot.taxonomy import ACTION_LABELS
from bot.tracker import JurisdictionStatus

_SVG_WIDTH = 960.0
_MIN_STEP = 1.0


@dataclass(frozen=True, slots=True)
class SitePlace:
    """A place as the page lists it: its status answer and whether it is unconfirmed."""

    status: JurisdictionStatus
    unconfirmed: bool = False

    @property
    def map_place(self) -> MapPlace:
        return MapPlace.from_status(self.status, unconfirmed=self.unconfirmed)


def _safe_url(url: str | None) -> str | None:
    """Only web links become links: a ``javascript:`` or ``data:`` URL is shown as text."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _anchor(key: str) -> str:
    return "place-" + "".join(ch if ch.isalnum() else "-" for ch in key).strip("-").lower()


def _svg(drawing: Drawing, label: str) -> str:
    x0, y0, x1, y1 = drawing.frame
    scale = _SVG_WIDTH / (x1 - x0)
    height = (y1 - y0) * scale

    def point(x: float, y: float) -> str:
        return f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}"

    def path(rings: list[list[tuple[float, float]]]) -> str:
        parts = []
        for ring in rings:
            kept: list[str] = []
            last_x = last_y = None
            for x, y in ring:
                px, py = (x - x0) * scale, (y1 - y) * scale
                # Points closer than a pixel to the last one kept add bytes, not shape.
                if last_x is not None and abs(px - last_x) + abs(py - last_y) < _MIN_STEP:
                    continue
                kept.append(f"{px:.1f},{py:.1f}")
                last_x, last_y = px, py
            if len(kept) >= 3:
                parts.append("M" + "L".join(kept) + "Z")
        return "".join(parts)

    out = [
        f'<svg viewBox="0 0 {_SVG_WIDTH:.0f} {height:.0f}" role="img" '
        f'aria-label="{html.escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        '<g class="land">',
    ]
    out.extend(f'<path d="{path(rings)}"/>' for rings in drawing.background)
    out.append("</g>")
    for rings, place in drawing.areas:
        style = STATUS_STYLES[place.status]
        css = f"area s-{place.status}" + (" unconfirmed" if place.unconfirmed else "")
        title = f"{place.name}: {style.label}" + (" (unconfirmed)" if place.unconfirmed else "")
        out.append(
            f'<a href="#{_anchor(place.key)}"><path class="{css}" d="{path(rings)}">'
            f"<title>{html.escape(title)}</title></path></a>"
        )
    for x, y, place in drawing.points:
        style = STATUS_STYLES[place.status]
        cx, cy = point(x, y).split(",")
        css = f"city s-{place.status}" + (" unconfirmed" if place.unconfirmed else "")
        title = f"{place.name}: {style.label}" + (" (unconfirmed)" if place.unconfirmed else "")
        out.append(
            f'<a href="#{_anchor(place.key)}"><circle class="{css}" cx="{cx}" cy="{cy}" r="5">'
            f"<title>{html.escape(title)}</title></circle></a>"
        )
    out.append("</svg>")
    return "".join(out)


def _legend(drawing: Drawing) -> str:
    items = []
    for status, count in drawing.counts().items():
        items.append(
            f'<li><span class="swatch s-{status}"></span>'
            f"{html.escape(STATUS_STYLES[status].label)} ({count})</li>"
        )
    items.append(
        '<li><span class="swatch unconfirmed-key"></span>Hatched area or hollow dot: '
        "unconfirmed (read by the machine, not yet reviewed)</li>"
    )
    notes = []
    if drawing.region_wide:
        notes.append(
            "Nationwide: "
            + "; ".join(
                f"{html.escape(p.name)}: {html.escape(STATUS_STYLES[p.status].label.lower())}"
                for p in drawing.region_wide
            )
            + "."
        )
    if drawing.not_drawn:
        notes.append(
            "Not drawn: "
            + "; ".join(
                f"{html.escape(p.name)} ({html.escape(reason)})" for p, reason in drawing.not_drawn
            )
            + "."
        )
    notes_html = "".join(f'<p class="note">{note}</p>' for note in notes)
    return f'<ul class="legend">{"".join(items)}</ul>{notes_html}'


_CSS = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --line: #ddd; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1rem; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: .2rem 0; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.sub { color: var(--muted); margin-top: 0; }
svg { width: 100%; height: auto; display: block; }
.land path { fill: #e6e6e6; stroke: #fff; stroke-width: .5; }
.area { stroke: #fff; stroke-width: .6; } .city { stroke: #222; stroke-width: .8; }
.s-ban { fill: #0072B2; background: #0072B2; }
.s-moratorium { fill: #56B4E9; background: #56B4E9; }
.s-restricted { fill: #009E73; background: #009E73; }
.s-repealed { fill: #CC79A7; background: #CC79A7; }
.s-pending { fill: #E69F00; background: #E69F00; }
.s-in_use { fill: #D55E00; background: #D55E00; }
.area.unconfirmed { fill-opacity: .35; stroke: #222; stroke-dasharray: 3 2; stroke-width: 1; }
.city.unconfirmed { fill: #fff; stroke-width: 2.5; }
.city.unconfirmed.s-ban { stroke: #0072B2; }
.city.unconfirmed.s-moratorium { stroke: #56B4E9; }
.city.unconfirmed.s-restricted { stroke: #009E73; }
.city.unconfirmed.s-repealed { stroke: #CC79A7; }
.city.unconfirmed.s-pending { stroke: #E69F00; }
.city.unconfirmed.s-in_use { stroke: #D55E00; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; }
.swatch { display: inline-block; width: 1em; height: 1em; margin-right: .35em;
  vertical-align: -.15em; border: 1px solid #222; }
.unconfirmed-key { background: repeating-linear-gradient(45deg, #fff 0 3px, #555 3px 5px); }
.note { color: var(--muted); font-size: .9rem; }
.badge { display: inline-block; padding: 0 .45em; border-radius: .3em; color: #fff;
  font-weight: 600; white-space: nowrap; }
.badge.s-moratorium, .badge.s-pending { color: #000; }
.badge.unconfirmed { background: #fff; color: var(--ink); border: 2px dashed #555; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; min-width: 640px; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th button { font: inherit; font-weight: 700; background: none; border: 0; padding: 0;
  cursor: pointer; }
input[type=search] { font: inherit; padding: .4rem .6rem; width: 100%; max-width: 24rem; }
details { border-bottom: 1px solid var(--line); padding: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
.timeline { padding-left: 1.2rem; } .timeline li { margin: .25rem 0; }
.when { font-variant-numeric: tabular-nums; color: var(--muted); }
@media (max-width: 600px) { body { padding: .5rem; font-size: 15px; } }
"""

# Progressive enhancement: the table is complete without it.
_SCRIPT = """
(function () {
  var table = document.getElementById('places');
  var search = document.getElementById('search');
  search.hidden = false;
  document.getElementById('search-label').hidden = false;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  search.addEventListener('input', function () {
    var q = search.value.toLowerCase();
    rows.forEach(function (row) {
      row.hidden = q && row.textContent.toLowerCase().indexOf(q) === -1;
    });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, column) {
    var button = cell.querySelector('button');
    button.addEventListener('click', function () {
      var ascending = cell.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
        other.removeAttribute('aria-sort');
      });
      cell.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute('data-sort') || a.cells[column].textContent;
        var y = b.cells[column].getAttribute('data-sort') || b.cells[column].textContent;
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    });
  });
})();
"""


def _badge(status: str, unconfirmed: bool, expired: bool = False) -> str:
    label = html.escape(STATUS_STYLES.get(status).label if status in STATUS_STYLES else status)
    if expired:
        # Repealed by its own terms: the words say so, the colour stays the repeal's.
        label = "Expired"
    if unconfirmed:
        return f'<span class="badge unconfirmed">{label} (unconfirmed)</span>'
    return f'<span class="badge s-{status}">{label}</span>'


def _source_link(title: str, url: str | None, provider: str | None) -> str:
    safe = _safe_url(url)
    text = html.escape(title)
    link = f'<a href="{html.escape(safe)}" rel="noopener noreferrer">{text}</a>' if safe else text
    return link + (f" ({html.escape(provider)})" if provider else "")


def _row(place: SitePlace) -> str:
    result = place.status
    jurisdiction = result.jurisdiction
    order = list(STATUS_STYLES).index(result.status) if result.status in STATUS_STYLES else 99
    since = result.since.isoformat() if result.since else ""
    badge = _badge(result.status, place.unconfirmed, result.expired_on is not None)
    sources = "<br>".join(
        _source_link(event.title, event.url, event.provider) for event in result.basis[-3:]
    )
    return (
        "<tr>"
        f'<td data-sort="{html.escape(jurisdiction.display.lower())}">'
        f'<a href="#{_anchor(jurisdiction.key)}">{html.escape(jurisdiction.display)}</a></td>'
        f'<td data-sort="{order}">{badge}</td>'
        f"<td>{html.escape(result.scope)}</td>"
        f'<td data-sort="{since}">{since or "unknown"}</td>'
        f"<td>{sources}</td>"
        "</tr>"
    )


def _timeline(place: SitePlace) -> str:
    result = place.status
    jurisdiction = result.jurisdiction
    items = []
    for event in reversed(result.events):
        when = event.date.isoformat() if event.date else "undated"
        label = ACTION_LABELS.get(event.action, event.action)
        what = f"{html.escape(label)} ({html.escape(event.scope)})"
        items.append(
            f'<li><span class="when">{when}</span> · {what}: '
            f"{_source_link(event.title, event.url, event.provider)}</li>"
        )
    return (
        f'<details id="{_anchor(jurisdiction.key)}"><summary>{html.escape(jurisdiction.display)} · '
        f"{_badge(result.status, place.unconfirmed, result.expired_on is not None)}</summary>"
        f'<ol class="timeline">{"".join(items)}</ol></details>'
    )


def render_site(places: Sequence[SitePlace], *, as_of: dt.date | None = None) -> str:
    """The whole page as HTML text."""
    as_of = as_of or dt.date.today()
    shown = [p for p in places if p.status.status in STATUS_STYLES]
    shown.sort(key=lambda p: p.status.jurisdiction.display.lower())
    map_places = [p.map_place for p in shown]
    sections = []
    for region, heading in (("us", "United States"), ("europe", "Europe"), ("world", "World")):
        drawing = layout(map_places, region, as_of=as_of)
        sections.append(
            f"<section><h2>{heading}</h2>{_svg(drawing, f'Map: {heading}')}"
            f"{_legend(drawing)}</section>"
        )
    if shown:
        table = (
            '<div class="table-wrap"><table id="places"><caption class="note">'
            f"{len(shown)} places with a ban, moratorium, restriction, repeal, pending measure "
            "or known use</caption><thead><tr>"
            + "".join(
                f'<th scope="col"><button type="button">{name}</button></th>'
                for name in ("Place", "Status", "Scope", "Since", "Sources")
            )
            + "</tr></thead><tbody>"
            + "".join(_row(p) for p in shown)
            + "</tbody></table></div>"
        )
        timelines = "".join(_timeline(p) for p in shown)
    else:
        table = '<p class="note">No place has a status on record yet.</p>'
        timelines = ""
    data = json.dumps(
        [
            {
                "place": p.status.jurisdiction.display,
                "key": p.status.jurisdiction.key,
                "status": p.status.status,
                "scope": p.status.scope,
                "since": p.status.since.isoformat() if p.status.since else None,
                "expired_on": p.status.expired_on.isoformat() if p.status.expired_on else None,
                "unconfirmed": p.unconfirmed,
            }
            for p in shown
        ]
    )
    # Inside a script element only these could end it or open markup; JSON allows \u escapes.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing on this page may load from elsewhere (it is published as a folder).
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:\">"
        "<title>Facial recognition policy tracker</title>"
        f"<style>{_CSS}</style></head><body>"
        "<header><h1>Facial recognition policy tracker</h1>"
        f'<p class="sub">Where facial recognition is banned, paused, restricted or pending, '
        f"as of {as_of.isoformat()}. Made with banwatch.</p></header>"
        + "".join(sections)
        + '<section><h2 id="table">Places</h2>'
        '<label id="search-label" for="search" hidden>Search places</label> '
        '<input id="search" type="search" placeholder="Search places, statuses, sources" hidden>'
        + table
        + "</section>"
        + (f"<section><h2>Timelines</h2>{timelines}</section>" if timelines else "")
        + f'<script type="application/json" id="data">{data}</script>'
        + (f"<script>{_SCRIPT}</script>" if shown else "")
        + "</body></html>"
    )


def write_site(places: Sequence[SitePlace], out_dir: Path, *, as_of: dt.date | None = None) -> Path:
    """Write ``index.html`` into ``out_dir`` (created if missing), atomically; returns it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    page = render_site(places, as_of=as_of)
    target = out_dir / "index.html"
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".index-", suffix=".html")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(page)
        # mkstemp makes the file private; a page to publish is readable as any new file is.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
