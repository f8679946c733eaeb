"""Charts drawn on the server as SVG: no script, readable by a screen reader, printable.

Each chart has a fixed coordinate system (viewBox) and scales to the width of its box,
so one drawing serves a phone and a desktop; text is sized for the phone's width, where
the drawing is smallest. A chart always comes with its numbers as a table, so nobody
has to read values off a picture.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Drawing units; on a phone one unit is about 0.9 CSS pixel, on a desktop at most 1.1
# (the stylesheet caps the width), so text reads the same size everywhere.
WIDTH = 360
LABEL_SIZE = 15
BAR_HEIGHT = 18
ROW_HEIGHT = 52
VALUE_ROOM = 64
LINE_HEIGHT = 230
MARGIN_LEFT = 34
MARGIN_RIGHT = 12
MARGIN_TOP = 24
MARGIN_BOTTOM = 34
BAR_COLOUR = "#0b4ea2"
LINE_COLOUR = "#b3261e"
GRID_COLOUR = "#cfd6df"
INK = "#1b1f24"
INK_SOFT = "#4a5360"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # The value as people read it ("87%", "¥12.00"); the bar's length comes from value.
    shown: str


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: nothing to plot for this label (a gap in the line)
    shown: str


def _open_svg(*, height: float, title: str, description: str) -> tuple[SafeString, str]:
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    opening = format_html(
        '<svg class="chart__svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{} {}" preserveAspectRatio="xMinYMin meet">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>',
        WIDTH,
        _n(height),
        title_id,
        desc_id,
        title_id,
        title,
        desc_id,
        description,
    )
    return opening, f"chart-{number}"


def _n(value: float) -> str:
    """A coordinate without float noise."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(*, title: str, description: str, bars: Sequence[Bar], empty: str) -> SafeString:
    """Horizontal bars, one per row, each label on its own line above its bar: long
    labels (store names, categories) never collide, however narrow the screen."""
    if not bars:
        return format_html('<p class="chart__empty">{}</p>', empty)
    height = ROW_HEIGHT * len(bars) + 8
    opening, _chart_id = _open_svg(height=height, title=title, description=description)
    biggest = max((bar.value for bar in bars), default=0) or 1
    room = WIDTH - VALUE_ROOM
    rows = []
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        length = max(room * bar.value / biggest, 2 if bar.value else 0)
        rows.append(
            (
                _n(top + LABEL_SIZE + 2),
                LABEL_SIZE,
                INK,
                bar.label,
                _n(top + LABEL_SIZE + 8),
                _n(length),
                BAR_HEIGHT,
                BAR_COLOUR,
                _n(length + 6),
                _n(top + LABEL_SIZE + 8 + BAR_HEIGHT - 3),
                LABEL_SIZE,
                INK,
                bar.shown,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="{}" fill="{}">{}</text>'
        '<rect x="0" y="{}" width="{}" height="{}" fill="{}" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="{}" fill="{}" font-weight="600">{}</text>',
        rows,
    )
    return format_html("{}{}</svg>", opening, body)


def line_chart(
    *,
    title: str,
    description: str,
    points: Sequence[Point],
    low: float,
    high: float,
    ticks: Sequence[float],
    empty: str,
) -> SafeString:
    """A line over labelled points on a fixed scale [low, high] (a star average is
    always drawn from 1 to 5, so a small wobble does not look like a collapse). Points
    without a value break the line; each plotted point carries its value."""
    if not any(point.value is not None for point in points):
        return format_html('<p class="chart__empty">{}</p>', empty)
    opening, _chart_id = _open_svg(height=LINE_HEIGHT, title=title, description=description)
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = LINE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    step = plot_width / max(len(points), 1)

    def x_of(index: int) -> float:
        return MARGIN_LEFT + step * (index + 0.5)

    def y_of(value: float) -> float:
        share = (min(max(value, low), high) - low) / ((high - low) or 1)
        return MARGIN_TOP + plot_height * (1 - share)

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"></line>'
        '<text x="{}" y="{}" font-size="14" fill="{}" text-anchor="end">{}</text>',
        (
            (
                MARGIN_LEFT,
                WIDTH - MARGIN_RIGHT,
                _n(y_of(tick)),
                _n(y_of(tick)),
                GRID_COLOUR,
                MARGIN_LEFT - 6,
                _n(y_of(tick) + 4),
                INK_SOFT,
                f"{tick:g}",
            )
            for tick in ticks
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="14" fill="{}" text-anchor="middle">{}</text>',
        (
            (_n(x_of(index)), LINE_HEIGHT - 12, INK_SOFT, point.label)
            for index, point in enumerate(points)
        ),
    )
    # Consecutive plotted points make one stretch of line; a gap starts a new one.
    stretches: list[list[str]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            stretches.append([])
        else:
            stretches[-1].append(f"{_n(x_of(index))},{_n(y_of(point.value))}")
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="3" '
        'stroke-linejoin="round"></polyline>',
        ((" ".join(stretch), LINE_COLOUR) for stretch in stretches if len(stretch) > 1),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="5" fill="{}"></circle>'
        '<text x="{}" y="{}" font-size="14" fill="{}" font-weight="600" '
        'text-anchor="middle">{}</text>',
        (
            (
                _n(x_of(index)),
                _n(y_of(point.value)),
                LINE_COLOUR,
                _n(x_of(index)),
                _n(y_of(point.value) - 10),
                INK,
                point.shown,
            )
            for index, point in enumerate(points)
            if point.value is not None
        ),
    )
    return format_html("{}{}{}{}{}</svg>", opening, grid, labels, lines, dots)
