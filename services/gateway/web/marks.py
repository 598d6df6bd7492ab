"""A text with its passages marked, as HTML: escaped text, one <mark> per passage."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    anchor: str  # the element id, e.g. "d3" (draft side of passage 3)
    twin: str  # the id of the same passage on the other side
    source: int  # the colour: the source's position in the report


def marked(text: str, spans: list[Span]) -> Markup:
    """`text` escaped, with each span wrapped in a <mark> that names its twin; a span that
    overlaps an earlier one starts where that one ends (marks never nest)."""
    out, at = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = max(span.start, at), min(span.end, len(text))
        if end <= start:
            continue
        out.append(escape(text[at:start]))
        out.append(f'<mark id="{span.anchor}" class="passage src{span.source % 6}" data-twin="{span.twin}" '
                   f'tabindex="0">{escape(text[start:end])}</mark>')
        at = end
    out.append(escape(text[at:]))
    return Markup("".join(out))
