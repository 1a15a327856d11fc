"""The weekly report's charts as PNG images (pure: a Report in, PNG bytes and a sentence out).

Drawn with matplotlib's object API on its Agg canvas: no pyplot, no display, no global
settings touched, so it runs the same under a service, a test or a terminal without X.
Every chart has the same pixel size (600 × 300 at 100 dpi: an email's usual width) and comes
with a text alternative that states what it shows, for screen readers and for mail clients
that do not load images. The same councillor keeps the same colour in every chart; bar
colours contrast at least 3:1 with the white background, and all text is dark ink on white.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from reports.model import CouncillorRow, Report, describe_wait

WIDTH_IN, HEIGHT_IN, DPI = 6.0, 3.0, 100  # 600 × 300 px
WIDTH_PX, HEIGHT_PX = int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI)
FONT = 9.5  # points: about 13 px at 100 dpi
INK, MUTED, GRID = "#1f2933", "#52606d", "#d9e2ec"
# Okabe–Ito hues (told apart with the common colour-vision deficiencies), darkened where
# needed to keep 3:1 against white; then a few more, for larger councils.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#AA4499", "#8E6C00", "#332288", "#882255", "#52606d")
GROUPED_UP_TO = 5  # councillors side by side each day; more (or more than 10 days) and they are stacked


@dataclass(frozen=True)
class Chart:
    name: str  # a file-name-safe id: "posts-per-day", "response-times"
    title: str
    png: bytes
    alt: str  # the text alternative: what the chart shows, in one sentence
    width: int = WIDTH_PX
    height: int = HEIGHT_PX

    def data_uri(self) -> str:
        """For a page that must open without a network: the image inside the `src` itself."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _text_width(figure: Figure, text: str, size: float = FONT) -> float:
    """Width in pixels of a label, measured without drawing the figure."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg), "every figure here is drawn on Agg (see _figure)"
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # matplotlib's backend_agg.py is unannotated
    width, _, _ = renderer.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return float(width)


def _figure() -> tuple[Figure, Axes]:
    # Margins are set by hand (see each chart) rather than by a layout engine: a layout engine
    # draws the whole figure an extra time, which doubles the cost of every report.
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_facecolor("white")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=FONT, length=3)
    return figure, axes


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # No "Software" tag: the same report gives the same bytes on any matplotlib version that draws the same.
    figure.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center", color=MUTED, fontsize=FONT + 1)


def _day_label(day: datetime, many: bool) -> str:
    return f"{day:%a}\n{day.day}" if not many else f"{day.day}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def posts_per_day(report: Report) -> Chart:
    """Posts (not replies) per councillor per day of the report, in council time."""
    days, rows = report.days, report.councillors
    figure, axes = _figure()
    totals = [sum(row.per_day) for row in rows]
    many = len(days) > 10
    positions = list(range(len(days)))
    if not rows or not any(totals):
        _empty(axes, "No posts by councillors in this period")
        axes.set_yticks([])
    elif len(rows) <= GROUPED_UP_TO and not many:
        width = 0.8 / len(rows)
        for i, row in enumerate(rows):
            offset = (i - (len(rows) - 1) / 2) * width
            axes.bar([p + offset for p in positions], row.per_day, width=width, color=colour(i), label=row.name,
                     edgecolor="white", linewidth=0.6, zorder=2)
    else:
        bottom = [0] * len(days)
        for i, row in enumerate(rows):
            axes.bar(positions, row.per_day, bottom=bottom, width=0.7, color=colour(i), label=row.name,
                     edgecolor="white", linewidth=0.6, zorder=2)
            bottom = [b + n for b, n in zip(bottom, row.per_day, strict=True)]
    axes.set_xticks(positions, [_day_label(d, many) for d in days])
    axes.set_xlim(-0.6, len(days) - 0.4)
    if rows and any(totals):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        axes.set_ylabel("posts", color=MUTED, fontsize=FONT)
        axes.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)
        axes.set_axisbelow(True)
        # As many names a row as fit in the width (at most 4), each with its colour swatch.
        widest = max(_text_width(figure, row.name) for row in rows) + 44
        ncols = max(1, min(4, len(rows), int((WIDTH_PX - 20) // widest)))
        legend_rows = -(-len(rows) // ncols)
        figure.legend(loc="upper center", bbox_to_anchor=(0.5, 1.0), ncols=ncols, frameon=False,
                      fontsize=FONT, labelcolor=INK, handlelength=1.2, columnspacing=1.4, borderaxespad=0.3)
        top = 1 - (12 + 20 * legend_rows) / HEIGHT_PX
    else:
        top = 1 - 12 / HEIGHT_PX
    if many and days:
        axes.set_xlabel(report.period.label, color=MUTED, fontsize=FONT)  # the day numbers' months
    figure.subplots_adjust(left=52 / WIDTH_PX, right=1 - 10 / WIDTH_PX, top=top,
                           bottom=(58 if many else 44) / HEIGHT_PX)
    return Chart("posts-per-day", "Posts per councillor per day", _png(figure), _posts_alt(report, totals))


def _posts_alt(report: Report, totals: list[int]) -> str:
    head = f"Posts per councillor per day, {report.period.label}"
    if not report.councillors or not any(totals):
        return f"{head}: no posts by councillors."
    parts = []
    for row, total in zip(report.councillors, totals, strict=True):
        if not total:
            parts.append(f"{row.name} none")
            continue
        most = max(row.per_day)
        busiest = [i for i, n in enumerate(row.per_day) if n == most]
        # Name the busiest day only when there is one: "most on Monday 16 (4)".
        day = report.days[busiest[0]]
        parts.append(f"{row.name} {_plural(total, 'post')}"
                     + (f", most on {day:%A} {day.day} ({most})" if most > 1 and len(busiest) == 1 else ""))
    return f"{head}: " + "; ".join(parts) + "."


def _limit_words(limit: timedelta) -> str:
    hours = limit.total_seconds() / 3600
    return _plural(int(hours), "hour") if hours == int(hours) else describe_wait(limit)


def _unit(longest: timedelta) -> tuple[float, str]:
    """Seconds per unit and its name, chosen so the longest bar reads in round numbers."""
    hours = longest.total_seconds() / 3600
    if hours < 3:
        return 60.0, "minutes"
    if hours < 72:
        return 3600.0, "hours"
    return 86400.0, "days"


def _answers(row: CouncillorRow) -> str:
    unanswered = row.questions - row.answered
    if not row.questions:
        return "no questions"
    if not row.answered:
        return f"{unanswered} unanswered"
    return f"{row.answered} answered" if not unanswered else f"{row.answered} of {row.questions} answered"


def response_times(report: Report, limit: timedelta | None = None) -> Chart:
    """Median time each councillor took to answer residents' questions; `limit` draws the policy's line."""
    rows = report.councillors
    figure, axes = _figure()
    left_px = min(max((_text_width(figure, row.name) for row in rows), default=0.0) + 18, WIDTH_PX * 0.4)
    plot_px = WIDTH_PX - left_px - 10
    medians = [row.median_response for row in rows]
    known = [m for m in medians if m is not None]
    if not rows or not known:
        _empty(axes, "No answered questions in this period")
        axes.set_xticks([])
        axes.set_yticks([])
    else:
        # The policy's limit sets the scale too, unless it would squash every bar against the axis.
        longest = max(known + ([limit] if limit is not None and limit <= max(known) * 3 else []))
        scale, unit = _unit(longest)
        top = longest.total_seconds() / scale
        # A quick answer still gets a visible sliver of bar; its label carries the exact time.
        values = [max(m.total_seconds() / scale, top * 0.006) if m is not None else 0.0 for m in medians]
        labels = [f"{describe_wait(row.median_response)} ({_answers(row)})" if row.median_response is not None
                  else _answers(row) for row in rows]
        # Stretch the axis so every label fits in the picture after its bar.
        xmax = top * 1.08
        for value, words in zip(values, labels, strict=True):
            room = plot_px - _text_width(figure, words, FONT - 0.5) - 12
            if room > plot_px * 0.2:
                xmax = max(xmax, value * plot_px / room)
        positions = list(range(len(rows)))
        axes.barh(positions, values, height=0.6, color=[colour(i) for i in range(len(rows))], zorder=2)
        axes.set_xlim(0, xmax)
        for position, row, value, words in zip(positions, rows, values, labels, strict=True):
            axes.annotate(words, (value, position), xytext=(4, 0), textcoords="offset points", va="center",
                          ha="left", fontsize=FONT - 0.5, zorder=4, annotation_clip=False,
                          color=INK if row.median_response is not None else MUTED,
                          bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})  # legible over the line
        axes.set_yticks(positions, [row.name for row in rows])
        axes.set_ylim(len(rows) - 0.5, -0.5)  # first councillor on top
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        axes.set_xlabel(f"median time to answer ({unit})", color=MUTED, fontsize=FONT)
        axes.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
        axes.set_axisbelow(True)
        if limit is not None and limit.total_seconds() / scale <= xmax:
            at = limit.total_seconds() / scale
            axes.axvline(at, color=INK, linestyle=(0, (4, 3)), linewidth=1, zorder=3)
            axes.annotate(f"policy limit: {_limit_words(limit)}", (at, 1), xycoords=("data", "axes fraction"),
                          xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                          fontsize=FONT - 1, color=INK, annotation_clip=False)
    figure.subplots_adjust(left=left_px / WIDTH_PX, right=1 - 10 / WIDTH_PX, top=1 - 26 / HEIGHT_PX,
                           bottom=44 / HEIGHT_PX)
    return Chart("response-times", "Time to answer residents' questions", _png(figure),
                 _response_alt(report, limit))


def _response_alt(report: Report, limit: timedelta | None) -> str:
    head = f"Median time to answer residents' questions, {report.period.label}"
    if not report.councillors:
        return f"{head}: no councillors in this report."
    parts = [
        f"{row.name} {describe_wait(row.median_response)} ({_answers(row)})" if row.median_response is not None
        else f"{row.name} {_answers(row)}"
        for row in report.councillors
    ]
    tail = f" The policy limit is {_limit_words(limit)}." if limit is not None else ""
    return f"{head}: " + "; ".join(parts) + "." + tail


def weekly_charts(report: Report, response_limit: timedelta | None = None) -> list[Chart]:
    """The report's charts, in the order the page shows them; none for periods too long to draw by day."""
    if len(report.days) > 31:
        return []
    return [posts_per_day(report), response_times(report, response_limit)]
