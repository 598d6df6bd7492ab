"""Charts drawn on the server as SVG: nothing to load, nothing to run in the browser."""
from __future__ import annotations

from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 240, 40, 28, 16


def issued_against_target(months: list[tuple[str, int, float]], *, title: str) -> str:
    """Bars of documents issued by month and the monthly target as a line; `months` is
    (label, issued, target) in order."""
    if not months:
        return ""
    top = max([1.0] + [float(i) for _, i, _ in months] + [t for _, _, t in months]) * 1.15
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / len(months)

    def y(value: float) -> float:
        return PAD_TOP + plot_h * (1 - value / top)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for tick in range(5):
        value = top * tick / 4
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                     f'<text class="axis" x="{PAD_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.0f}</text>')
    line = []
    for i, (label, issued, target) in enumerate(months):
        x = PAD_LEFT + i * step
        parts.append(f'<rect class="bar" x="{x + step * 0.15:.1f}" y="{y(issued):.1f}" width="{step * 0.7:.1f}" '
                     f'height="{max(0.0, PAD_TOP + plot_h - y(issued)):.1f}"><title>{escape(label)}: {issued} văn bản'
                     f'</title></rect>')
        parts.append(f'<text class="axis" x="{x + step / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                     f'{escape(label[-2:])}</text>')
        line.append(f"{x + step / 2:.1f},{y(target):.1f}")
    parts.append(f'<polyline class="target" points="{" ".join(line)}"><title>Mục tiêu tháng</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)
