"""The audit log as an Excel file: the rows of the page, in the page's words, for one set of filters.

The view (shell/views.py) checks access, validates the filters, records the export ("audit.export") and
answers with the bytes made here. At most EXPORT_CAP rows, newest first; the second sheet says when more matched.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from core import clock
from core.audit import EventView, events_describe
from core.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 50_000
# Events put in words together: one query per kind of object and of stored id for each batch.
BATCH = 1000
COLUMN_WIDTHS = (20, 12, 12, 22, 12, 40, 22, 70, 16)


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    rows: int  # written to the file
    matched: int  # matched the filters (more than `rows` when the cap cut them)


def audit_export_build(*, events: QuerySet[AuditEvent], viewer, unit, filters: list[tuple[str, str]]) -> Export:
    """The newest EXPORT_CAP of `events` as a workbook, with who took it, when, of what and with which filters."""
    matched = events.count()
    rows = min(matched, EXPORT_CAP)
    now = clock.localtime()
    about = [
        (_("导出人"), str(viewer)),
        (_("导出时间"), now.strftime("%Y-%m-%d %H:%M:%S")),
        (_("范围"), unit.full_name if unit is not None else ""),
        (_("筛选条件"), "；".join(f"{label}：{value}" for label, value in filters) or _("无（全部记录）")),
        (_("导出条数"), str(rows)),
    ]
    if matched > EXPORT_CAP:
        about.append((_("注意"), _("符合条件的记录共 %(matched)s 条，超过单次导出的上限 %(cap)s 条，只导出了最新的 "
                                  "%(cap)s 条。请缩小日期范围分次导出。") % {"matched": matched, "cap": EXPORT_CAP}))
    # The rows need the unit's name only, not the county and station the page shows on hover.
    content = audit_workbook(audit_rows(events.select_related(None).select_related("actor", "unit")[:EXPORT_CAP]),
                             about=about)
    return Export(content, _("审计日志-%(at)s.xlsx") % {"at": now.strftime("%Y%m%d-%H%M")}, rows, matched)


def headers() -> list[str]:
    return [_("时间"), _("操作人"), _("警号/工号"), _("动作"), _("对象类别"), _("对象"), _("单位"), _("详情"),
            _("客户端地址")]


def event_cells(view: EventView) -> list[str]:
    """One event as the cells of its row: the same words as the page shows."""
    e = view.event
    return [
        clock.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
        e.actor.display_name if e.actor else _("系统/未登录"),
        e.actor.police_number if e.actor else "",
        view.action,
        view.object_kind if view.object else "",
        view.object.text if view.object else "",
        e.unit.name if e.unit else "",
        "；".join(f"{label}：{value}" for label, value in view.data),
        e.client_address or "",
    ]


def audit_rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    """The cells of each of `events`, described a batch at a time (never the whole log in memory)."""
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=BATCH):
        batch.append(event)
        if len(batch) == BATCH:
            yield from (event_cells(v) for v in events_describe(batch))
            batch = []
    if batch:
        yield from (event_cells(v) for v in events_describe(batch))


def audit_workbook(rows: Iterable[list[str]], *, about: list[tuple[str, str]]) -> bytes:
    """An .xlsx of the log's `rows` under the Chinese headers, and a sheet `about` the export (who, when, filters)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    for letter, width in zip("ABCDEFGHI", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, text, bold=True) for text in headers()])
    for row in rows:
        sheet.append([_value(sheet, text) for text in row])
    notes = book.create_sheet(_("说明"))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    for label, text in about:
        notes.append([_cell(notes, label, bold=True), _cell(notes, text)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _value(sheet, text: str):
    """A plain string (the fast path of a write-only sheet), or a cell kept as text where Excel would see a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return _cell(sheet, text) if text.startswith("=") else text


def _cell(sheet, text: str, *, bold: bool = False) -> WriteOnlyCell:
    # Recorded text is shown as text: never a formula (a reason typed as "=..."), never a character Excel refuses.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(text)))
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell
