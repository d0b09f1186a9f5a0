"""The demo city's evaluators and ratings: devices paired by each station head, ratings by device and QR code,
the 7-day defaults, bad reviews at every step of their follow-up, and one contest waiting for the county."""

import datetime
import random

from demo.clock import DemoClock
from demo.org import DemoCity
from evaluations import services
from evaluations.models import Channel, Device, Invite, Rating
from evaluations.services import RatingInput

# A window without an evaluator, so the usage page has something to warn about.
WINDOW_WITHOUT_DEVICE = "350103002W1"

DEMO_BAD_REASONS = ("attitude", "slow", "not_told_at_once")
DEMO_COMMENTS = {
    5: ["", "", "民警很耐心，谢谢！", "一次就办好了"],
    4: ["", "", "办理挺快"],
    3: ["", "排队时间有点长"],
    2: ["", "等了很久", "第一次没说清楚要带什么"],
    1: ["", "态度不好"],
}


def devices_seed(demo: DemoCity) -> int:
    """Pair one evaluator with every window but one, as each station head would."""
    paired = 0
    for window in demo.windows():
        if window.code == WINDOW_WITHOUT_DEVICE:
            continue
        code = services.pairing_code_create(window=window, actor=demo.heads[window.station_id])
        services.device_pair(code=code, name=f"{window.name}评价器")
        paired += 1
    return paired


def ratings_seed(demo: DemoCity, rng: random.Random, clock: DemoClock) -> int:
    """Most applicants rate at the counter, a few by QR code later; some reviews are bad and followed up."""
    devices = {d.window_id: d for d in Device.objects.filter(revoked_at__isnull=True)}
    made = 0
    for invite in Invite.objects.select_related("case").order_by("created_at", "id"):
        roll = rng.random()
        device = devices.get(invite.window_id)
        level = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 5, 2])[0]
        reasons = tuple(rng.sample(list(DEMO_BAD_REASONS), 1)) if level <= 2 else ()
        data = RatingInput(level, level, level, max(1, level - rng.choice([0, 0, 1])) if level > 2 else level,
                           reasons=reasons, comment=rng.choice(DEMO_COMMENTS[level]))
        if device is not None and roll < 0.75:
            at, channel = invite.created_at + datetime.timedelta(seconds=rng.randrange(20, 120)), Channel.DEVICE
        elif roll < 0.85:
            at, channel, device = invite.created_at + datetime.timedelta(hours=rng.randrange(2, 60)), Channel.QR, None
        else:
            continue  # not rated: the 7-day default applies to the old ones below
        if not clock.is_past(at):
            continue
        with clock.at(at):
            rating = services.rating_submit(invite=invite, data=data, channel=channel, device=device,
                                            idempotency_key=f"demo-{invite.pk}")
        made += 1
        if rating.is_bad:
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
    rating = (Rating.objects.filter(officer__username="officer", level__lte=2, is_default=False)
              .order_by("-rated_at").first())
    if rating is None:
        return
    with clock.at(min(rating.rated_at + datetime.timedelta(hours=3), clock.start)):
        services.contest_file(
            rating=rating, actor=rating.officer, ground="mistaken",
            statement="申请人事后电话说明误按了“不满意”，本意是评价满意，有通话记录为证。",
        )
