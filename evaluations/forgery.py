"""The traces a forged device rating leaves (docs/evaluator.md, "Who can forge what").

A station head can pair any device with his windows, so a script can rate the window's pending cases. That
cannot be prevented; it is made visible instead. Each device rating is checked once, when it is stored, and
every trace found is stored with it (evaluations.models.RatingFlag) for the county's usage page. A trace is a
reason to look, not a proof: a real tablet can leave one (a rating a few seconds after a pairing at the
counter), and a careful forger at the counter leaves none.
"""

import datetime

from django.db.models import Count
from django.utils.translation import gettext as _

from core import clock
from evaluations.models import Channel, Device, FlagKind, Invite, Rating
from evaluations.offline_time import opening_intervals

# A rating stored this soon after its device was paired: nobody pairs a tablet and is served within a minute.
SOON_AFTER_PAIRING_SECONDS = 60
# Two ratings of one device this close together are two applicants served and rating faster than a person can.
BURST_SECONDS = 10
# The window's usual address: the one most of its device ratings came from over these days, once there are
# at least this many (fewer say nothing about the window).
USUAL_ADDRESS_DAYS = 30
USUAL_ADDRESS_MIN_RATINGS = 5

Trace = tuple[str, str]  # (FlagKind, what was seen, in Chinese)


def _local(moment: datetime.datetime) -> str:
    return clock.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def usual_address(window_id: int, now: datetime.datetime) -> str | None:
    """The address most of the window's device ratings came from in the last USUAL_ADDRESS_DAYS days."""
    row = (Rating.objects.filter(window_id=window_id, channel=Channel.DEVICE, client_address__isnull=False,
                                 received_at__gte=now - datetime.timedelta(days=USUAL_ADDRESS_DAYS))
           .values("client_address").order_by().annotate(n=Count("client_address"))  # from the index alone
           .order_by("-n", "client_address").first())
    return row["client_address"] if row and row["n"] >= USUAL_ADDRESS_MIN_RATINGS else None


def paired_in_opening_hours(device: Device) -> bool:
    day = clock.localtime(device.paired_at).date()
    return any(start <= device.paired_at < end for start, end in opening_intervals(day))


def traces(*, invite: Invite, device: Device, rated_at: datetime.datetime, now: datetime.datetime,
           client_address: str | None) -> list[Trace]:
    """What makes this rating, about to be stored, look forged."""
    found: list[Trace] = []
    since_pairing = (now - device.paired_at).total_seconds()
    if since_pairing < SOON_AFTER_PAIRING_SECONDS:
        found.append((FlagKind.SOON_AFTER_PAIRING, _("配对于 %(paired)s，%(n)s 秒后即提交") % {
            "paired": _local(device.paired_at), "n": max(0, round(since_pairing))}))
    if not paired_in_opening_hours(device):
        found.append((FlagKind.PAIRED_OFF_HOURS, _("配对时间 %(paired)s") % {"paired": _local(device.paired_at)}))
    usual = usual_address(invite.window_id, now)
    if usual and device.paired_from and device.paired_from != usual:
        found.append((FlagKind.PAIRED_ELSEWHERE, _("配对地址 %(address)s，本窗口常用地址 %(usual)s") % {
            "address": device.paired_from, "usual": usual}))
    if usual and client_address and client_address != usual:
        found.append((FlagKind.RATED_ELSEWHERE, _("提交地址 %(address)s，本窗口常用地址 %(usual)s") % {
            "address": client_address, "usual": usual}))
    window = datetime.timedelta(seconds=BURST_SECONDS)
    nearby = sorted(Rating.objects.filter(device=device, rated_at__gt=rated_at - window, rated_at__lt=rated_at + window)
                    .select_related("case"), key=lambda r: abs((r.rated_at - rated_at).total_seconds()))
    if nearby:
        gap = abs((nearby[0].rated_at - rated_at).total_seconds())
        found.append((FlagKind.BURST, _("与办件 %(case)s 的评价相隔 %(n)s 秒") % {
            "case": nearby[0].case.number, "n": f"{gap:.1f}"}))
    if invite.created_at < device.paired_at:
        found.append((FlagKind.BEFORE_PAIRING, _("办件决定于 %(decided)s，评价器配对于 %(paired)s") % {
            "decided": _local(invite.created_at), "paired": _local(device.paired_at)}))
    if not Invite.objects.filter(pk=invite.pk, shown_at__isnull=False).exists():  # the row, not a stale copy
        found.append((FlagKind.NEVER_SHOWN, _("评价器没有取得该评价界面就提交了评价")))
    return found
