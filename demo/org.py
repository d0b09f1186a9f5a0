"""The demo city's unit tree and staff, opened through org.services as an administrator would."""

import datetime
import random
from dataclasses import dataclass, field

from core.personal import id_check_digit
from org.models import Category, DutyStatus, Role, Staff, Unit, UnitKind
from org.services import staff_create, unit_create

DEMO_PASSWORD = "demo2026"

COUNTIES = [
    ("鼓楼分局", "350102", "鼓公", [("东街派出所", "东", 2), ("南街派出所", "南", 2)]),
    ("台江分局", "350103", "台公", [("鳌峰派出所", "鳌", 2), ("上海派出所", "沪", 1)]),
    ("闽侯县公安局", "350121", "闽公", [("甘蔗派出所", "蔗", 2), ("治安大队", "治", 1)]),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林郑谢罗高"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建国", "小红", "晓东", "海燕", "志强", "文华", "丽萍"]

# (username, full name, role, category, qualified, duty, unit key): the accounts the README lists.
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
    officers: dict[int, list[Staff]] = field(default_factory=dict)  # station id -> officers on duty
    heads: dict[int, Staff] = field(default_factory=dict)  # station id -> its head
    county_admins: dict[int, Staff] = field(default_factory=dict)  # county id -> its administrator
    staff: int = 0

    def windows(self) -> list[Unit]:
        return sorted((u for u in self.units.values() if u.kind == UnitKind.WINDOW), key=lambda u: u.code)

    def counties(self) -> list[Unit]:
        return sorted((u for u in self.units.values() if u.kind == UnitKind.COUNTY), key=lambda u: u.code)


def units_seed() -> DemoCity:
    """The city bureau, three county bureaus, six stations and brigades, ten windows."""
    units: dict[str, Unit] = {}

    def add(name: str, code: str, kind: str, parent: Unit | None, **extra) -> Unit:
        units[code] = unit_create(name=name, code=code, kind=kind, parent=parent, **extra)
        return units[code]

    city = add("福州市公安局", "350100", UnitKind.CITY, None, phone="0591-87090000")
    for county_name, code, prefix, stations in COUNTIES:
        county = add(county_name, code, UnitKind.COUNTY, city, doc_prefix=prefix + "户")
        for index, (station_name, mark, windows) in enumerate(stations, start=1):
            kind = UnitKind.BRIGADE if "大队" in station_name else UnitKind.STATION
            station = add(station_name, f"{code}{index:03d}", kind, county, doc_prefix=f"{prefix}{mark}户",
                          phone=f"0591-8{code[-3:]}{index:03d}0")
            for w in range(1, windows + 1):
                add(f"{station_name}{w}号窗口", f"{station.code}W{w}", UnitKind.WINDOW, station)
    return DemoCity(city=city, units=units)


def name_of(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def id_number_of(rng: random.Random, county_code: str) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 70))
    first17 = f"{county_code}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_digit(first17)


def phone_of(rng: random.Random) -> str:
    return rng.choice(["138", "139", "135", "150", "186", "177"]) + f"{rng.randrange(0, 10**8):08d}"


def staff_seed(demo: DemoCity, rng: random.Random) -> None:
    """The named accounts, then a head per station, an officer and an auxiliary per window, an admin per county."""
    number = 1

    def add(username: str, full_name: str, unit: Unit, role: str, category: str = Category.OFFICER,
            qualified: bool = True, duty: str = DutyStatus.ON_DUTY) -> Staff:
        nonlocal number
        staff = staff_create(username=username, full_name=full_name, unit=unit, role=role, password=DEMO_PASSWORD,
                             category=category, qualified=qualified, duty_status=duty,
                             police_number=f"{350000 + number:06d}")
        number += 1
        demo.staff += 1
        return staff

    for username, full_name, role, category, qualified, duty, unit_code in NAMED_ACCOUNTS:
        staff = add(username, full_name, demo.units[unit_code], role, category, qualified, duty)
        if role == Role.WINDOW_OFFICER and duty == DutyStatus.ON_DUTY:
            demo.officers.setdefault(staff.unit.station_id, []).append(staff)
        if role == Role.STATION_HEAD:
            demo.heads[staff.unit_id] = staff
        if role == Role.COUNTY_ADMIN:
            demo.county_admins[staff.unit_id] = staff
    for unit in sorted(demo.units.values(), key=lambda u: u.code):
        if unit.kind == UnitKind.COUNTY and unit.pk not in demo.county_admins:
            demo.county_admins[unit.pk] = add(f"county{unit.code}", name_of(rng), unit, Role.COUNTY_ADMIN)
        if unit.kind in (UnitKind.STATION, UnitKind.BRIGADE) and unit.pk not in demo.heads:
            demo.heads[unit.pk] = add(f"head{unit.code}", name_of(rng), unit, Role.STATION_HEAD)
        if unit.kind == UnitKind.WINDOW and unit.code not in NAMED_WINDOWS:
            officer = add(f"officer{unit.code}", name_of(rng), unit, Role.WINDOW_OFFICER)
            demo.officers.setdefault(unit.station_id, []).append(officer)
            add(f"aux{unit.code}", name_of(rng), unit, Role.WINDOW_STAFF, Category.AUXILIARY, False)
