"""The demo city: units, staff of every role, guides and about 200 cases of the last 30 days.

Cases are made through the real services with the clock set back, so every case has the
documents and audit events a real one would have.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from catalog.demo_data import demo_guide_load
from core.personal import id_check_digit
from counter import services
from counter.models import Case
from evaluations import services as evaluation_services
from evaluations.models import Channel, Device, Invite, Rating
from evaluations.services import RatingInput
from org.models import Category, DutyStatus, Role, Staff, Unit, UnitKind

DEMO_PASSWORD = "demo2026"

COUNTIES = [
    ("鼓楼分局", "350102", "鼓公", [("东街派出所", "东", 2), ("南街派出所", "南", 2)]),
    ("台江分局", "350103", "台公", [("鳌峰派出所", "鳌", 2), ("上海派出所", "沪", 1)]),
    ("闽侯县公安局", "350121", "闽公", [("甘蔗派出所", "蔗", 2), ("治安大队", "治", 1)]),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林郑谢罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建国",
    "小红",
    "晓东",
    "海燕",
    "志强",
    "文华",
    "丽萍",
]

# (username, full name, role, category, qualified, duty, unit key) — the accounts the README lists.
NAMED_ACCOUNTS = [
    ("officer", "王建华", Role.WINDOW_OFFICER, Category.OFFICER, True, DutyStatus.ON_DUTY, "350102001W1"),
    ("officer2", "林晓燕", Role.WINDOW_OFFICER, Category.OFFICER, True, DutyStatus.ON_DUTY, "350102001W2"),
    ("civilian", "陈丽", Role.WINDOW_STAFF, Category.CIVILIAN, False, DutyStatus.ON_DUTY, "350102001W1"),
    ("auxiliary", "黄志强", Role.WINDOW_STAFF, Category.AUXILIARY, False, DutyStatus.ON_DUTY, "350102001W2"),
    ("stopped", "赵明", Role.WINDOW_OFFICER, Category.OFFICER, True, DutyStatus.STOPPED, "350102002W1"),
    ("head", "张国庆", Role.STATION_HEAD, Category.OFFICER, True, DutyStatus.ON_DUTY, "350102001"),
    ("county", "刘海涛", Role.COUNTY_ADMIN, Category.OFFICER, True, DutyStatus.ON_DUTY, "350102"),
    ("cityadmin", "周文华", Role.CITY_ADMIN, Category.OFFICER, True, DutyStatus.ON_DUTY, "350100"),
    ("inspector", "吴静", Role.CITY_INSPECTOR, Category.OFFICER, True, DutyStatus.ON_DUTY, "350100"),
]


# Windows whose officers are named accounts above.
NAMED_WINDOWS = {"350102001W1", "350102001W2"}


@dataclass
class DemoCity:
    city: Unit
    units: dict[str, Unit] = field(default_factory=dict)
    officers: dict[int, list[Staff]] = field(default_factory=dict)  # station id -> officers
    heads: dict[int, Staff] = field(default_factory=dict)


def _unit(units: dict, name: str, code: str, kind: str, parent: Unit | None, **extra) -> Unit:
    unit = Unit(name=name, code=code, kind=kind, parent=parent, **extra)
    unit.save()
    units[code] = unit
    return unit


def _staff(
    username: str,
    full_name: str,
    unit: Unit,
    role: str,
    category: str = Category.OFFICER,
    qualified: bool = True,
    duty: str = DutyStatus.ON_DUTY,
    number: int = 0,
) -> Staff:
    staff = Staff(
        username=username,
        full_name=full_name,
        unit=unit,
        role=role,
        category=category,
        law_enforcement_qualified=qualified,
        duty_status=duty,
        police_number=f"{350000 + number:06d}",
    )
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    return staff


def build_units() -> DemoCity:
    units: dict[str, Unit] = {}
    city = _unit(units, "福州市公安局", "350100", UnitKind.CITY, None, phone="0591-87090000")
    for county_name, code, prefix, stations in COUNTIES:
        county = _unit(units, county_name, code, UnitKind.COUNTY, city, doc_prefix=prefix + "户")
        for index, (station_name, mark, windows) in enumerate(stations, start=1):
            kind = UnitKind.BRIGADE if "大队" in station_name else UnitKind.STATION
            station = _unit(
                units,
                station_name,
                f"{code}{index:03d}",
                kind,
                county,
                doc_prefix=f"{prefix}{mark}户",
                phone=f"0591-8{code[-3:]}{index:03d}0",
            )
            for w in range(1, windows + 1):
                _unit(units, f"{station_name}{w}号窗口", f"{station.code}W{w}", UnitKind.WINDOW, station)
    return DemoCity(city=city, units=units)


def build_staff(demo: DemoCity, rng: random.Random) -> None:
    number = 1
    for username, full_name, role, category, qualified, duty, unit_code in NAMED_ACCOUNTS:
        staff = _staff(username, full_name, demo.units[unit_code], role, category, qualified, duty, number)
        number += 1
        if role == Role.WINDOW_OFFICER and duty == DutyStatus.ON_DUTY:
            demo.officers.setdefault(staff.unit.station_id, []).append(staff)
        if role == Role.STATION_HEAD:
            demo.heads[staff.unit_id] = staff
    for unit in sorted(demo.units.values(), key=lambda u: u.code):
        if unit.kind == UnitKind.COUNTY and unit.code != "350102":
            _staff(f"county{unit.code}", _name(rng), unit, Role.COUNTY_ADMIN, number=number)
            number += 1
        if unit.kind in (UnitKind.STATION, UnitKind.BRIGADE) and unit.pk not in demo.heads:
            demo.heads[unit.pk] = _staff(f"head{unit.code}", _name(rng), unit, Role.STATION_HEAD, number=number)
            number += 1
        if unit.kind == UnitKind.WINDOW and unit.code not in NAMED_WINDOWS:
            officer = _staff(f"officer{unit.code}", _name(rng), unit, Role.WINDOW_OFFICER, number=number)
            demo.officers.setdefault(unit.station_id, []).append(officer)
            _staff(f"aux{unit.code}", _name(rng), unit, Role.WINDOW_STAFF, Category.AUXILIARY, False, number=number + 1)
            number += 2


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _id_number(rng: random.Random, county_code: str) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 70))
    first17 = f"{county_code}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_digit(first17)


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "135", "150", "186", "177"]) + f"{rng.randrange(0, 10**8):08d}"


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17])
    minute = (
        rng.randrange(0, 60) if hour not in (8, 17) else rng.randrange(30, 60) if hour == 8 else rng.randrange(0, 30)
    )
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def build_cases(demo: DemoCity, rng: random.Random, *, days: int = 30, per_day: int = 8) -> int:
    """Open cases over the last `days` days and take each to a realistic state."""
    from freezegun import freeze_time  # a dev dependency; the demo runs from the dev install

    today = timezone.localdate()
    windows = [u for u in demo.units.values() if u.kind == UnitKind.WINDOW and demo.officers.get(u.station_id)]
    made = _overdue(demo, rng, today)
    for back in range(days, -1, -1):
        day = today - datetime.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for _ in range(per_day + rng.randrange(0, 3)):
            window = rng.choice(windows)
            officer = rng.choice(demo.officers[window.station_id])
            version = window.county.guide.versions.filter(status="published").order_by("-number").first()
            item = rng.choice(list(version.items.prefetch_related("materials")))
            moment = _at(day, rng)
            with freeze_time(moment):
                case = _one_case(window, officer, item, rng)
            made += 1
            _advance(case, officer, demo, rng, moment, today)
    return made + _showcase(demo, rng, today)


def _overdue(demo: DemoCity, rng: random.Random, today: datetime.date) -> int:
    """Two cases accepted five and six weeks ago and never finished: overdue on the lists."""
    from freezegun import freeze_time

    window = demo.units["350102001W1"]
    officer = demo.officers[window.station_id][0]
    version = window.county.guide.versions.filter(status="published").order_by("-number").first()
    renewal = version.items.exclude(time_limit_kind="on_the_spot").order_by("position").first()
    for weeks_back in (6, 5):
        day = today - datetime.timedelta(weeks=weeks_back)
        day -= datetime.timedelta(days=max(0, day.weekday() - 4))
        with freeze_time(_at(day, rng)):
            late = services.case_open(
                actor=officer,
                window=window,
                item=renewal,
                applicant=services.Applicant(_name(rng), _id_number(rng, window.county.code), _phone(rng)),
                material_ids=[m.pk for m in services.required_materials(renewal, [])],
            )
            services.case_accept(case=late, actor=officer)
    return 2


def _showcase(demo: DemoCity, rng: random.Random, today: datetime.date) -> int:
    """Cases the README points at: recorded by civilian staff for an officer, and a head's override."""
    from freezegun import freeze_time

    window = demo.units["350102001W1"]
    civilian = Staff.objects.get(username="civilian")
    version = window.county.guide.versions.filter(status="published").order_by("-number").first()
    birth = version.items.get(name="出生登记")
    last_workday = today - datetime.timedelta(days=max(0, today.weekday() - 4))
    made = 0
    for _ in range(4):
        with freeze_time(_at(last_workday, rng)):
            _one_case(window, civilian, birth, rng)
        made += 1
    head = demo.heads[window.station_id]
    officer = demo.officers[window.station_id][0]
    with freeze_time(_at(last_workday, rng)):
        case = services.case_open(
            actor=officer,
            window=window,
            item=birth,
            applicant=services.Applicant(_name(rng), _id_number(rng, window.county.code), _phone(rng)),
            material_ids=[m.pk for m in services.required_materials(birth, [])][:1],
        )
        services.case_notify(case=case, actor=officer)
        conditions = services.item_conditions(birth)[:1]
        if conditions:
            services.case_notify(
                case=case,
                actor=head,
                conditions=conditions,
                override_reason="申请人补充说明其情形后确需补充的材料，经所长同意补充告知",
            )
    return made + 1


def _one_case(window: Unit, officer: Staff, item, rng: random.Random) -> Case:
    conditions = [c for c in services.item_conditions(item) if rng.random() < 0.2]
    required = services.required_materials(item, conditions)
    complete = rng.random() < 0.65
    presented = required if complete else [m for m in required if rng.random() < 0.5]
    return services.case_open(
        actor=officer,
        window=window,
        item=item,
        applicant=services.Applicant(_name(rng), _id_number(rng, window.county.code), _phone(rng)),
        conditions=conditions,
        material_ids=[m.pk for m in presented],
    )


def _advance(
    case: Case, officer: Staff, demo: DemoCity, rng: random.Random, moment: datetime.datetime, today: datetime.date
) -> None:
    from freezegun import freeze_time

    roll = rng.random()
    later = moment + datetime.timedelta(minutes=rng.randrange(3, 15))
    with freeze_time(later):
        if roll < 0.05 and (today - timezone.localtime(moment).date()).days < 3:
            return  # left for an officer to decide: recorded by staff recently
        if roll < 0.10:
            services.case_refuse(
                case=case,
                actor=officer,
                legal_basis=case.item.legal_basis[:200],
                explanation="经核查，申请人不符合该事项的办理条件（不在本户口管辖区居住），已当面耐心解释并告知可向常住地派出所申请。",
            )
            return
        missing = services.missing_materials(case)
        if missing:
            services.case_notify(case=case, actor=officer)
            case.refresh_from_db()
            if rng.random() < 0.4:
                return  # the applicant has not come back yet
            back = later + datetime.timedelta(days=rng.randrange(1, 4), minutes=rng.randrange(0, 120))
            if timezone.localtime(back).date() > today:
                return
            later = back
    with freeze_time(later):
        if case.status == "notice":
            services.case_accept(
                case=case, actor=officer, material_ids=[m.pk for m in services.missing_materials(case)]
            )
        else:
            services.case_accept(case=case, actor=officer)
    case.refresh_from_db()
    if case.status != "accepted" or case.deadline is None:
        return
    # Most promised deadlines are kept; a few run late; the newest are still in progress.
    span = (case.deadline - timezone.localtime(later).date()).days
    finish_on = timezone.localtime(later).date() + datetime.timedelta(days=rng.randrange(1, max(2, span + 1)))
    if rng.random() < 0.12:
        finish_on = case.deadline + datetime.timedelta(days=rng.randrange(1, 4))
    if finish_on >= today:
        return
    with freeze_time(_at(finish_on, rng)):
        services.case_complete(case=case, actor=officer)


def demo_city_build(*, seed: int = 2026, days: int = 30, per_day: int = 8) -> dict[str, int]:
    """Build the whole demo city; return counts for the command to print."""
    rng = random.Random(seed)
    with transaction.atomic():
        demo = build_units()
        build_staff(demo, rng)
        effective = timezone.localdate() - datetime.timedelta(days=days + 30)
        cityadmin = Staff.objects.get(username="cityadmin")
        for unit in demo.units.values():
            if unit.kind == UnitKind.COUNTY:
                demo_guide_load(county=unit, actor=cityadmin, effective_date=effective)
        devices = pair_devices(demo)
        cases = build_cases(demo, rng, days=days, per_day=per_day)
        ratings = build_ratings(demo, rng)
    return {
        "units": len(demo.units),
        "staff": Staff.objects.count(),
        "cases": cases,
        "devices": devices,
        "ratings": ratings,
    }


# A window without an evaluator, so the usage page has something to warn about.
WINDOW_WITHOUT_DEVICE = "350103002W1"


def pair_devices(demo: DemoCity) -> int:
    """Pair one evaluator with every window but one, as each station head would."""
    paired = 0
    for unit in sorted(demo.units.values(), key=lambda u: u.code):
        if unit.kind != UnitKind.WINDOW or unit.code == WINDOW_WITHOUT_DEVICE:
            continue
        code = evaluation_services.pairing_code_create(window=unit, actor=demo.heads[unit.station_id])
        evaluation_services.device_pair(code=code, name=f"{unit.name}评价器")
        paired += 1
    return paired


def build_ratings(demo: DemoCity, rng: random.Random) -> int:
    """Most applicants rate at the counter, a few by QR code later; some reviews are bad and followed up."""
    from freezegun import freeze_time

    devices = {d.window_id: d for d in Device.objects.filter(revoked_at__isnull=True)}
    made = 0
    for invite in Invite.objects.select_related("case").order_by("created_at"):
        roll = rng.random()
        device = devices.get(invite.window_id)
        level = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 5, 2])[0]
        reasons = tuple(rng.sample(list(DEMO_BAD_REASONS), 1)) if level <= 2 else ()
        data = RatingInput(
            level,
            level,
            level,
            max(1, level - rng.choice([0, 0, 1])) if level > 2 else level,
            reasons=reasons,
            comment=rng.choice(DEMO_COMMENTS[level]),
        )
        if device is not None and roll < 0.75:
            at, channel = invite.created_at + datetime.timedelta(seconds=rng.randrange(20, 120)), Channel.DEVICE
        elif roll < 0.85:
            at, channel, device = invite.created_at + datetime.timedelta(hours=rng.randrange(2, 60)), Channel.QR, None
        else:
            continue  # not rated: the 7-day default applies to the old ones below
        if at > timezone.now():
            continue
        with freeze_time(at):
            rating = evaluation_services.rating_submit(
                invite=invite, data=data, channel=channel, device=device, idempotency_key=f"demo-{invite.pk}"
            )
        made += 1
        if rating.is_bad:
            _follow_up_progress(demo, rating, rng)
    made += evaluation_services.ratings_default_apply()
    _contest(demo)
    return made


DEMO_BAD_REASONS = ("attitude", "slow", "not_told_at_once")
DEMO_COMMENTS = {
    5: ["", "", "民警很耐心，谢谢！", "一次就办好了"],
    4: ["", "", "办理挺快"],
    3: ["", "排队时间有点长"],
    2: ["", "等了很久", "第一次没说清楚要带什么"],
    1: ["", "态度不好"],
}


def _follow_up_progress(demo: DemoCity, rating, rng: random.Random) -> None:
    """Take some follow-ups through call, verification and closing; leave the newest open."""
    from freezegun import freeze_time

    follow_up = rating.follow_up
    head = demo.heads[rating.station_id]
    steps = rng.choice([0, 1, 2, 3, 3])
    at = rating.rated_at + datetime.timedelta(days=1)
    if at > timezone.now():
        return
    with freeze_time(at):
        if steps >= 1:
            follow_up = evaluation_services.follow_up_record_call(
                follow_up=follow_up,
                actor=head,
                called_at=timezone.now(),
                notes="电话联系申请人本人，了解到其反映窗口等候时间较长、告知不够清楚。",
            )
        if steps >= 2:
            follow_up = evaluation_services.follow_up_verify(
                follow_up=follow_up,
                actor=head,
                verdict=rng.choice(["true", "partly", "false"]),
                verification="调取窗口视频并询问当班民警，情况基本属实。",
            )
        if steps >= 3:
            evaluation_services.follow_up_close(
                follow_up=follow_up,
                actor=head,
                rectification="已对当班民警进行提醒谈话，窗口增设一次性告知材料清单样表，并向申请人致歉。",
            )


def _contest(demo: DemoCity) -> None:
    """The 东街 officer contests one bad review of his; the county has not decided yet."""
    from freezegun import freeze_time

    rating = (
        Rating.objects.filter(officer__username="officer", level__lte=2, is_default=False).order_by("-rated_at").first()
    )
    if rating is None:
        return
    with freeze_time(rating.rated_at + datetime.timedelta(hours=3)):
        evaluation_services.contest_file(
            rating=rating,
            actor=rating.officer,
            ground="mistaken",
            statement="申请人事后电话说明误按了“不满意”，本意是评价满意，有通话记录为证。",
        )
