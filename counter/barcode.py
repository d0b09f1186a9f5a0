"""The case number as a Code 128 barcode, printed on every document so a counter scanner opens the case.

A counter scanner types what it reads and then Enter; the case list's search box opens the case whose
number it receives (counter.selectors.case_number_scanned). One set of bars (ReportLab's encoder) feeds
both the inline SVG of the HTML page and the PDF's drawing. A value Code 128 cannot carry (anything
beyond printable ASCII, e.g. a unit code in Chinese) gets no barcode: the number is printed anyway.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors

# The quiet zone either side, in narrow bars; the standard asks for 10.
QUIET_ZONE = 10


def bars(value: str) -> list[tuple[bool, int]]:
    """The barcode of `value` as (dark?, width in narrow bars) runs, quiet zones excluded; [] if it cannot be coded."""
    if not value or any(not (32 <= ord(ch) < 127) for ch in value):
        return []
    code = Code128(value)
    code.validate()
    code.encode()
    code.decompose()
    # Upper-case letters are bars, lower-case spaces; A is one narrow bar wide, B two, and so on.
    return [(ch.isupper(), ord(ch.upper()) - ord("A") + 1) for ch in code.decomposed]


def barcode_svg(value: str, *, height: str = "9mm", module: float = 0.3, label: str = "") -> str:
    """Inline SVG of the barcode of `value`, `module` mm per narrow bar; "" when the value cannot be coded."""
    runs = bars(value)
    if not runs:
        return ""
    total = sum(width for _dark, width in runs) + 2 * QUIET_ZONE
    x = QUIET_ZONE
    rects = []
    for dark, width in runs:
        if dark:
            rects.append(f'<rect x="{x}" y="0" width="{width}" height="40"/>')
        x += width
    title = f"<title>{_escape(label)}</title>" if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(label or value)} '
        f'viewBox="0 0 {total} 40" width="{total * module:.1f}mm" height={quoteattr(height)} '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" class="case-barcode">{title}'
        f'<rect width="{total}" height="40" fill="#fff"/><g fill="#000">{"".join(rects)}</g></svg>'
    )


def barcode_drawing(value: str, *, module: float, height: float) -> Drawing | None:
    """A ReportLab drawing of the barcode of `value`, `module` points per narrow bar; None when it cannot be coded."""
    runs = bars(value)
    if not runs:
        return None
    total = sum(w for _dark, w in runs) + 2 * QUIET_ZONE
    unit = module
    drawing = Drawing(total * unit, height)
    x = QUIET_ZONE
    for dark, w in runs:
        if dark:
            drawing.add(Rect(x * unit, 0, w * unit, height, fillColor=colors.black, strokeColor=None))
        x += w
    return drawing


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
