"""The bad-review follow-up and the contest (申诉复核): their states and steps, the one table of each."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, Workflow
from org import access


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    CALLED = "called", _("已回访待核实")
    VERIFIED = "verified", _("已核实待整改")
    CLOSED = "closed", _("已办结")


class ContestStatus(models.TextChoices):
    PENDING = "pending", _("待县局复核")
    UPHELD = "upheld", _("申诉成立，剔除该评价")
    REJECTED = "rejected", _("申诉不成立")


# Call the applicant back, verify what the review says, then put it right (or explain) and close.
FOLLOW_UP_WORKFLOW = Workflow(
    "follow_up",
    states=FollowUpStatus,
    transitions=[
        Transition("call", (FollowUpStatus.OPEN,), (FollowUpStatus.CALLED,), access.FOLLOW_UP_HANDLE, _("回访")),
        Transition("verify", (FollowUpStatus.CALLED,), (FollowUpStatus.VERIFIED,), access.FOLLOW_UP_HANDLE,
                   _("核实")),
        Transition("close", (FollowUpStatus.VERIFIED,), (FollowUpStatus.CLOSED,), access.FOLLOW_UP_HANDLE,
                   _("整改办结")),
    ],
    refusal=_("回访整改当前状态为“%(state)s”，不能进行这一步。"),
)

# The county decides a contest once, with reasons.
CONTEST_WORKFLOW = Workflow(
    "contest",
    states=ContestStatus,
    transitions=[
        Transition("decide", (ContestStatus.PENDING,), (ContestStatus.UPHELD, ContestStatus.REJECTED),
                   access.CONTEST_DECIDE, _("复核")),
    ],
    refusal=_("该申诉已经复核。"),
    code="already_decided",
)
