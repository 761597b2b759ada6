"""The dashboard's charts drawn on the server, as PNG, for the annual report: the same ``Chart``
tables the browser draws with ECharts (reports.selectors), plotted with matplotlib's Agg
backend (no display, no pyplot state) and the CJK font of core.documents, so that Chinese
labels render and the report looks like the dashboard."""

import io
import math
from functools import cache

from liandong.core.documents import font_path
from liandong.reports.selectors import Chart

PALETTE = ["#1a56a8", "#d9480f", "#2b8a3e", "#ae3ec9", "#e67700", "#0b7285", "#c2255c", "#5c940d"]
MAX_BARS = 15  # a horizontal bar chart shows the largest rows; the table has them all
WIDTH_IN, HEIGHT_IN, DPI = 7.0, 3.4, 150


@cache
def font_family() -> str:
    """Adds the documents' CJK font to matplotlib once; returns its family name."""
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _number(value: object) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return math.nan


def plotted_series(chart: Chart) -> list[tuple[str, list[float]]]:
    """(name, values) of each series the chart draws, numbers only (a gap is NaN)."""
    indices = chart.plotted if chart.plotted is not None else range(len(chart.columns) - 1)
    series = []
    for i in indices:
        values = [_number(row.values[i]) if i < len(row.values) else math.nan for row in chart.rows]
        if all(math.isnan(v) for v in values):
            continue
        series.append((chart.columns[i + 1], values))
    return series


def has_data(chart: Chart) -> bool:
    return any(not math.isnan(v) and v != 0 for _, values in plotted_series(chart) for v in values)


def render_png(chart: Chart) -> bytes:
    """The chart as a PNG (about 1050 × 510 px); empty bytes when it has nothing to draw."""
    if not has_data(chart):
        return b""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = font_family()
    with matplotlib.rc_context(
        {
            "font.family": [family],
            "font.sans-serif": [family],
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 9,
        }
    ):
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        DRAW.get(chart.kind, _bar)(axes, chart)
        axes.set_title(chart.title, fontsize=11)
        figure.tight_layout()
        stream = io.BytesIO()
        figure.savefig(stream, format="png", dpi=DPI)
    return stream.getvalue()


def _labels(chart: Chart) -> list[str]:
    return [row.label for row in chart.rows]


def _legend(axes, count: int) -> None:  # type: ignore[no-untyped-def]
    if count > 1:
        axes.legend(fontsize=8, frameon=False, loc="best")


def _bar(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    series = plotted_series(chart)
    labels = _labels(chart)
    width = 0.8 / max(len(series), 1)
    for n, (name, values) in enumerate(series):
        positions = [i + (n - (len(series) - 1) / 2) * width for i in range(len(labels))]
        axes.bar(
            positions,
            [0 if math.isnan(v) else v for v in values],
            width,
            label=name,
            color=PALETTE[n % len(PALETTE)],
        )
    axes.set_xticks(
        range(len(labels)),
        labels,
        rotation=30 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
    )
    if chart.unit:
        axes.set_ylabel(chart.unit)
    _legend(axes, len(series))


def _stack(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    series = plotted_series(chart)
    labels = _labels(chart)
    bottom = [0.0] * len(labels)
    for n, (name, values) in enumerate(series):
        clean = [0 if math.isnan(v) else v for v in values]
        axes.bar(
            range(len(labels)),
            clean,
            0.7,
            bottom=bottom,
            label=name,
            color=PALETTE[n % len(PALETTE)],
        )
        bottom = [b + v for b, v in zip(bottom, clean, strict=True)]
    axes.set_xticks(range(len(labels)), labels)
    if chart.unit:
        axes.set_ylabel(chart.unit)
    _legend(axes, len(series))


def _hbar(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    series = plotted_series(chart)
    rows = list(range(min(len(chart.rows), MAX_BARS)))
    labels = [_short(chart.rows[i].label) for i in rows]
    height = 0.8 / max(len(series), 1)
    for n, (name, values) in enumerate(series):
        positions = [i + (n - (len(series) - 1) / 2) * height for i in rows]
        shown = [0 if math.isnan(values[i]) else values[i] for i in rows]
        axes.barh(positions, shown, height, label=name, color=PALETTE[n % len(PALETTE)])
    axes.set_yticks(rows, labels)
    axes.invert_yaxis()
    if chart.unit:
        axes.set_xlabel(chart.unit)
    _legend(axes, len(series))


def _line(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    """By month; rates (a column ending in %) on a second axis when counts are drawn too."""
    series = plotted_series(chart)
    labels = _labels(chart)
    rates = [s for s in series if s[0].endswith("%")]
    counts = [s for s in series if not s[0].endswith("%")]
    right = axes.twinx() if rates and counts else None
    handles = []
    for n, (name, values) in enumerate(series):
        target = right if right is not None and name.endswith("%") else axes
        (line,) = target.plot(
            range(len(labels)),
            values,
            marker="o",
            markersize=3,
            label=name,
            color=PALETTE[n % len(PALETTE)],
        )
        handles.append(line)
    axes.set_xticks(range(len(labels)), labels)
    if right is not None:
        right.set_ylabel("%")
        right.set_ylim(0, 105)
        right.spines["right"].set_visible(True)
    if chart.unit or counts:
        axes.set_ylabel(chart.unit or "件")
    if len(handles) > 1:
        axes.legend(
            handles=handles,
            fontsize=8,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1),
            ncol=min(len(handles), 5),
        )


def _pie(axes, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    series = plotted_series(chart)
    values = [0 if math.isnan(v) else v for v in series[0][1]] if series else []
    pairs = [(row.label, v) for row, v in zip(chart.rows, values, strict=False) if v > 0]
    pairs.sort(key=lambda p: -p[1])
    if len(pairs) > 8:
        pairs = [*pairs[:7], ("其他", sum(v for _, v in pairs[7:]))]
    axes.pie(
        [v for _, v in pairs],
        labels=[_short(label) for label, _ in pairs],
        autopct="%1.1f%%",
        colors=PALETTE,
        textprops={"fontsize": 8},
        startangle=90,
        counterclock=False,
    )
    axes.axis("equal")


def _short(label: str, length: int = 14) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


DRAW = {"bar": _bar, "stack": _stack, "hbar": _hbar, "line": _line, "pie": _pie}
