"""The demo city's cases: about 200 over the last 30 days, each taken through counter.services at its moment.

Every case therefore has the documents, rating invitations and audit events a real one would have.
"""

import datetime
import random

from django.utils import timezone

from catalog.selectors import version_in_force, version_items
from counter import services
from counter.models import Case
from demo.clock import DemoClock
from demo.org import DemoCity, id_number_of, name_of, phone_of
from org.models import Staff, Unit


def _items_in_force(window: Unit, day: datetime.date) -> list:
    version = version_in_force(county=window.county, on=day)
    return list(version_items(version)) if version is not None else []


def _applicant(rng: random.Random, window: Unit) -> services.Applicant:
    return services.Applicant(name_of(rng), id_number_of(rng, window.county.code), phone_of(rng))


def cases_seed(demo: DemoCity, rng: random.Random, clock: DemoClock, *, days: int = 30, per_day: int = 8) -> int:
    """Open cases on every working day of the last `days` days and take each to a realistic state."""
    windows = [w for w in demo.windows() if demo.officers.get(w.station_id)]
    made = _overdue(demo, rng, clock)
    for back in range(days, -1, -1):
        day = clock.today - datetime.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for _ in range(per_day + rng.randrange(0, 3)):
            window = rng.choice(windows)
            officer = rng.choice(demo.officers[window.station_id])
            item = rng.choice(_items_in_force(window, day))
            moment = clock.office_hour(day, rng)
            if not clock.is_past(moment):
                continue  # later today: nobody has come yet
            with clock.at(moment):
                case = _one_case(window, officer, item, rng)
            made += 1
            _advance(case, officer, rng, clock, moment)
    return made + _showcase(demo, rng, clock)


def _last_workday(clock: DemoClock) -> datetime.date:
    return clock.today - datetime.timedelta(days=max(0, clock.today.weekday() - 4))


def _last_open_workday(clock: DemoClock) -> datetime.date:
    """The last working day whose windows have opened: before 08:30 (a demo built at night) it is the day before."""
    day = _last_workday(clock)
    if not clock.is_past(timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 8, 30))):
        day -= datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
    return day


def _overdue(demo: DemoCity, rng: random.Random, clock: DemoClock) -> int:
    """Two cases accepted five and six weeks ago and never finished: overdue on the lists."""
    window = demo.units["350102001W1"]
    officer = demo.officers[window.station_id][0]
    for weeks_back in (6, 5):
        day = clock.today - datetime.timedelta(weeks=weeks_back)
        day -= datetime.timedelta(days=max(0, day.weekday() - 4))
        renewal = next(i for i in _items_in_force(window, day) if not i.is_on_the_spot)
        with clock.at(clock.office_hour(day, rng)):
            late = services.case_open(
                actor=officer, window=window, item=renewal, applicant=_applicant(rng, window),
                material_ids=[m.pk for m in services.required_materials(renewal, [])],
            )
            services.case_accept(case=late, actor=officer)
    return 2


def _showcase(demo: DemoCity, rng: random.Random, clock: DemoClock) -> int:
    """Cases the README points at: recorded by civilian staff for an officer, and a head's override."""
    window = demo.units["350102001W1"]
    civilian = Staff.objects.get(username="civilian")
    day = _last_open_workday(clock)
    birth = next(i for i in _items_in_force(window, day) if i.name == "出生登记")
    made = 0
    for _ in range(4):  # whatever the hour the demo is built, these wait for an officer (README)
        with clock.at(min(clock.office_hour(day, rng), clock.start)):
            _one_case(window, civilian, birth, rng)
        made += 1
    head = demo.heads[window.station_id]
    officer = demo.officers[window.station_id][0]
    moment = min(clock.office_hour(day, rng), clock.start)
    with clock.at(moment):
        case = services.case_open(
            actor=officer, window=window, item=birth, applicant=_applicant(rng, window),
            material_ids=[m.pk for m in services.required_materials(birth, [])][:1],
        )
        services.case_notify(case=case, actor=officer)
        conditions = services.item_conditions(birth)[:1]
        if conditions:
            services.case_notify(case=case, actor=head, conditions=conditions,
                                 override_reason="申请人补充说明其情形后确需补充的材料，经所长同意补充告知")
    return made + 1


def _one_case(window: Unit, officer: Staff, item, rng: random.Random) -> Case:
    conditions = [c for c in services.item_conditions(item) if rng.random() < 0.2]
    required = services.required_materials(item, conditions)
    complete = rng.random() < 0.65
    presented = required if complete else [m for m in required if rng.random() < 0.5]
    return services.case_open(
        actor=officer, window=window, item=item, applicant=_applicant(rng, window),
        conditions=conditions, material_ids=[m.pk for m in presented],
    )


def _advance(case: Case, officer: Staff, rng: random.Random, clock: DemoClock, moment: datetime.datetime) -> None:
    """Decide the case minutes later; perhaps a notice and a return days later; finish it by (or after) its deadline."""
    roll = rng.random()
    later = moment + datetime.timedelta(minutes=rng.randrange(3, 15))
    if not clock.is_past(later):
        return
    if roll < 0.05 and (clock.today - clock.localtime_date(moment)).days < 3:
        return  # left for an officer to decide: recorded by staff recently
    with clock.at(later):
        if roll < 0.10:
            services.case_refuse(
                case=case, actor=officer, legal_basis=case.item.legal_basis[:200],
                explanation="经核查，申请人不符合该事项的办理条件（不在本户口管辖区居住），已当面耐心解释并告知可向常住地派出所申请。",
            )
            return
        if services.missing_materials(case):
            services.case_notify(case=case, actor=officer)
            case.refresh_from_db()
            if rng.random() < 0.4:
                return  # the applicant has not come back yet
            later += datetime.timedelta(days=rng.randrange(1, 4), minutes=rng.randrange(0, 120))
            if not clock.is_past(later):
                return
    with clock.at(later):
        services.case_accept(case=case, actor=officer,
                             material_ids=[m.pk for m in services.missing_materials(case)])
    case.refresh_from_db()
    if case.status != "accepted" or case.deadline is None:
        return
    # Most promised deadlines are kept; a few run late; the newest are still in progress.
    accepted_on = clock.localtime_date(later)
    span = (case.deadline - accepted_on).days
    finish_on = accepted_on + datetime.timedelta(days=rng.randrange(1, max(2, span + 1)))
    if rng.random() < 0.12:
        finish_on = case.deadline + datetime.timedelta(days=rng.randrange(1, 4))
    if finish_on >= clock.today:
        return
    with clock.at(clock.office_hour(finish_on, rng)):
        services.case_complete(case=case, actor=officer)
