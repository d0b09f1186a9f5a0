"""The bad-review loop: follow-ups (call back, verify, put right) and contests (申诉复核).

Part of the evaluations services; callers use them through `evaluations.services`.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import DomainError
from core.models import scope_copy
from evaluations import window_days
from evaluations.models import Contest, FollowUp, Invite, Rating, Verdict
from evaluations.states import CONTEST_WORKFLOW, FOLLOW_UP_WORKFLOW, ContestStatus, FollowUpStatus
from org import access
from org.models import Staff
from workdays.services import add_workdays


def follow_up_open(*, rating: Rating) -> FollowUp:
    deadline = add_workdays(clock.today(), settings.FOLLOW_UP_WORKING_DAYS)
    follow_up = FollowUp.objects.create(
        rating=rating,
        **scope_copy(rating),
        deadline=deadline.date,
        deadline_provisional=deadline.provisional,
    )
    audit_record(
        actor=None,
        action="follow_up.opened",
        obj=follow_up,
        unit=rating.window,
        data={"case": rating.case.number, "deadline": str(deadline.date)},
    )
    return follow_up


def _lock_follow_up(follow_up: FollowUp, actor: Staff, action: str) -> FollowUp:
    """Re-read the follow-up under its lock; the station head of its station takes the table's next step."""
    locked = FollowUp.objects.select_for_update().select_related("rating", "rating__window").get(pk=follow_up.pk)
    step = FOLLOW_UP_WORKFLOW.transition(action)
    access.require(actor, step.capability, locked)
    FOLLOW_UP_WORKFLOW.check(locked.status, action)
    return locked


def follow_up_record_call(*, follow_up: FollowUp, actor: Staff, called_at: datetime.datetime, notes: str) -> FollowUp:
    """Record the call-back to the applicant (100% call-back)."""
    notes = (notes or "").strip()
    if len(notes) < 5:
        raise DomainError(
            _("请记录回访情况（至少5个字）：联系了谁、对方怎么说。"), code="call_notes", field="call_notes"
        )
    if called_at > clock.now():
        raise DomainError(_("回访时间不能晚于现在。"), code="call_in_future", field="called_at")
    with transaction.atomic():
        locked = _lock_follow_up(follow_up, actor, "call")
        if called_at < locked.rating.rated_at.replace(second=0, microsecond=0):
            raise DomainError(
                _("回访时间不能早于差评时间（%(t)s）。")
                % {"t": clock.localtime(locked.rating.rated_at).strftime("%Y-%m-%d %H:%M")},
                code="call_before_rating",
                field="called_at",
            )
        locked.called_at, locked.call_notes, locked.status = called_at, notes, FollowUpStatus.CALLED
        locked.handled_by = actor
        locked.save()
        audit_record(
            actor=actor,
            action="follow_up.called",
            obj=locked,
            unit=locked.rating.window,
            data={"called_at": called_at.isoformat()},
        )
    return locked


def follow_up_verify(*, follow_up: FollowUp, actor: Staff, verdict: str, verification: str) -> FollowUp:
    """Record whether the bad review is true (属实 / 部分属实 / 不属实)."""
    if verdict not in Verdict.values:
        raise DomainError(_("请选择核实结论。"), code="verdict", field="verdict")
    verification = (verification or "").strip()
    if len(verification) < 5:
        raise DomainError(_("请写明核实情况（至少5个字）。"), code="verification", field="verification")
    with transaction.atomic():
        locked = _lock_follow_up(follow_up, actor, "verify")
        locked.verdict, locked.verification, locked.status = verdict, verification, FollowUpStatus.VERIFIED
        locked.save()
        audit_record(
            actor=actor, action="follow_up.verified", obj=locked, unit=locked.rating.window, data={"verdict": verdict}
        )
    return locked


def follow_up_close(*, follow_up: FollowUp, actor: Staff, rectification: str) -> FollowUp:
    """Record what was put right (or, for an untrue review, what was explained) and close."""
    rectification = (rectification or "").strip()
    if len(rectification) < 5:
        raise DomainError(_("请写明整改情况（至少5个字）。"), code="rectification", field="rectification")
    with transaction.atomic():
        locked = _lock_follow_up(follow_up, actor, "close")
        locked.rectification, locked.status, locked.closed_at = rectification, FollowUpStatus.CLOSED, clock.now()
        locked.save()
        audit_record(
            actor=actor,
            action="follow_up.closed",
            obj=locked,
            unit=locked.rating.window,
            data={"late": locked.deadline < clock.today()},
        )
    return locked


def follow_up_deadlines_refresh(*, actor: Staff | None = None) -> int:
    """Recompute the deadlines of open follow-ups computed before their year was entered; return how many moved."""
    changed = 0
    pending = FollowUp.objects.filter(deadline_provisional=True).exclude(status=FollowUpStatus.CLOSED)
    for follow_up in pending.select_related("rating__window"):
        deadline = add_workdays(clock.localtime(follow_up.opened_at).date(), settings.FOLLOW_UP_WORKING_DAYS)
        if deadline.date == follow_up.deadline and deadline.provisional:
            continue
        with transaction.atomic():
            FollowUp.objects.filter(pk=follow_up.pk).update(deadline=deadline.date,
                                                          deadline_provisional=deadline.provisional)
            audit_record(actor=actor, action="follow_up.deadline_recomputed", obj=follow_up,
                         unit=follow_up.rating.window,
                         data={"from": str(follow_up.deadline), "to": str(deadline.date),
                               "provisional": deadline.provisional})
        changed += 1
    return changed


def follow_up_deadlines_refreshed(*, actor: Staff | None = None) -> tuple[str, int]:
    """Subscribed to workdays.hooks.deadlines_refresh: what was recomputed, and how many."""
    return _("差评整改期限"), follow_up_deadlines_refresh(actor=actor)


def follow_ups_escalate(*, today: datetime.date | None = None) -> int:
    """Escalate to the county every follow-up past its deadline and not closed; return how many."""
    today = today or clock.today()
    late = FollowUp.objects.filter(deadline__lt=today, escalated_at__isnull=True).exclude(status=FollowUpStatus.CLOSED)
    count = 0
    for follow_up in late.select_related("rating__window"):
        with transaction.atomic():
            # A conditional UPDATE claims the row, so two runs at once escalate (and audit) it only once.
            claimed = FollowUp.objects.filter(pk=follow_up.pk, escalated_at__isnull=True).update(
                escalated_at=clock.now()
            )
            if not claimed:
                continue
            audit_record(
                actor=None,
                action="follow_up.escalated",
                obj=follow_up,
                unit=follow_up.rating.window,
                data={"deadline": str(follow_up.deadline)},
            )
        count += 1
    return count


def contest_file(*, rating: Rating, actor: Staff, ground: str, statement: str) -> Contest:
    """The rated officer contests a bad review as mistaken or malicious (申诉复核)."""
    access.require(actor, access.CONTEST_FILE, rating)
    if not rating.is_bad:
        raise DomainError(_("只有差评可以申诉复核。"), code="not_bad")
    if ground not in ("mistaken", "malicious"):
        raise DomainError(_("请选择申诉理由：误评或恶意差评。"), code="ground", field="ground")
    statement = (statement or "").strip()
    if len(statement) < 10:
        raise DomainError(_("请写明申诉理由（至少10个字）。"), code="statement", field="statement")
    try:
        with transaction.atomic():
            contest = Contest.objects.create(
                rating=rating,
                **scope_copy(rating),
                filed_by=actor,
                ground=ground,
                statement=statement,
            )
            audit_record(
                actor=actor,
                action="contest.filed",
                obj=contest,
                unit=rating.window,
                data={"case": rating.case.number, "ground": ground},
            )
    except IntegrityError as exc:
        raise DomainError(_("该评价已经申诉过。"), code="already_contested") from exc
    return contest


def contest_decide(*, contest: Contest, actor: Staff, upheld: bool, reason: str) -> Contest:
    """The county decides a contest with reasons; an upheld one excludes the rating, which stays visible."""
    access.require(actor, access.CONTEST_DECIDE, contest)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(_("请写明复核意见（至少10个字）。"), code="decision_reason", field="reason")
    with transaction.atomic():
        locked = Contest.objects.select_for_update().select_related("rating").get(pk=contest.pk)
        CONTEST_WORKFLOW.check(locked.status, "decide")
        locked.status = ContestStatus.UPHELD if upheld else ContestStatus.REJECTED
        CONTEST_WORKFLOW.check_target("decide", locked.status)
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, clock.now(), reason
        locked.save()
        if upheld and Rating.objects.filter(pk=locked.rating_id, excluded=False).update(excluded=True,
                                                                                        excluded_reason=reason):
            invited_at = Invite.objects.filter(pk=locked.rating.invite_id).values_list("created_at", flat=True).get()
            window_days.rating_excluded_counted(locked.rating, invited_at=invited_at)
        audit_record(
            actor=actor, action="contest.decided", obj=locked, unit=locked.rating.window, data={"upheld": upheld}
        )
    return locked
