"""Render an issued counter document (receipt, one-time notice, refusal) to an A4 PDF.

The renderer reads only the frozen snapshot dict stored when the document was issued, never the
database, so a reprint is the same document. The PDF is the official paper and is always printed
in Chinese; a TrueType Chinese font is embedded (ReportLab cannot embed Noto CJK, see docs/documents.md).
"""

from __future__ import annotations

import io
import os
import threading
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.errors import DomainError
from counter.barcode import barcode_drawing
from counter.qr import qr_drawing

FONT_NAME = "BrightWindowCJK"

# Searched after settings.PDF_FONT_PATH, in this order. Debian packages: fonts-wqy-microhei,
# fonts-arphic-uming, fonts-wqy-zenhei. All TrueType outlines, so ReportLab can embed them.
DEFAULT_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

# Official documents are in Chinese whatever language the officer's screen uses.
DOCUMENT_LANGUAGE = "zh-hans"

_font_lock = threading.Lock()
_font_path: str | None = None  # the file registered in this process, once


class PdfFontMissing(DomainError):
    code = "pdf_font_missing"

    def __init__(self, message: str | None = None):
        super().__init__(
            message or "服务器未安装中文字体，无法生成PDF，请安装 fonts-wqy-microhei 或设置 PDF_FONT_PATH"
        )


def font_candidates() -> list[str]:
    """Return the font files to try, PDF_FONT_PATH first."""
    configured = getattr(settings, "PDF_FONT_PATH", "") or ""
    return ([configured] if configured else []) + list(DEFAULT_FONT_PATHS)


def register_font() -> str:
    """Register the first usable Chinese TrueType font once per process and return its name."""
    global _font_path
    if _font_path is not None:
        return FONT_NAME
    with _font_lock:
        if _font_path is not None:
            return FONT_NAME
        for path in font_candidates():
            if not os.path.isfile(path):
                continue
            try:
                # subfontIndex picks the first face of a .ttc collection; a plain .ttf ignores it.
                font = TTFont(FONT_NAME, path, subfontIndex=0)
            except TTFError:
                continue  # e.g. a CFF-outline (OpenType/Noto CJK) file: ReportLab cannot embed it
            pdfmetrics.registerFont(font)
            # The fonts have no bold face; map <b> to the same face so markup never fails.
            pdfmetrics.registerFontFamily(FONT_NAME, normal=FONT_NAME, bold=FONT_NAME,
                                          italic=FONT_NAME, boldItalic=FONT_NAME)
            _font_path = path
            return FONT_NAME
        raise PdfFontMissing()


def render_pdf(snapshot: dict) -> bytes:
    """Render a document snapshot (receipt, notice or refusal) to A4 PDF bytes."""
    font = register_font()
    with translation.override(DOCUMENT_LANGUAGE):
        return _Renderer(snapshot, font).build()


# --- layout ---------------------------------------------------------------------------------

PAGE_MARGIN = 16 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
LABEL_WIDTH = 30 * mm
# The rating QR code: big enough for an old phone's camera at arm's length, small enough for the foot.
QR_SIZE = 28 * mm


def _s(value) -> str:
    """Return a snapshot value as text safe for ReportLab's paragraph markup."""
    if value is None:
        return ""
    return escape(str(value)).replace("\n", "<br/>")


class _Renderer:
    LABEL_BG = colors.HexColor("#f0f0f0")
    GRID = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]

    def __init__(self, snapshot: dict, font: str):
        self.doc = snapshot or {}
        self.item = self.doc.get("item") or {}
        self.font = font
        base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
        self.st = {
            "body": base,
            "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER,
                                    spaceAfter=4),
            "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT, spaceAfter=8),
            "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceBefore=6,
                                      spaceAfter=3),
            "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#333333")),
            "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=14),
            "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
            "strong": ParagraphStyle("strong", parent=base, fontSize=11.5, leading=18, spaceBefore=4),
            "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#444444")),
            "link": ParagraphStyle("link", parent=base, fontSize=9.5, leading=13, wordWrap=None),
        }

    # building blocks

    def p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.st[style])

    def grid(self, rows: list[list[tuple[str, str]]]) -> list[Table]:
        """A label/value grid, one or two pairs a row; empty values are left out, a lone pair spans the row."""
        data, style = [], [*self.GRID]
        for row in rows:
            pairs = [(label, value) for label, value in row if value]
            if not pairs:
                continue
            r = len(data)
            cells = []
            for label, value in pairs:
                cells += [self.p(_s(label), "label"), self.p(value)]
                style.append(("BACKGROUND", (len(cells) - 2, r), (len(cells) - 2, r), self.LABEL_BG))
            if len(pairs) == 1:
                cells += ["", ""]
                style.append(("SPAN", (1, r), (3, r)))
            data.append(cells)
        if not data:
            return []
        value_width = (CONTENT_WIDTH - 2 * LABEL_WIDTH) / 2
        table = Table(data, colWidths=[LABEL_WIDTH, value_width, LABEL_WIDTH, value_width], hAlign="LEFT")
        table.setStyle(TableStyle(style))
        return [table]

    def numbered(self, lines: list[str]) -> list[Paragraph]:
        return [self.p(f"{i}. {_s(line)}") for i, line in enumerate(lines, 1)]

    # sections

    def header(self) -> list:
        d = self.doc
        parts: list = [self.p(_s(d.get("title")), "title"), self.p(_s(d.get("number")), "number")]
        # The case number's barcode, right-aligned under the number, as on the HTML page.
        barcode = barcode_drawing(_s(d.get("case_number")), module=0.3 * mm, height=9 * mm)
        if barcode is not None:
            parts.append(Table([[barcode]], colWidths=[barcode.width], hAlign="RIGHT",
                               style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                                 ("TOPPADDING", (0, 0), (-1, -1), 0),
                                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])))
        return parts

    def applicant(self) -> list:
        a = self.doc.get("applicant") or {}
        item_name = _s(self.item.get("name"))
        if self.item.get("code"):
            item_name += f"（{_s(_('事项编码'))}：{_s(self.item['code'])}）"
        return self.grid([
            [(_("申请人"), _s(a.get("name"))), (_("联系电话"), _s(a.get("phone")))],
            [(_("身份证号码"), _s(a.get("id_number"))), (_("业务编号"), _s(self.doc.get("case_number")))],
            [(_("申请事项"), item_name)],
        ])

    def item_pair(self, key: str) -> tuple[str, str]:
        labels = {
            "legal_basis": _("办理依据"),
            "time_limit": _("办理时限"),
            "fee": _("收费标准"),
            "place": _("办理地点"),
            "hours": _("办公时间"),
            "enquiry_phone": _("咨询电话"),
            "complaint_phone": _("投诉电话"),
        }
        return labels[key], _s(self.item.get(key))

    def service_info(self, deadline: str = "") -> list:
        """The service-guide facts of the item; the receipt adds its deadline."""
        pair = self.item_pair
        rows = [[pair("legal_basis")], [pair("time_limit")]]
        if deadline:
            rows.append([(_("办结期限"), deadline)])
        rows += [[pair("fee")], [pair("place")], [pair("hours")], [pair("enquiry_phone"), pair("complaint_phone")]]
        return [self.p(_s(_("办理信息")), "heading"), *self.grid(rows)]

    def materials_received(self, heading: str) -> list:
        received = self.doc.get("materials_received") or []
        if not received:
            return []
        return [self.p(_s(heading), "heading"), *self.numbered(received)]

    def missing_table(self) -> list:
        missing = self.doc.get("materials_missing") or []
        head = [_("序号"), _("材料名称"), _("形式"), _("份数"), _("说明及要求")]
        data = [[self.p(f"<b>{_s(h)}</b>", "cell") for h in head]]
        for i, m in enumerate(missing, 1):
            notes = "；".join(str(x) for x in (m.get("notes"), m.get("condition")) if x)
            copies = m.get("copies")
            data.append([
                self.p(str(i), "cell"),
                self.p(_s(m.get("name")), "cell"),
                self.p(_s(m.get("form")), "cell"),
                self.p(_s(copies if copies not in (None, "") else ""), "cell"),
                self.p(_s(notes), "cell"),
            ])
        widths = [12 * mm, 50 * mm, 17 * mm, 12 * mm]
        widths.append(CONTENT_WIDTH - sum(widths))
        table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#333333")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return [table]

    def closing(self) -> list:
        """Window, officer, time, issuer with the seal placeholder, and the applicant's receipt line."""
        d = self.doc
        officer = d.get("officer") or {}
        officer_text = _s(officer.get("name"))
        if officer.get("police_number"):
            officer_text += f"（{_s(_('警号'))}：{_s(officer['police_number'])}）"
        parts = [(_("受理窗口"), _s(d.get("window"))), (_("经办民警"), officer_text),
                 (_("出具时间"), _s(d.get("issued_at")))]
        line = "&nbsp;&nbsp;&nbsp;&nbsp;".join(f"{_s(label)}：{value}" for label, value in parts if value)
        # ReportLab collapses runs of spaces, ideographic ones too; keep the gaps for handwriting.
        sign = _s(_("申请人签收：＿＿＿＿＿＿＿＿　　　　年　　月　　日")).replace("\u3000", "&nbsp;&nbsp;&nbsp;")
        seal = [self.p(f"{_s(d.get('issuer'))}{_s(_('（盖章）'))}", "right"),
                self.p(_s((d.get("issued_at") or "")[:10]), "right")]
        if d.get("rating_url"):
            # The QR code sits beside the seal, so the rating invitation costs the page only a line or two.
            block = [Spacer(1, 8), self.p(line), Spacer(1, 8), self.rating_and_seal(seal), Spacer(1, 12),
                     self.p(sign)]
        else:
            block = [Spacer(1, 8), self.p(line), Spacer(1, 18), *seal, Spacer(1, 18), self.p(sign)]
            if d.get("rating_hint"):
                # Documents issued before the QR code carried the hint alone.
                block += [Spacer(1, 8), self.p(_s(d["rating_hint"]), "small")]
        return [KeepTogether(block)]

    def rating_and_seal(self, seal: list) -> Table:
        """The QR code of the rating link with the hint beside it and the link under it; the seal on the right."""
        url = self.doc["rating_url"]
        hint = self.doc.get("rating_hint") or _("请您对本次服务作出评价：扫描二维码或访问下方链接评价。")
        text = [self.p(f"<b>{_s(_('评价本次服务'))}</b>", "body"), self.p(_s(hint), "small")]
        link = self.p(f"{_s(_('评价链接'))}：{_s(url)}", "link")
        qr_col, seal_col = QR_SIZE + 3 * mm, 78 * mm
        table = Table(
            [[qr_drawing(url, size=QR_SIZE), text, seal], [link, "", ""]],
            colWidths=[qr_col, CONTENT_WIDTH - qr_col - seal_col, seal_col],
            hAlign="LEFT",
        )
        table.setStyle(TableStyle([
            ("SPAN", (0, 1), (-1, 1)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (1, 0), (1, 0), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        return table

    # per kind

    def body_receipt(self) -> list:
        d = self.doc
        if d.get("completed_on_the_spot"):
            deadline = _s(_("当场办结"))
        elif d.get("deadline"):
            deadline = _s(d["deadline"])
            if d.get("deadline_provisional"):
                deadline += _s(_("（暂定）"))
        else:
            deadline = ""
        intro = _("您申请的事项已于{time}受理，现将有关事项告知如下。").format(time=d.get("issued_at") or "")
        out = [self.p(_s(intro)), Spacer(1, 4)]
        out += self.materials_received(_("已收取的申请材料"))
        return out + self.service_info(deadline)

    def body_notice(self) -> list:
        d = self.doc
        out = []
        try:
            round_no = int(d.get("notice_round") or 1)
        except (TypeError, ValueError):
            round_no = 1
        if round_no > 1:
            out.append(self.p(_s(_("第{n}次告知（经所长批准）").format(n=round_no)), "strong"))
        if d.get("notice_intro"):
            out.append(self.p(_s(d["notice_intro"])))
        out.append(self.p(_s(_("需补充的材料")), "heading"))
        out += self.missing_table()
        out.append(self.p(_s(_(
            "以上为办理本事项尚需补充的全部材料，本单位一次性告知。"
            "您补齐上述材料后即予受理，不会再要求提交本告知单所列以外的材料。"
        )), "strong"))
        received = "；".join(str(m) for m in self.doc.get("materials_received") or [])
        out += [Spacer(1, 4), *self.grid([[(_("已收取材料"), _s(received))]])]
        out += self.service_info()
        if d.get("notice_footer"):
            out += [Spacer(1, 6), self.p(_s(d["notice_footer"]))]
        return out

    def body_refusal(self) -> list:
        d = self.doc
        out = [self.p(_s(_("您提出的上述申请，经审查，决定不予受理。理由和依据如下：")))]
        out += [Spacer(1, 4), *self.grid([[(_("不予受理理由"), _s(d.get("refusal_explanation")))],
                                          [(_("法律依据"), _s(d.get("refusal_basis")))]])]
        if d.get("remedies"):
            out += [self.p(_s(_("救济途径")), "heading"), self.p(_s(d["remedies"]))]
        phones = self.grid([[self.item_pair("enquiry_phone"), self.item_pair("complaint_phone")]])
        return out + ([Spacer(1, 6), *phones] if phones else [])

    # assembly

    def on_page(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self.font, 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        footer = _("{number}　第{page}页").format(number=self.doc.get("number", ""), page=doc.page)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, footer)
        canvas.restoreState()

    def build(self) -> bytes:
        kind = self.doc.get("kind")
        body = {
            "receipt": self.body_receipt,
            "notice": self.body_notice,
            "refusal": self.body_refusal,
        }.get(kind)
        if body is None:
            raise ValueError(f"unknown document kind: {kind!r}")
        story = [*self.header(), *self.applicant(), Spacer(1, 8), *body(), *self.closing()]
        buf = io.BytesIO()
        title = f"{self.doc.get('title', '')} {self.doc.get('number', '')}".strip()
        pdf = SimpleDocTemplate(
            buf, pagesize=A4,
            leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN,
            title=title, author=self.doc.get("issuer", ""), subject=self.doc.get("case_number", ""),
            creator="BrightWindow", lang="zh-CN",
            initialFontName=self.font,  # pages start in the embedded font, not Helvetica
            # No timestamp or random id in the file: a reprint of a snapshot is byte-identical.
            invariant=True,
        )
        pdf.build(story, onFirstPage=self.on_page, onLaterPages=self.on_page)
        return buf.getvalue()
