"""The demo city's evaluators and ratings: devices paired by each station head, ratings by device and QR code,
the 7-day defaults, bad reviews at every step of their follow-up, and one contest waiting for the county.

The evaluators look like real ones: each was paired at its counter in opening hours well before the demo's
first case, and it was heard from all through the opening hours since (its heartbeats are replayed with
evaluations.services.device_heartbeats_record), switched off at night and on rest days, and silent once for a
short outage.
Every screen it showed is marked shown, as the long poll would.
"""

import datetime
import random

from demo.clock import DemoClock
from demo.org import DemoCity
from evaluations import services
from evaluations.forgery import BURST_SECONDS
from evaluations.models import Channel, Device, Invite, Rating
from evaluations.services import RatingInput
from evaluations.stats import opening_intervals
from org.models import Staff

# A window without an evaluator, so the usage page has something to warn about.
WINDOW_WITHOUT_DEVICE = "350103002W1"
# A window whose evaluator lost the network for a while on the last working day before the demo was built.
WINDOW_WITH_OUTAGE = "350102001W2"
OUTAGE_MINUTES = 25
# The evaluators were paired this many days before the demo's first case.
PAIRED_DAYS_BEFORE = 14
HEARTBEAT_SECONDS = 60

DEMO_BAD_REASONS = ("attitude", "slow", "not_told_at_once")
DEMO_COMMENTS = {
    5: ["", "", "民警很耐心，谢谢！", "一次就办好了"],
    4: ["", "", "办理挺快"],
    3: ["", "排队时间有点长"],
    2: ["", "等了很久", "第一次没说清楚要带什么"],
    1: ["", "态度不好"],
}


def _tablet_address(index: int) -> str:
    """The address the window's tablet is seen from (one per window on the station's network)."""
    return f"10.35.{index // 10 + 1}.{20 + index % 10}"


def _pairing_moment(clock: DemoClock, first_day: datetime.date, n: int) -> datetime.datetime:
    """A quarter past the opening of a working day PAIRED_DAYS_BEFORE days before `first_day`."""
    day = first_day - datetime.timedelta(days=PAIRED_DAYS_BEFORE)
    while not opening_intervals(day):
        day -= datetime.timedelta(days=1)
    opens = opening_intervals(day)[0][0]
    return opens + datetime.timedelta(minutes=15 + 3 * n)


def _heartbeats(device: Device, clock: DemoClock, outage: tuple[datetime.datetime, datetime.datetime] | None):
    """Every HEARTBEAT_SECONDS from the pairing until the demo was built, bar the outage, on working days from
    a quarter of an hour before the opening to half an hour after the closing (the tablet stays on at lunch)."""
    day = clock.localtime_date(device.paired_at)
    step = datetime.timedelta(seconds=HEARTBEAT_SECONDS)
    while day <= clock.today:
        opening = opening_intervals(day)
        if opening:
            moment = max(opening[0][0] - datetime.timedelta(minutes=15), device.paired_at)
            while moment <= min(opening[-1][1] + datetime.timedelta(minutes=30), clock.start):
                if outage is None or not outage[0] < moment < outage[1]:
                    yield moment
                moment += step
        day += datetime.timedelta(days=1)


def _outage(clock: DemoClock) -> tuple[datetime.datetime, datetime.datetime] | None:
    """10:05-10:30 on the last working day before today."""
    day = clock.today - datetime.timedelta(days=1)
    while not opening_intervals(day):
        day -= datetime.timedelta(days=1)
    start = opening_intervals(day)[0][0].replace(hour=10, minute=5)
    return start, start + datetime.timedelta(minutes=OUTAGE_MINUTES)


def devices_seed(demo: DemoCity, clock: DemoClock | None = None, *, days: int = 30) -> int:
    """Pair one evaluator with every window but one, at its counter, as each station head would, before the
    `days` of the demo's cases; then replay the tablets' heartbeats up to the moment the demo is built."""
    clock = clock or DemoClock()
    first_day = clock.today - datetime.timedelta(days=days)
    paired = 0
    for n, window in enumerate(demo.windows()):
        if window.code == WINDOW_WITHOUT_DEVICE:
            continue
        with clock.at(_pairing_moment(clock, first_day, n)):
            code = services.pairing_code_create(window=window, actor=demo.heads[window.station_id])
            device = services.device_pair(code=code, name=f"{window.name}评价器",
                                          client_address=_tablet_address(n)).device
        outage = _outage(clock) if window.code == WINDOW_WITH_OUTAGE else None
        services.device_heartbeats_record(device=device, moments=_heartbeats(device, clock, outage))
        paired += 1
    return paired


CONTESTING_OFFICER = "officer"


def ratings_seed(demo: DemoCity, rng: random.Random, clock: DemoClock) -> int:
    """Most applicants rate at the counter, a few by QR code later; some reviews are bad and followed up."""
    devices = {d.window_id: d for d in Device.objects.filter(revoked_at__isnull=True)}
    addresses = {window.pk: _tablet_address(n) for n, window in enumerate(demo.windows())}
    rated_on_device: dict[int, list[datetime.datetime]] = {}  # window id -> when its tablet was used
    made = 0
    # The contest below needs a bad review of this officer's, whatever the dice gave on the day the demo is built.
    contester = Staff.objects.filter(username=CONTESTING_OFFICER).values_list("pk", flat=True).first()
    contester_bad = False
    for invite in Invite.objects.select_related("case").order_by("created_at", "id"):
        roll = rng.random()
        device = devices.get(invite.window_id)
        if device is not None and not invite.device_offline:
            # The tablet's long poll takes the screen a moment after the decision.
            with clock.at(min(invite.created_at + datetime.timedelta(seconds=1), clock.start)):
                services.invite_next_for_device(device=device, after_id=invite.pk - 1)
        else:
            device = None
        level = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 5, 2])[0]
        reasons = tuple(rng.sample(list(DEMO_BAD_REASONS), 1)) if level <= 2 else ()
        data = RatingInput(level, level, level, max(1, level - rng.choice([0, 0, 1])) if level > 2 else level,
                           reasons=reasons, comment=rng.choice(DEMO_COMMENTS[level]))
        channel = ""
        if device is not None and roll < 0.75:
            at = invite.created_at + datetime.timedelta(seconds=rng.randrange(20, 120))
            # One counter serves one applicant at a time: two ratings on one tablet are never seconds apart.
            used = rated_on_device.setdefault(invite.window_id, [])
            if not any(abs((at - other).total_seconds()) < 6 * BURST_SECONDS for other in used):
                channel = Channel.DEVICE
                used.append(at)
        if not channel and roll < 0.85:
            at, channel, device = invite.created_at + datetime.timedelta(hours=rng.randrange(2, 60)), Channel.QR, None
        if not channel:
            continue  # not rated: the 7-day default applies to the old ones below
        if not clock.is_past(at):
            continue
        if invite.officer_id == contester and not contester_bad and level > 2:
            data = RatingInput(2, 2, 2, 2, reasons=DEMO_BAD_REASONS[:1], comment=DEMO_COMMENTS[2][0])
        with clock.at(at):
            rating = services.rating_submit(
                invite=invite, data=data, channel=channel, device=device, idempotency_key=f"demo-{invite.pk}",
                client_address=addresses[invite.window_id] if device else None)
        made += 1
        if rating.is_bad:
            contester_bad = contester_bad or invite.officer_id == contester
            _follow_up_progress(demo, rating, rng, clock)
    made += services.ratings_default_apply()
    _contest(clock)
    return made


def _follow_up_progress(demo: DemoCity, rating: Rating, rng: random.Random, clock: DemoClock) -> None:
    """Take some follow-ups through call, verification and closing; leave the newest open."""
    follow_up = rating.follow_up
    head = demo.heads[rating.station_id]
    steps = rng.choice([0, 1, 2, 3, 3])
    at = rating.rated_at + datetime.timedelta(days=1)
    if not clock.is_past(at):
        return
    with clock.at(at):
        if steps >= 1:
            follow_up = services.follow_up_record_call(
                follow_up=follow_up, actor=head, called_at=at,
                notes="电话联系申请人本人，了解到其反映窗口等候时间较长、告知不够清楚。",
            )
        if steps >= 2:
            follow_up = services.follow_up_verify(
                follow_up=follow_up, actor=head, verdict=rng.choice(["true", "partly", "false"]),
                verification="调取窗口视频并询问当班民警，情况基本属实。",
            )
        if steps >= 3:
            services.follow_up_close(
                follow_up=follow_up, actor=head,
                rectification="已对当班民警进行提醒谈话，窗口增设一次性告知材料清单样表，并向申请人致歉。",
            )


def _contest(clock: DemoClock) -> None:
    """The 东街 officer contests one bad review of his; the county has not decided yet."""
    rating = (Rating.objects.filter(officer__username=CONTESTING_OFFICER, level__lte=2, is_default=False)
              .order_by("-rated_at").first())
    if rating is None:
        return
    with clock.at(min(rating.rated_at + datetime.timedelta(hours=3), clock.start)):
        services.contest_file(
            rating=rating, actor=rating.officer, ground="mistaken",
            statement="申请人事后电话说明误按了“不满意”，本意是评价满意，有通话记录为证。",
        )
