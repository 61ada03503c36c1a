"""Draw a :class:`bot.map.Drawing` as a PNG with matplotlib.

matplotlib is imported here, when the first map is drawn, and never by the bot at rest.
It draws with its Agg backend: no display, no browser, no network.
"""

from __future__ import annotations

import io
import textwrap

from bot.map import STATUS_STYLES, Drawing, MapPlace

_WIDTH_INCHES = 12.0
_DPI = 100
_BACKGROUND = "#E6E6E6"
_EDGE = "#FFFFFF"
_NOTE_LIMIT = 8


def _path(rings: list[list[tuple[float, float]]]):
    from matplotlib.path import Path

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for ring in rings:
        if len(ring) < 3:
            continue
        vertices.extend(ring)
        vertices.append(ring[0])
        codes.extend([Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY])
    return Path(vertices, codes) if vertices else None


def _note(drawing: Drawing) -> str:
    lines = []
    if drawing.region_wide:
        nationwide = "; ".join(
            f"{p.name}: {STATUS_STYLES[p.status].label.lower()}" for p in drawing.region_wide
        )
        lines.append(f"Nationwide: {nationwide}.")
    if drawing.not_drawn:
        names = [f"{p.name} ({reason})" for p, reason in drawing.not_drawn[:_NOTE_LIMIT]]
        more = len(drawing.not_drawn) - _NOTE_LIMIT
        lines.append(
            "Not drawn: " + "; ".join(names) + (f"; and {more} more." if more > 0 else ".")
        )
    if drawing.empty:
        lines.append(
            "No place here has a ban, moratorium, restriction, repeal, pending measure or "
            "known use on record yet. Add news with /article add, or subscribe to feeds."
        )
    return "\n".join(textwrap.fill(line, 150) for line in lines)


def render_png(drawing: Drawing) -> bytes:
    """The map as PNG bytes: areas filled by status, cities as points, a legend with the
    count per status, the date, and what could not be drawn."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    x0, y0, x1, y1 = drawing.frame
    aspect = (y1 - y0) / (x1 - x0) if x1 > x0 else 0.6
    height = max(4.0, min(_WIDTH_INCHES * aspect, 10.0)) + 1.6
    figure = Figure(figsize=(_WIDTH_INCHES, height), dpi=_DPI, facecolor="white")
    axes = figure.add_axes((0.01, 0.16, 0.98, 0.76))
    axes.set_axis_off()
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    axes.set_aspect("equal", adjustable="box")

    background = [p for p in (_path(rings) for rings in drawing.background) if p is not None]
    axes.add_collection(
        PathCollection(background, facecolor=_BACKGROUND, edgecolor=_EDGE, linewidth=0.4)
    )
    for rings, place in drawing.areas:
        path = _path(rings)
        if path is None:
            continue
        colour = STATUS_STYLES[place.status].colour
        axes.add_collection(
            PathCollection(
                [path],
                # Unconfirmed: hatched in the status colour over white, not filled.
                facecolor="white" if place.unconfirmed else colour,
                edgecolor=colour if place.unconfirmed else _EDGE,
                hatch="////" if place.unconfirmed else None,
                linewidth=0.6,
            )
        )
    _draw_points(axes, drawing.points)

    counts = drawing.counts()
    handles = [
        Patch(facecolor=STATUS_STYLES[status].colour, label=f"{STATUS_STYLES[status].label} ({n})")
        for status, n in counts.items()
    ]
    if any(place.unconfirmed for place in drawing.places):
        handles.append(
            Patch(facecolor="white", edgecolor="#555555", hatch="////", label="Unconfirmed (area)")
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#555555",
                label="Unconfirmed (city)",
            )
        )
    if handles:
        figure.legend(
            handles=handles,
            loc="lower center",
            ncol=min(len(handles), 4),
            frameon=False,
            bbox_to_anchor=(0.5, 0.065),
            fontsize=11,
        )
    figure.suptitle(
        f"Facial recognition policy: {drawing.title}, as of {drawing.as_of.isoformat()}",
        y=0.975,
        fontsize=15,
        fontweight="bold",
    )
    total = len(drawing.places)
    figure.text(
        0.5,
        0.925,
        f"{total} place{'s' if total != 1 else ''} drawn · banwatch",
        ha="center",
        fontsize=10,
        color="#444444",
    )
    note = _note(drawing)
    if note:
        figure.text(0.01, 0.005, note, fontsize=8, color="#333333", va="bottom", wrap=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def _draw_points(axes, points: list[tuple[float, float, MapPlace]]) -> None:
    for status, style in STATUS_STYLES.items():
        for unconfirmed in (False, True):
            chosen = [
                (x, y) for x, y, p in points if p.status == status and p.unconfirmed is unconfirmed
            ]
            if not chosen:
                continue
            xs, ys = zip(*chosen, strict=True)
            axes.scatter(
                xs,
                ys,
                s=42,
                marker="o",
                zorder=3,
                facecolors="white" if unconfirmed else style.colour,
                edgecolors=style.colour if unconfirmed else "#222222",
                linewidths=1.6 if unconfirmed else 0.6,
            )
