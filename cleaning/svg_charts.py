"""Small bar charts as inline SVG markup, written directly (no plotting library).

The run report needs three kinds of chart — horizontal bars, columns, stacked columns — with
integer counts. Drawing them by hand costs microseconds, where importing and running matplotlib
cost seconds of every run (most of a seeds run's report step). The markup is deterministic (same
rows → same bytes), has no namespace URLs or metadata, and every id starts with the caller's
``prefix`` so several charts can share one HTML page. Text uses the page's own font.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

WIDTH = 500  # px; the page scales charts down to its column width
FONT = 11  # px; tick and value labels
CHAR_WIDTH = 0.62 * FONT  # a conservative average glyph width, to size label gutters
AXIS_COLOR = "#5f6368"
GRID_COLOR = "#e3e5e8"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: int) -> str:
    return f"{value:,}"


def nice_ticks(top: int, max_ticks: int = 5) -> list[int]:
    """Integer tick values from 0 covering ``top`` in steps of 1, 2 or 5 × 10^k."""
    if top <= 0:
        return [0, 1]
    raw = top / max_ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return list(range(0, top + step, step))  # the last tick is the first multiple of step ≥ top


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (f'<svg width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-label="{_e(label)}" font-family="system-ui, sans-serif" font-size="{FONT}">'
            + "".join(body) + "</svg>")


def barh(rows: Sequence[tuple[str, int]], prefix: str, xlabel: str, colors: dict[str, str]) -> str:
    """One horizontal bar per row, top to bottom in the given order, value printed at its end.
    ``colors`` maps a label to its bar colour; ``colors["bar"]`` is the default."""
    labels = [str(k) for k, _ in rows]
    values = [max(int(v), 0) for _, v in rows]
    gutter = min(max((len(lbl) for lbl in labels), default=1) * CHAR_WIDTH + 8, WIDTH * 0.45)
    bar_h, gap, top_pad, bottom = 16, 6, 4, 34
    ticks = nice_ticks(max(values, default=0))
    # Right of the plot: the longest bar's value label, or half the last tick's label.
    value_room = max(len(_num(max(values, default=0))), len(_num(ticks[-1])) / 2) * CHAR_WIDTH + 8
    plot_w = WIDTH - gutter - value_room
    scale = plot_w / ticks[-1]
    height = top_pad + len(rows) * (bar_h + gap) + bottom
    axis_y = top_pad + len(rows) * (bar_h + gap)
    body: list[str] = []
    for t in ticks:
        x = gutter + t * scale
        body.append(f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID_COLOR}"/>'
                    f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="{AXIS_COLOR}">{_num(t)}</text>')
    for i, (label, value) in enumerate(zip(labels, values)):
        y = top_pad + i * (bar_h + gap)
        w = value * scale
        color = colors.get(label, colors["bar"])
        body.append(f'<text x="{gutter - 6:.1f}" y="{y + bar_h - 4}" text-anchor="end">{_e(label)}</text>'
                    f'<rect id="{prefix}-bar_{i}" x="{gutter:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{color}"><title>{_e(label)}: {_num(value)}</title></rect>'
                    f'<text x="{gutter + w + 4:.1f}" y="{y + bar_h - 4}" fill="{AXIS_COLOR}">{_num(value)}</text>')
    body.append(f'<line x1="{gutter:.1f}" y1="{top_pad}" x2="{gutter:.1f}" y2="{axis_y}" stroke="{AXIS_COLOR}"/>'
                f'<text x="{gutter + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" '
                f'fill="{AXIS_COLOR}">{_e(xlabel)}</text>')
    return _svg(WIDTH, height, body, xlabel)


def columns(series: Sequence[tuple[str, dict[str, int]]], prefix: str, ylabel: str, order: Sequence[str],
            colors: dict[str, str], legend: dict[str, str] | None = None, xlabel: str = "",
            rotate_labels: bool = False) -> str:
    """One column per entry of ``series`` (label, {part: count}); parts stack in ``order``.
    Totals are printed above the columns; a legend names the parts when there are several."""
    totals = [sum(max(int(parts.get(k, 0)), 0) for k in order) for _, parts in series]
    ticks = nice_ticks(max(totals, default=0))
    left, right, top_pad = len(_num(ticks[-1])) * CHAR_WIDTH + 30, 8, 18
    longest = max((len(str(lbl)) for lbl, _ in series), default=1)
    label_room = (min(longest, 24) * CHAR_WIDTH * 0.72 + 10) if rotate_labels else 18
    bottom = label_room + (18 if xlabel else 4)
    plot_h = 150
    height = top_pad + plot_h + bottom
    plot_w = WIDTH - left - right
    slot = plot_w / max(len(series), 1)
    col_w = min(slot * 0.7, 48)
    scale = plot_h / ticks[-1]
    base = top_pad + plot_h
    body: list[str] = []
    for t in ticks:
        y = base - t * scale
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID_COLOR}"/>'
                    f'<text x="{left - 4:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS_COLOR}">{_num(t)}</text>')
    bar = 0
    for i, ((label, parts), total) in enumerate(zip(series, totals)):
        cx = left + slot * (i + 0.5)
        y = base
        for key in order:
            value = max(int(parts.get(key, 0)), 0)
            if not value:
                continue
            h = value * scale
            y -= h
            body.append(f'<rect id="{prefix}-bar_{bar}" x="{cx - col_w / 2:.1f}" y="{y:.1f}" width="{col_w:.1f}" '
                        f'height="{h:.1f}" fill="{colors.get(key, colors["bar"])}"><title>{_e(label)} '
                        f'{_e((legend or {}).get(key, key))}: {_num(value)}</title></rect>')
            bar += 1
        body.append(f'<text x="{cx:.1f}" y="{base - total * scale - 3:.1f}" text-anchor="middle" '
                    f'fill="{AXIS_COLOR}">{_num(total)}</text>')
        if rotate_labels:
            body.append(f'<text x="{cx:.1f}" y="{base + 12}" text-anchor="end" '
                        f'transform="rotate(-35 {cx:.1f} {base + 12})">{_e(label)}</text>')
        else:
            body.append(f'<text x="{cx:.1f}" y="{base + 14}" text-anchor="middle">{_e(label)}</text>')
    body.append(f'<line x1="{left:.1f}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="{AXIS_COLOR}"/>'
                f'<text x="12" y="{top_pad + plot_h / 2:.1f}" text-anchor="middle" fill="{AXIS_COLOR}" '
                f'transform="rotate(-90 12 {top_pad + plot_h / 2:.1f})">{_e(ylabel)}</text>')
    if xlabel:
        body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4:.1f}" text-anchor="middle" '
                    f'fill="{AXIS_COLOR}">{_e(xlabel)}</text>')
    shown = [k for k in order if any(parts.get(k, 0) for _, parts in series)]
    if legend and len(shown) > 1:
        x = WIDTH - right - 6
        for key in reversed(shown):
            name = legend.get(key, key)
            x -= len(name) * CHAR_WIDTH + 18
            body.append(f'<rect x="{x:.1f}" y="2" width="10" height="10" fill="{colors.get(key, colors["bar"])}"/>'
                        f'<text x="{x + 14:.1f}" y="11">{_e(name)}</text>')
    return _svg(WIDTH, height, body, ylabel)
