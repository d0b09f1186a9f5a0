"""The states of a window case and the decisions that move it: the one table, checked by core.workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow
from org import access


class CaseStatus(models.TextChoices):
    INTAKE = "intake", _("已收件待决定")
    NOTICE = "notice", _("待补正（已一次性告知）")
    ACCEPTED = "accepted", _("已受理办理中")
    COMPLETED = "completed", _("已办结")
    REFUSED = "refused", _("不予受理")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("受理")
    NOTICE = "notice", _("一次性告知")
    REFUSE = "refuse", _("不予受理")
    COMPLETE = "complete", _("办结")


class Stage(models.TextChoices):
    """The points of a case at which the applicant is asked to rate the service (R7)."""

    NOTICE = "notice", _("一次性告知")
    REFUSAL = "refusal", _("不予受理")
    COMPLETION = "completion", _("办结")


OPEN_STATUSES = (CaseStatus.INTAKE, CaseStatus.NOTICE, CaseStatus.ACCEPTED)

CASE_WORKFLOW = Workflow(
    "case",
    states=CaseStatus,
    transitions=[
        # An on-the-spot item is completed by its acceptance.
        Transition(Decision.ACCEPT, (CaseStatus.INTAKE, CaseStatus.NOTICE), (CaseStatus.ACCEPTED, CaseStatus.COMPLETED),
                   access.CASE_DECIDE, Decision.ACCEPT.label),
        Transition(Decision.NOTICE, (CaseStatus.INTAKE, CaseStatus.NOTICE), (CaseStatus.NOTICE,),
                   access.CASE_DECIDE, Decision.NOTICE.label),
        Transition(Decision.REFUSE, (CaseStatus.INTAKE, CaseStatus.NOTICE), (CaseStatus.REFUSED,),
                   access.CASE_DECIDE, Decision.REFUSE.label),
        Transition(Decision.COMPLETE, (CaseStatus.ACCEPTED,), (CaseStatus.COMPLETED,),
                   access.CASE_DECIDE, Decision.COMPLETE.label),
    ],
    refusal=_("办件当前状态为“%(state)s”，不能%(action)s。"),
)

# The stage each decision ends, by the state it leads to (acceptance ends one only when it completes the case).
STAGE_ENDED: dict[tuple[str, str], str] = {
    (Decision.NOTICE, CaseStatus.NOTICE): Stage.NOTICE,
    (Decision.REFUSE, CaseStatus.REFUSED): Stage.REFUSAL,
    (Decision.ACCEPT, CaseStatus.COMPLETED): Stage.COMPLETION,
    (Decision.COMPLETE, CaseStatus.COMPLETED): Stage.COMPLETION,
}
