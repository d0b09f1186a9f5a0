"""The shell's audit vocabulary: exports of the audit log itself.

Imported by ShellConfig.ready() (core/audit.py says how the audit log uses it).
"""

from django.utils.translation import gettext_lazy as _

from core.audit import action_label, actions_register, fields_register, values_register

ACTIONS = {
    "audit.export": _("导出审计日志"),
}

FIELDS = {
    "audit.export:person": _("筛选的操作人"),
    "audit.export:case": _("筛选的办件编号"),
    "audit.export:action": _("筛选的动作"),
    "audit.export:date_from": _("起始日期"),
    "audit.export:date_to": _("截止日期"),
    "audit.export:rows": _("导出条数"),
    "audit.export:matched": _("符合条件的条数"),
}


def _actions(codes: list) -> dict[str, str]:
    return {code: action_label(code) for code in codes if isinstance(code, str)}


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    values_register("audit.export:action", _actions)
