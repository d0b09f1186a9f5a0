"""QR codes of the applicant's rating link, for printed documents: as inline SVG and as a ReportLab drawing.

Both are built from the same module matrix (ReportLab's encoder), so the HTML page and the PDF of a
document show the same code. Nothing random goes in: a reprint draws the same code.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors

# M (about 15% of the code may be damaged) survives a creased or smudged paper slip.
ERROR_LEVEL = "M"
# The quiet zone around the code, in modules; the standard asks for 4.
QUIET_ZONE = 4


def qr_matrix(value: str, *, level: str = ERROR_LEVEL) -> list[list[bool]]:
    """Return the dark (True) and light modules of the QR code of `value`, row by row."""
    if not value:
        raise ValueError("a QR code needs a value")
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(value)
    code.make()
    return [[bool(cell) for cell in row] for row in code.modules]


def _runs(row: list[bool]):
    """Yield (start, length) of each run of dark modules in a row."""
    start = None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i - start
            start = None


def qr_svg(value: str, *, size: str = "30mm", label: str = "") -> str:
    """Return an inline <svg> element of the QR code of `value`; `size` is any CSS length."""
    matrix = qr_matrix(value)
    total = len(matrix) + 2 * QUIET_ZONE
    path = "".join(
        f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{n}v1h-{n}z"
        for y, row in enumerate(matrix)
        for x, n in _runs(row)
    )
    title = f"<title>{escape(label)}</title>" if label else ""
    aria = f' role="img" aria-label={quoteattr(label)}' if label else ' aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {total} {total}" '
        f'width="{size}" height="{size}"{aria} shape-rendering="crispEdges">{title}'
        f'<rect width="{total}" height="{total}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def qr_drawing(value: str, *, size: float) -> Drawing:
    """Return a square ReportLab drawing, `size` points wide, of the QR code of `value` with its quiet zone."""
    matrix = qr_matrix(value)
    total = len(matrix) + 2 * QUIET_ZONE
    box = size / total
    drawing = Drawing(size, size)
    for r, row in enumerate(matrix):
        y = size - (r + QUIET_ZONE + 1) * box
        for x, n in _runs(row):
            # A hair of overlap keeps viewers from drawing white seams between rows.
            drawing.add(Rect((x + QUIET_ZONE) * box, y, n * box, box * 1.02,
                             fillColor=colors.black, strokeColor=None, strokeWidth=0))
    return drawing
