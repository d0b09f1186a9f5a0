"""The evaluations' audit vocabulary: devices, invitations, ratings, follow-ups and contests in words.

Imported by EvaluationsConfig.ready() (core/audit.py says how the audit log uses it).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import ObjectRef, actions_register, fields_register, objects_register, values_register
from counter.states import Stage
from evaluations.models import (
    Channel,
    Contest,
    ContestGround,
    Device,
    FlagKind,
    FollowUp,
    Invite,
    Level,
    PairingCode,
    Rating,
    Verdict,
)
from org.audit import choice_names, local_moments

ACTIONS = {
    "device.pairing_code": _("生成评价器配对码"),
    "device.paired": _("配对评价器"),
    "device.revoked": _("停用评价器"),
    "rating.invited": _("邀请评价"),
    "rating.submitted": _("提交评价"),
    "follow_up.opened": _("差评转回访整改"),
    "follow_up.called": _("差评回访"),
    "follow_up.verified": _("核实差评"),
    "follow_up.closed": _("差评整改办结"),
    "follow_up.deadline_recomputed": _("重算差评整改期限"),
    "follow_up.escalated": _("差评整改逾期上报县局"),
    "follow_up.phone_viewed": _("回访时查看申请人完整电话"),
    "contest.filed": _("提出申诉复核"),
    "contest.decided": _("作出复核决定"),
}

FIELDS = {
    "device.pairing_code:expires_at": _("配对码有效期至"),
    "device.paired:name": _("设备名称"),
    "device.paired:from": _("配对地址"),
    "stage": _("评价环节"),
    "device_offline": _("发起时评价器离线"),
    "level": _("总体评价"),
    "channel": _("评价渠道"),
    "rating.submitted:from": _("提交地址"),
    "flags": _("疑点"),
    "follow_up.opened:deadline": _("整改期限"),
    "follow_up.escalated:deadline": _("整改期限"),
    "called_at": _("回访时间"),
    "verdict": _("核实结论"),
    "late": _("逾期办结"),
    "ground": _("申诉理由类别"),
    "upheld": _("申诉成立"),
}


def _pks(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _stage(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


def _devices(ids: list[str]) -> dict[str, ObjectRef]:
    url = reverse("evaluations:device_list")
    return {str(pk): ObjectRef(f"{window} {name}", url)
            for pk, name, window in Device.objects.filter(pk__in=_pks(ids)).values_list("pk", "name", "window__name")}


def _pairing_codes(ids: list[str]) -> dict[str, ObjectRef]:
    url = reverse("evaluations:device_list")
    rows = PairingCode.objects.filter(pk__in=_pks(ids)).values_list("pk", "window__name", "created_at")
    return {str(pk): ObjectRef(str(_("%(window)s的配对码（%(at)s）") % {
        "window": window, "at": clock.localtime(at).strftime("%Y-%m-%d %H:%M")}), url) for pk, window, at in rows}


def _invites(ids: list[str]) -> dict[str, ObjectRef]:
    rows = Invite.objects.filter(pk__in=_pks(ids)).values_list("pk", "case__number", "stage")
    return {str(pk): ObjectRef(str(_("%(case)s %(stage)s环节的评价邀请") % {"case": number, "stage": _stage(stage)}),
                               reverse("counter:case_detail", args=[number]))
            for pk, number, stage in rows}


def _ratings(ids: list[str]) -> dict[str, ObjectRef]:
    rows = Rating.objects.filter(pk__in=_pks(ids)).values_list("pk", "case__number", "stage", "level")
    levels = dict(Level.choices)
    return {str(pk): ObjectRef(f"{number} {_stage(stage)} {levels.get(level, level)}",
                               reverse("evaluations:rating_detail", args=[pk]))
            for pk, number, stage, level in rows}


def _follow_ups(ids: list[str]) -> dict[str, ObjectRef]:
    rows = FollowUp.objects.filter(pk__in=_pks(ids)).values_list("pk", "rating__case__number")
    return {str(pk): ObjectRef(str(_("%(case)s 的差评回访整改") % {"case": number}),
                               reverse("evaluations:follow_up_detail", args=[pk])) for pk, number in rows}


def _contests(ids: list[str]) -> dict[str, ObjectRef]:
    rows = Contest.objects.filter(pk__in=_pks(ids)).values_list("pk", "rating__case__number")
    return {str(pk): ObjectRef(str(_("%(case)s 的申诉复核") % {"case": number}),
                               reverse("evaluations:contest_detail", args=[pk])) for pk, number in rows}


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    objects_register("evaluations.device", _("评价器"), _devices)
    objects_register("evaluations.pairingcode", _("评价器配对码"), _pairing_codes)
    objects_register("evaluations.invite", _("评价邀请"), _invites)
    objects_register("evaluations.rating", _("评价"), _ratings)
    objects_register("evaluations.followup", _("差评回访整改"), _follow_ups)
    objects_register("evaluations.contest", _("申诉复核"), _contests)
    values_register("stage", choice_names(Stage.choices))
    values_register("level", choice_names(Level.choices))
    values_register("channel", choice_names(Channel.choices))
    values_register("flags", choice_names(FlagKind.choices))
    values_register("verdict", choice_names(Verdict.choices))
    values_register("ground", choice_names(ContestGround.choices))
    values_register("called_at", local_moments)
    values_register("device.pairing_code:expires_at", local_moments)
