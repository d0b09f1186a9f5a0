"""The city-year generator: a whole city's hukou windows over one year, written straight into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_city .venv/bin/python bench/cityyear.py --scale city
        [--cases N] [--seed S] [--end 2026-12-03T18:00] [--audit-events N]

Into an empty database: migrate; the unit tree through org.services; ~1,500 staff with one bench password;
each county's guide through catalog.services (the demo's guide); evaluator devices; then the year itself
(cases, documents, materials, rating links, invitations, ratings, follow-ups, contests, device silences,
audit events, sign-ins) streamed day by day with COPY into the real tables (unique and check constraints
enforced as rows arrive; the foreign keys checked over every row afterwards; the plain indexes built after
the load, exactly as they were); then sequences, core.Serial counters, VACUUM (ANALYZE) and the
POST_LOAD_STEPS (summary rebuilds). The same --seed and --end give the same rows. docs/scale.md ("The
city-year generator") has the options, the details and the times measured.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import collections
import contextlib
import dataclasses
import datetime
import hashlib
import itertools
import json
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@dataclasses.dataclass(frozen=True)
class Loaded:
    """What a post-load step is told: the local days the generated year covers, and its end."""

    start: datetime.date
    end: datetime.date
    moment: datetime.datetime


def _window_days(loaded: Loaded) -> object:
    from evaluations.window_days import window_days_rebuild

    return window_days_rebuild(loaded.start, loaded.end)


def _case_counts(loaded: Loaded) -> object:
    from counter.services import case_counts_rebuild

    return case_counts_rebuild()


# The post-load phase: (name, step) run in this order after the bulk load, the indexes, the sequences and
# VACUUM/ANALYZE, each step called with a Loaded. Register here whatever rebuilds a summary from the raw rows
# (case status counts, report rollups ...), e.g. ("case counts", lambda loaded: call_command("case_counts_rebuild")).
# `cityyear.py --post-load-only` runs just these on a database generated before.
POST_LOAD_STEPS: list[tuple[str, Callable[[Loaded], object]]] = [
    ("evaluator daily figures (evaluations.WindowDay)", _window_days),
    ("case counts per window and state (counter.CaseCount)", _case_counts),
]

# Every generated account signs in with this password (hashed once, the hash shared by all of them).
BENCH_PASSWORD = "Bench-city-2026"


@dataclasses.dataclass(frozen=True)
class Scale:
    counties: int
    stations: int  # stations and brigades, all counties together
    windows: int
    cases: int


SCALES = {
    "city": Scale(counties=12, stations=150, windows=300, cases=3_000_000),
    "county": Scale(counties=1, stations=12, windows=25, cases=250_000),
    "tiny": Scale(counties=2, stations=4, windows=6, cases=3_000),
}


@dataclasses.dataclass
class Options:
    scale: str = "city"
    cases: int | None = None
    seed: int = 2026
    end: datetime.datetime | None = None  # the moment the year ends ("now"); default: the real now
    audit_events: int | None = None  # about this many audit events in all; default: as many as cases
    days: int = 365
    # COPY with the foreign-key triggers off and check every key after the load (superuser only; else as usual).
    fast_foreign_keys: bool = True
    # Drop the plain indexes of the bulk tables before the load and build them after (exactly as they were).
    build_indexes_after: bool = True
    # "full": documents' snapshots as counter.documents writes them (~1.6 kB); "small": every key the document
    # templates read, without the guide's long texts (~0.6 kB).
    snapshot: str = "small"
    vacuum: bool = True  # VACUUM (ANALYZE) at the end; False: ANALYZE only
    log: Callable[[str], None] = print


# --- the city's names --------------------------------------------------------------------------------

# (name, code, document prefix): Fuzhou's districts and counties.
COUNTIES = [
    ("鼓楼分局", "350102", "鼓公"), ("台江分局", "350103", "台公"), ("仓山分局", "350104", "仓公"),
    ("马尾分局", "350105", "马公"), ("晋安分局", "350111", "晋公"), ("长乐分局", "350112", "长公"),
    ("闽侯县公安局", "350121", "侯公"), ("连江县公安局", "350122", "连公"), ("罗源县公安局", "350123", "罗公"),
    ("闽清县公安局", "350124", "梅公"), ("永泰县公安局", "350125", "泰公"), ("福清市公安局", "350181", "融公"),
]
PLACE_FIRST = "东南西北中新上下金银玉青白红石龙凤华安宁福寿清平长永兴富康乐盛和顺泰洪温江"
PLACE_SECOND = "街湖山桥门岭口洲港塘坑溪浦坊亭园台峰"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林郑谢罗高梁宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
            "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤")
GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建国 小红 晓东 海燕 志强 "
         "文华 丽萍 "
         "建华 国庆 婷 雪 慧 鑫 斌 宇 浩 凯 晨 阳 颖 琳 欣 佳 子涵 梓轩 一诺 雨桐 思远 家豪 俊杰 嘉怡 文博 淑珍 "
         "玉兰 春梅 金凤 振华 德明 福生 美玲 丽娟 志明 少华 泽宇 欣怡 诗涵 浩然 宇航 子豪 天佑 依依").split()
PHONE_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187", "188",
                  "177", "180", "181", "189", "133", "153", "199"]
OTHER_REGIONS = ["350203", "350503", "350602", "350702", "350802", "350902", "360102", "330106", "440106",
                 "320102", "430104", "510104", "420106", "340102", "370102", "410105", "450102", "520102"]

# How often each item of the guide is asked for (by code; anything else weighs 1).
ITEM_WEIGHTS = {
    "123001002": 20, "122006001": 12, "124001001": 12, "123001003": 8, "123001001": 6, "123001005": 6,
    "122001001": 6, "122002003": 5, "122002002": 4, "122002001": 4, "123001004": 3, "122003001": 3,
    "122005001": 3, "122001002": 2, "122004001": 1, "122004004": 1, "122004003": 0.3, "122004002": 0.3,
}
REFUSAL_EXPLANATIONS = [
    "经核查，申请人不符合该事项的办理条件（不在本户口管辖区居住），已当面耐心解释并告知可向常住地派出所申请。",
    "经查询，申请人户口不在本辖区，依规不能在本所办理，已告知其到户籍所在地派出所办理并提供联系电话。",
    "申请事项不属于公安机关户籍窗口职责范围，已告知申请人向有关部门咨询办理，并做好解释工作。",
    "经核实，申请人提交的证明材料与户籍档案记载不一致且无法当场核实，依法不予受理，已告知救济途径。",
]
OVERRIDE_REASONS = ["申请人补充说明其情形后确需补充的材料，经所长同意补充告知",
                    "申请人办理过程中情形发生变化，经所长审核同意补充告知相应材料"]
CALL_NOTES = ["电话联系申请人本人，了解到其反映窗口等候时间较长、告知不够清楚。",
              "电话回访申请人，对方表示当天排队时间过长，对民警解释不满意。",
              "已电话联系申请人，详细听取意见，申请人反映材料要求没有一次讲清。"]
VERIFICATIONS = ["调取窗口视频并询问当班民警，情况基本属实。", "经调看录像、询问当事民警，反映情况部分属实。",
                 "经核查窗口录像和办件记录，民警按规定办理，反映情况不属实。"]
RECTIFICATIONS = ["已对当班民警进行提醒谈话，窗口增设一次性告知材料清单样表，并向申请人致歉。",
                  "已组织窗口人员重新学习办事指南，调整高峰时段窗口力量，并向申请人说明情况。",
                  "已向申请人当面解释政策规定，申请人表示理解，窗口完善了告知材料的提示。"]
CONTEST_STATEMENTS = ["申请人事后电话说明误按了“不满意”，本意是评价满意，有通话记录为证。",
                      "申请人因不符合政策条件对结果不满，并非对服务不满意，窗口录像可以证明全程规范办理。"]
DECISION_REASONS = ["经调阅录像和通话记录，申请人确系误评，申诉成立，剔除该评价。",
                    "经核查，民警办理过程存在等候过长问题，申诉理由不成立，维持该评价。"]
COMMENTS = {5: ["", "", "", "民警很耐心，谢谢！", "一次就办好了", "服务态度好"], 4: ["", "", "", "办理挺快"],
            3: ["", "", "排队时间有点长"], 2: ["", "等了很久", "第一次没说清楚要带什么"], 1: ["", "态度不好"]}
BAD_REASONS = ["slow", "attitude", "not_told_at_once", "extra_materials", "passed_around", "other", "favours"]
BAD_REASON_WEIGHTS = [35, 25, 15, 8, 8, 7, 2]
OTHER_REASONS = ["叫号系统混乱", "窗口人员中途离岗", "电话咨询无人接听"]
# Level weights (5 .. 1) of device and QR ratings, for careful, ordinary and careless officers.
LEVELS = (5, 4, 3, 2, 1)
LEVEL_WEIGHTS = {"good": (74, 20, 4.6, 1.0, 0.4), "usual": (68, 22, 6.2, 2.4, 1.4), "poor": (52, 25, 11, 7, 5)}
QR_SHIFT = (-10, 3, 3, 2.5, 1.5)  # applicants who rate later by QR code are a little less happy
LEVEL_CUM = {(temper, channel): list(itertools.accumulate(
    max(0.1, a + (b if channel == "qr" else 0)) for a, b in zip(weights, QR_SHIFT, strict=True)))
    for temper, weights in LEVEL_WEIGHTS.items() for channel in ("device", "qr")}

# Shares of the case histories (see plan_case).
P_COMPLETE_AT_INTAKE = 0.88
P_REFUSE = 0.018
P_RETURN_AFTER_NOTICE = 0.82
P_SECOND_NOTICE = 0.05
P_OVERRIDE = 0.1  # of second notices: the station head adds a material the first did not list
P_REFUSE_ON_RETURN = 0.01
P_LATE, P_STUCK = 0.09, 0.02
P_LEFT_IN_INTAKE = 0.05  # of cases recorded by civilian staff in the last three days
P_PERSONAL_DATA_VIEW = 0.01
P_CONTEST = 0.006
LOGIN_SHARE = 0.2
NULL = "\\N"
KIND_MARK = {"receipt": "受", "notice": "补", "refusal": "不"}  # counter.models.KIND_MARK


# --- text format rows ----------------------------------------------------------------------------------

def esc(text: str) -> str:
    """A value for COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def js(value) -> str:
    return esc(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def jstr(text: str) -> str:
    """A JSON string literal (not yet escaped for COPY)."""
    return json.dumps(text, ensure_ascii=False)


class FastRandom(random.Random):
    """random.Random with a cheaper randrange and choice (from random()): the stream calls them ~100 M times."""

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def pick(self, items, cum: list[float]):
        """One of `items` by cumulative weights (random.choices(k=1) without its overhead)."""
        return items[bisect.bisect(cum, self.random() * cum[-1])]


# The ID number (GB 11643, core.personal): region, birth date, sequence, check character; the weighted sums of
# each part are worked out once.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def _weighted(digits: str, weights) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


BIRTHS = [(b, _weighted(b, ID_WEIGHTS[6:14]))
          for b in (f"{datetime.date(1945, 1, 1) + datetime.timedelta(days=n):%Y%m%d}" for n in range(365 * 63))]
SEQUENCES = [(f"{n:03d}", _weighted(f"{n:03d}", ID_WEIGHTS[14:])) for n in range(1000)]


def id_number(region: str, birth: tuple[str, int], sequence: tuple[str, int]) -> str:
    total = _weighted(region, ID_WEIGHTS[:6]) + birth[1] + sequence[1]
    return f"{region}{birth[0]}{sequence[0]}{ID_CHECK[total % 11]}"


MASK64 = (1 << 64) - 1


def mix64(x: int) -> int:
    """A bijection of 64-bit integers that looks random (splitmix64's finaliser): unique ids that do not show."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


# The bulk tables, in the order a batch writes them (parents first), with the columns written.
TABLES: dict[str, tuple[str, ...]] = {
    "counter_case": (
        "id", "number", "applicant_name", "applicant_id_number", "applicant_phone", "conditions", "status",
        "revision", "created_at", "accepted_at", "deadline", "deadline_provisional", "completed_at", "refused_at",
        "refusal_basis", "refusal_explanation", "city_id", "county_id", "station_id", "window_id", "created_by_id",
        "guide_version_id", "handled_by_id", "item_id"),
    "counter_case_materials_presented": ("id", "case_id", "material_id"),
    "evaluations_ratinglink": ("id", "token", "created_at", "case_id"),
    "counter_document": ("id", "public_id", "kind", "year", "serial", "number", "snapshot", "issued_at", "case_id",
                         "issued_by_id", "unit_id"),
    "counter_document_materials": ("id", "document_id", "material_id"),
    "counter_noticeoverride": ("id", "reason", "at", "approved_by_id", "case_id", "document_id", "city_id",
                               "county_id", "station_id", "window_id"),
    "counter_noticeoverride_added_materials": ("id", "noticeoverride_id", "material_id"),
    "evaluations_invite": ("id", "stage", "created_at", "shown_at", "device_offline", "case_id", "officer_id",
                           "shown_on_id", "city_id", "county_id", "station_id", "window_id"),
    "evaluations_rating": (
        "id", "stage", "level", "efficiency", "quality", "attitude", "reasons", "other_reason", "comment", "channel",
        "is_default", "rated_at", "received_at", "idempotency_key", "excluded", "excluded_reason", "case_id",
        "device_id", "invite_id", "officer_id", "client_address", "city_id", "county_id", "station_id", "window_id"),
    "evaluations_followup": (
        "id", "status", "opened_at", "deadline", "deadline_provisional", "called_at", "call_notes", "verdict",
        "verification", "rectification", "closed_at", "escalated_at", "revision", "handled_by_id", "rating_id",
        "city_id", "county_id", "station_id", "window_id"),
    "evaluations_contest": ("id", "filed_at", "ground", "statement", "status", "decided_at", "decision_reason",
                            "decided_by_id", "filed_by_id", "rating_id", "city_id", "county_id", "station_id",
                            "window_id"),
    "evaluations_deviceoffline": ("id", "started_at", "ended_at", "device_id", "window_id"),
    "core_auditevent": ("id", "at", "action", "object_type", "object_id", "data", "actor_id", "unit_id", "city_id",
                        "county_id", "station_id", "client_address"),
}


# --- time: integer seconds of local wall-clock time from day 0 ---------------------------------------

class Timeline:
    """Seconds since local midnight of day 0, formatted fast; the official calendar as day flags."""

    def __init__(self, first: datetime.date, last: datetime.date, tz, entered: set[int], special: dict):
        self.first, self.tz = first, tz
        span = (last - first).days + 1
        self.dates = [first + datetime.timedelta(days=i) for i in range(span)]
        self.daystr = [d.isoformat() for d in self.dates]
        self.year = [d.year for d in self.dates]
        self.offset = []
        for d in self.dates:
            off = datetime.datetime.combine(d, datetime.time(12), tz).utcoffset()
            minutes = int(off.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            self.offset.append(f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
        self.tod = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        self.entered = entered
        self.workday = []
        for d in self.dates:
            kind = special.get(d) if d.year in entered else None
            self.workday.append(kind == "workday" or (kind != "holiday" and d.weekday() < 5))
        self.workdays = [i for i, w in enumerate(self.workday) if w]
        # pos[i]: how many working days there are up to and including day i.
        self.pos = list(itertools.accumulate(1 if w else 0 for w in self.workday))

    def day(self, date: datetime.date) -> int:
        return (date - self.first).days

    def ts(self, sec: int) -> str:
        d, r = divmod(sec, 86400)
        return self.daystr[d] + self.tod[r] + self.offset[d]

    def iso(self, sec: int) -> str:
        d, r = divmod(sec, 86400)
        return self.daystr[d] + "T" + self.tod[r][1:] + self.offset[d]

    def minute(self, sec: int) -> str:
        d, r = divmod(sec, 86400)
        return self.daystr[d] + self.tod[r][:6]

    def aware(self, sec: int) -> datetime.datetime:
        d, r = divmod(sec, 86400)
        return datetime.datetime.combine(self.dates[d], datetime.time(r // 3600, r // 60 % 60, r % 60), self.tz)

    def sec_of(self, moment: datetime.datetime) -> int:
        local = moment.astimezone(self.tz)
        return self.day(local.date()) * 86400 + local.hour * 3600 + local.minute * 60 + local.second

    def workday_after(self, d: int, n: int) -> int:
        """The n-th working day after day d (n >= 1)."""
        return self.workdays[self.pos[d] + n - 1]

    def add_workdays(self, d: int, n: int) -> tuple[int, bool]:
        """workdays.services.add_workdays on day numbers: (the date, provisional)."""
        end = d if n == 0 else self.workday_after(d, n)
        provisional = any(y not in self.entered for y in range(self.year[d], self.year[end] + 1)) and n > 0
        return end, provisional

    def workdays_between(self, a: int, b: int) -> int:
        """Working days in (a, b]."""
        return self.pos[b] - self.pos[a]


# --- what the stream needs to know about the city ----------------------------------------------------

@dataclasses.dataclass
class Person:
    id: int
    name: str
    police_number: str
    unit_id: int
    address: str  # the PC this person works at
    officer_json: str = ""
    temper: str = "usual"  # how applicants tend to rate this officer: "good", "usual" or "poor"


@dataclasses.dataclass
class Mat:
    id: int
    condition: str
    position: int
    describe: str  # JSON string literal of Material.describe
    entry: str  # JSON of counter.documents.material_entry


@dataclasses.dataclass
class ItemInfo:
    id: int
    code: str
    legal_basis: str
    on_the_spot: bool
    promised: int
    materials: list[Mat]
    conditions: list[str]
    json: str  # the snapshot's "item" object
    json_small: str  # the same with only code, name, time limit and fee


@dataclasses.dataclass
class CountyInfo:
    id: int
    city_id: int
    code: str
    version_id: int
    version_number: int
    items: list[ItemInfo]
    item_cum: list[float]
    notice_title: str
    notice_intro: str
    notice_footer: str
    admins: list[Person]
    recent: collections.deque = dataclasses.field(default_factory=lambda: collections.deque(maxlen=500))


@dataclasses.dataclass
class WindowInfo:
    id: int
    index: int
    name_json: str
    station_id: int
    county: CountyInfo
    city_id: int
    station_code: str
    doc_prefix: str
    issuer_json: str
    deciders: list[Person]
    recorders: list[Person]  # civilian and auxiliary staff
    heads: list[Person]
    station_deciders: list[Person]
    tablet: str
    weight: float
    devices: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DevicePlan:
    id: int
    window_id: int
    paired: int
    revoked: int | None
    days: dict  # day -> (first heartbeat, last heartbeat, [(silence start, silence end)])

    def online(self, sec: int) -> bool:
        if sec < self.paired or (self.revoked is not None and sec >= self.revoked):
            return False
        on = self.days.get(sec // 86400)
        if on is None or not on[0] <= sec <= on[1]:
            return False
        for start, end in on[2]:
            if start < sec < end:
                return False
        return True


@dataclasses.dataclass
class City:
    tl: Timeline
    now: int
    start_day: int
    counties: list[CountyInfo]
    windows: list[WindowInfo]
    logins: list[tuple[Person, float, bool]]  # person, chance of signing in on a working day, twice a day
    rating_url: str  # with TOKEN in place of the token
    rating_hint_field: str  # '"rating_hint":"...",' in full snapshots, else nothing
    default_level: int
    link_days: int
    follow_up_days: int
    spans: list[tuple[int, int]]  # opening hours, seconds of the day
    remedies_json: str
    full_snapshots: bool
    scopes: dict[int, tuple]  # unit id -> its city, county, station columns as written
    next_ids: dict[str, int] = dataclasses.field(default_factory=dict)


# --- the plan of one case ----------------------------------------------------------------------------

class InvitePlan:
    __slots__ = ("id", "stage", "sec", "officer", "online", "device", "rating")

    def __init__(self, stage, sec, officer, online, device):
        self.id, self.stage, self.sec, self.officer, self.online, self.device = 0, stage, sec, officer, online, device
        self.rating = None


class RatingPlan:
    __slots__ = ("id", "invite", "channel", "rated", "received", "level", "subs", "reasons", "other", "comment",
                 "key", "device", "address", "bad", "excluded", "follow_up", "contest")


class CasePlan:
    __slots__ = ("id", "number", "window", "item", "name", "id_number", "phone", "conditions", "opened_conditions",
                 "presented", "opened_presented", "status", "revision", "created", "creator", "handled_by",
                 "accepted", "deadline", "provisional", "completed", "refused", "refusal_basis", "refusal_expl",
                 "token", "audited", "events")


class Stream:
    """Plans every case of the year and turns the plans into rows, one day at a time, in time order."""

    def __init__(self, city: City, rng: random.Random, cases: int, audit_events: int):
        self.c, self.tl, self.rng, self.now = city, city.tl, rng, city.now
        self.ids = dict(city.next_ids)
        self.rows: dict[str, list[str]] = {t: [] for t in TABLES}
        self.pending: dict[int, list] = collections.defaultdict(list)
        self.seq = 0
        self.case_serials: dict[tuple[int, int], int] = collections.defaultdict(int)
        self.doc_serials: dict[tuple[int, str, int], int] = collections.defaultdict(int)
        self.cases_total, self.cases_planned = cases, 0
        self.audit_budget, self.audit_planned = audit_events, 0
        self.link_key = mix64(rng.getrandbits(64))
        self.doc_key = mix64(rng.getrandbits(64))
        self.idem_key = mix64(rng.getrandbits(64))
        self.last_heartbeat: dict[int, int] = {}
        self.cpu_seconds = 0.0
        self.stop = False
        self.handlers = {
            "open": self._open, "notice": self._notice, "accept": self._accept, "refuse": self._refuse,
            "complete": self._complete, "rating": self._rating, "audit": self._audit_only, "contest": self._contest,
            "offline": self._offline, "login": self._login,
        }
        self._slots()

    # ids and serials
    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _slots(self) -> None:
        """Half-hour slots of the opening hours with arrival weights: busier in the middle of each span."""
        slots, weights = [], []
        for n, (start, end) in enumerate(self.c.spans):
            length = end - start
            for offset in range(0, length, 1800):
                middle = (offset + min(1800, length - offset) / 2) / length
                slots.append((start + offset, min(1800, length - offset)))
                weights.append((0.55 + 4 * middle * (1 - middle)) * (1.15 if n == 0 else 1.0))
        self.slot_list = slots
        self.slot_cum = list(itertools.accumulate(weights))

    def office_sec(self, day: int, after: int = 0) -> int:
        """A moment of day's opening hours (after `after` if it can be)."""
        start, length = self.rng.pick(self.slot_list, self.slot_cum)
        sec = day * 86400 + start + self.rng.randrange(length)
        if sec <= after:
            sec = after + self.rng.randrange(60, 1200)
        return sec

    # scheduling
    def at(self, sec: int, kind: str, plan, payload=None) -> bool:
        """Schedule an event; events after the end of the year never happen."""
        if sec > self.now:
            return False
        self.seq += 1
        self.pending[sec // 86400].append((sec, self.seq, kind, plan, payload))
        return True

    # the year, day by day
    def days(self, allocation: dict[int, int]) -> Iterator[dict[str, bytes]]:
        """Yield each day's rows as COPY payloads, table by table."""
        tl, c = self.tl, self.c
        window_cum = list(itertools.accumulate(w.weight for w in c.windows))
        end_day = self.now // 86400
        for day in range(self.tl.day(self.tl.first), end_day + 1):
            if self.stop:
                return
            n = allocation.get(day, 0)
            if n:
                self._day_cases(day, n, window_cum)
            if tl.workday[day] and day >= c.start_day:
                self._day_logins(day)
            self._day_devices(day)
            events = self.pending.pop(day, [])
            events.sort()
            handlers = self.handlers
            for sec, _seq, kind, plan, payload in events:
                handlers[kind](sec, plan, payload)
            yield self.flush()

    def flush(self) -> dict[str, bytes]:
        out = {t: "".join(lines).encode() for t, lines in self.rows.items() if lines}
        for lines in self.rows.values():
            lines.clear()
        return out

    def _day_cases(self, day: int, n: int, window_cum: list[float]) -> None:
        rng, c = self.rng, self.c
        per_window = collections.Counter(rng.choices(range(len(c.windows)), cum_weights=window_cum, k=n))
        last_slot_end = None
        if day == self.now // 86400:
            last_slot_end = self.now - day * 86400
        for index in sorted(per_window):
            w = c.windows[index]
            count = per_window[index]
            times = []
            for _ in range(count):
                start, length = rng.pick(self.slot_list, self.slot_cum)
                times.append(day * 86400 + start + rng.randrange(length))
            times.sort()
            for k in range(1, len(times)):
                if times[k] < times[k - 1] + 120:
                    times[k] = times[k - 1] + 120 + rng.randrange(60)
            if last_slot_end is not None:
                # Today: an applicant who would come after now has not come yet; he comes a little earlier.
                limit = day * 86400 + last_slot_end
                times = [t if t <= limit else limit - rng.randrange(1, 3600) for t in times]
                times.sort()
            officer = w.deciders[(day + w.index) % len(w.deciders)]
            for t0 in times:
                self.plan_case(w, day, t0, officer)

    def _day_logins(self, day: int) -> None:
        rng, c = self.rng, self.c
        first_open = day * 86400 + c.spans[0][0]
        last_span = day * 86400 + c.spans[-1][0]
        for person, chance, twice in c.logins:
            if rng.random() < chance:
                self.at(first_open - rng.randrange(0, 1500), "login", person)
                if twice and rng.random() < 0.8:
                    self.at(last_span - rng.randrange(0, 900), "login", person)

    def _day_devices(self, day: int) -> None:
        """The silences a device's heartbeats end today: the night (or weekend) before, and outages."""
        for w in self.c.windows:
            for dev in w.devices:
                on = dev.days.get(day)
                if on is None:
                    continue
                first, _last, outages = on
                previous = self.last_heartbeat.get(dev.id)
                if previous is not None:
                    self.at(first, "offline", dev, (previous, first))
                for start, end in outages:
                    self.at(end, "offline", dev, (start, end))
                self.last_heartbeat[dev.id] = on[1]

    # --- planning -----------------------------------------------------------------------------------

    def applicant(self, w: WindowInfo) -> tuple[str, str, str]:
        rng, county = self.rng, w.county
        if county.recent and rng.random() < 0.04:
            return rng.choice(county.recent)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        region = county.code if rng.random() < 0.8 else rng.choice(OTHER_REGIONS)
        number = id_number(region, rng.choice(BIRTHS), rng.choice(SEQUENCES))
        person = (name, number, rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}")
        county.recent.append(person)
        return person

    def plan_case(self, w: WindowInfo, day: int, t0: int, officer: Person) -> None:
        rng, now = self.rng, self.now
        county = w.county
        item = county.items[bisect.bisect(county.item_cum, rng.random() * county.item_cum[-1])]
        p = CasePlan()
        p.window, p.item, p.created, p.id, p.number, p.token = w, item, t0, 0, "", ""
        p.name, p.id_number, p.phone = self.applicant(w)
        p.conditions = [cond for cond in item.conditions if rng.random() < 0.15]
        p.opened_conditions = list(p.conditions)
        chosen = set(p.conditions)
        required = [m for m in item.materials if not m.condition or m.condition in chosen]
        if rng.random() < P_COMPLETE_AT_INTAKE or len(required) == 0:
            presented = list(required)
        else:
            presented = [m for m in required if rng.random() < 0.6]
            if len(presented) == len(required):
                presented.pop(rng.randrange(len(presented)))
        p.presented, p.opened_presented = presented, list(presented)
        p.status, p.revision, p.handled_by = "intake", 0, None
        p.accepted = p.deadline = p.completed = p.refused = None
        p.provisional, p.refusal_basis, p.refusal_expl = False, "", ""
        p.creator = rng.choice(w.recorders) if w.recorders and rng.random() < 0.12 else officer
        decider = rng.choice(w.heads) if w.heads and rng.random() < 0.02 else officer
        p.events = 0
        self.at(t0, "open", p)
        p.events += 1
        t = t0 + rng.randrange(180, 720)
        if p.creator is not officer and now - t0 < 3 * 86400 and rng.random() < P_LEFT_IN_INTAKE:
            t = now + 1  # recorded by staff, waiting for an officer
        if t <= now and rng.random() < P_PERSONAL_DATA_VIEW:
            self.at(t - 30, "audit", p, ("case.personal_data_viewed", decider, "counter.case", None,
                                          lambda: {"number": p.number}))
            p.events += 1
        if t > now:
            pass
        elif rng.random() < P_REFUSE:
            self._plan_refuse(p, t, decider)
        elif len(presented) < len(required):
            self._plan_notices(p, t, decider, required)
        else:
            self._plan_accept(p, t, decider, [])
        self._choose_audit(p)

    def _choose_audit(self, p: CasePlan) -> None:
        """Pace the audit trails: a case keeps its whole trail while the trails so far are within budget."""
        self.cases_planned += 1
        allowed = self.audit_budget * self.cases_planned / max(1, self.cases_total)
        p.audited = self.audit_planned + p.events / 2 <= allowed
        if p.audited:
            self.audit_planned += p.events

    def _plan_refuse(self, p: CasePlan, t: int, actor: Person) -> None:
        rng = self.rng
        p.status, p.refused, p.handled_by = "refused", t, actor
        p.revision += 1
        p.refusal_basis = p.item.legal_basis[:200]
        p.refusal_expl = rng.choice(REFUSAL_EXPLANATIONS)
        invite = self._invite(p, "refusal", t, actor)
        self.at(t, "refuse", p, (actor, invite))
        p.events += 3  # case.refuse, rating.invited, document.issued

    def _plan_notices(self, p: CasePlan, t: int, actor: Person, required: list[Mat]) -> None:
        rng, tl, w = self.rng, self.tl, p.window
        have = {m.id for m in p.presented}
        missing = [m for m in required if m.id not in have]
        p.status, p.handled_by = "notice", actor
        p.revision += 1
        invite = self._invite(p, "notice", t, actor)
        self.at(t, "notice", p, (actor, 1, missing, [], list(p.presented), invite, None))
        p.events += 3  # case.notice, rating.invited, document.issued
        listed = {m.id for m in missing}
        if rng.random() >= P_RETURN_AFTER_NOTICE:
            return
        day = tl.workday_after(t // 86400, min(10, 1 + int(rng.expovariate(0.6))))
        visit = self.office_sec(day)
        if visit > self.now:
            return
        officer = w.deciders[(day + w.index) % len(w.deciders)]
        if rng.random() < P_SECOND_NOTICE and len(missing) > 1:
            # He brought some of what was missing; a second notice lists only what the first one did.
            brought = [m for m in missing[: len(missing) - 1] if rng.random() < 0.7] or missing[:1]
            p.presented = p.presented + brought
            still = [m for m in missing if m not in brought]
            override = None
            notifier = officer
            unchosen = [cond for cond in p.item.conditions if cond not in p.conditions]
            if w.heads and unchosen and rng.random() < P_OVERRIDE:
                # The head learns of a condition that applies after all: the notice adds its materials.
                notifier = rng.choice(w.heads)
                cond = rng.choice(unchosen)
                p.conditions = [c for c in p.item.conditions if c in set(p.conditions) | {cond}]
                added = [m for m in p.item.materials if m.condition == cond and m.id not in listed]
                if added:
                    override = (added, rng.choice(OVERRIDE_REASONS))
                    still = still + added
            p.revision += 1
            p.handled_by = notifier
            self.at(visit, "notice", p, (notifier, 2, still, [m.id for m in brought], list(p.presented), None,
                                         override))
            p.events += 3 if override else 2
            missing = still
            day = tl.workday_after(day, 1 + int(rng.expovariate(0.8)))
            visit = self.office_sec(day)
            if visit > self.now or rng.random() < 0.1:
                return
            officer = w.deciders[(day + w.index) % len(w.deciders)]
        if rng.random() < P_REFUSE_ON_RETURN:
            self._plan_refuse(p, visit, officer)
            return
        have = {m.id for m in p.presented}
        brought = [m for m in missing if m.id not in have]
        p.presented = p.presented + brought
        self._plan_accept(p, visit, officer, [m.id for m in brought])

    def _plan_accept(self, p: CasePlan, t: int, actor: Person, added: list[int]) -> None:
        rng, tl, item = self.rng, self.tl, p.item
        p.accepted, p.handled_by = t, actor
        p.revision += 1
        day = t // 86400
        if item.on_the_spot:
            p.status, p.completed, p.deadline = "completed", t, day
            invite = self._invite(p, "completion", t, actor)
            self.at(t, "accept", p, (actor, added, list(p.presented), invite, day, False))
            p.events += 3  # case.accept, rating.invited, document.issued
            return
        deadline, provisional = tl.add_workdays(day, item.promised)
        p.status, p.deadline, p.provisional = "accepted", deadline, provisional
        self.at(t, "accept", p, (actor, added, list(p.presented), None, deadline, provisional))
        p.events += 2  # case.accept, document.issued
        roll = rng.random()
        span = tl.workdays_between(day, deadline)
        if roll < P_STUCK:
            finish = tl.workday_after(deadline, rng.randrange(7, 40))
        elif roll < P_STUCK + P_LATE:
            finish = tl.workday_after(deadline, rng.randrange(1, 7))
        else:
            finish = tl.workday_after(day, rng.randrange(1, max(2, span + 1))) if span else deadline
        done = self.office_sec(finish, after=t)
        if done > self.now:
            return
        w = p.window
        completer = actor if rng.random() < 0.7 else rng.choice(w.station_deciders)
        p.status, p.completed, p.handled_by = "completed", done, completer
        p.revision += 1
        invite = self._invite(p, "completion", done, completer, at_counter=False)
        overdue = done // 86400 > deadline
        self.at(done, "complete", p, (completer, invite, overdue))
        p.events += 2

    def _invite(self, p: CasePlan, stage: str, sec: int, officer: Person, at_counter: bool = True) -> InvitePlan:
        """The rating screen a decision asks for, and the rating it gets (if any by the end of the year)."""
        device = None
        for d in p.window.devices:
            if d.online(sec):
                device = d
                break
        invite = InvitePlan(stage, sec, officer, device is not None, device)
        self._plan_rating(p, invite, at_counter)
        return invite

    def _plan_rating(self, p: CasePlan, invite: InvitePlan, at_counter: bool) -> None:
        rng, c = self.rng, self.c
        roll = rng.random()
        r = RatingPlan()
        r.id, r.invite, r.excluded, r.follow_up, r.contest = 0, invite, False, None, None
        r.device, r.address, r.key, r.reasons, r.other, r.comment = None, None, None, [], "", ""
        device_share = 0.78 if at_counter else 0.35
        qr_share = 0.10 if at_counter else 0.25
        if invite.online and roll < device_share:
            r.channel, r.device, r.address = "device", invite.device, p.window.tablet
            r.rated = invite.sec + rng.randrange(20, 120)
            r.received = r.rated + rng.randrange(0, 2)
        elif roll < device_share + qr_share:
            r.channel = "qr"
            r.rated = invite.sec + int(3600 * min(160, rng.expovariate(1 / 20) + 1))
            r.received = r.rated
            r.address = (f"{rng.choice((112, 117, 120, 223, 36, 39))}.{rng.randrange(256)}."
                         f"{rng.randrange(256)}.{rng.randrange(1, 255)}")  # a phone on the mobile network
        else:
            r.channel = "default"
            r.rated = invite.sec + c.link_days * 86400
            job = (r.rated // 86400 + 1) * 86400 + 2 * 3600
            r.received = job + rng.randrange(0, 600)
        if r.received > self.now:
            return
        invite.rating = r
        if r.channel == "default":
            level = c.default_level
            r.level, r.subs = level, (level, level, level)
        else:
            r.key = self._idempotency_key(invite, r.channel)
            level = rng.pick(LEVELS, LEVEL_CUM[invite.officer.temper, r.channel])
            r.level = level
            if level <= 2:
                picks = rng.choices(BAD_REASONS, weights=BAD_REASON_WEIGHTS, k=rng.choice((1, 1, 2)))
                r.reasons = list(dict.fromkeys(picks))
                r.other = rng.choice(OTHER_REASONS) if "other" in r.reasons else ""
                worst = 1 if level == 1 else rng.choice((1, 2))
                r.subs = (min(5, level + rng.choice((0, 0, 1))), level, worst if "attitude" in r.reasons else level)
            else:
                r.subs = tuple(max(1, min(5, level + rng.choice((0, 0, 0, 0, -1, 1)))) for _ in range(3))
            r.comment = rng.choice(COMMENTS[level])
        r.bad = r.level <= 2 and r.channel != "default"
        self.at(r.received, "rating", p, r)
        p.events += 2 if r.bad else 1
        if r.bad:
            self._plan_follow_up(p, r)
            if rng.random() < P_CONTEST:
                self._plan_contest(p, r)

    def _idempotency_key(self, invite: InvitePlan, channel: str) -> str:
        # Unique by construction: the first 64 bits are a bijection of a counter, the rest random.
        self.seq += 1
        head = mix64(self.seq ^ self.idem_key)
        tail = self.rng.getrandbits(128)
        if channel == "device":  # the tablet's crypto.randomUUID(), the counter's 16 hex digits all kept
            h, t = f"{head:016x}", f"{tail:032x}"
            return f"{h[:8]}-{h[8:12]}-4{h[12:15]}-{'89ab'[tail >> 126]}{h[15]}{t[1:3]}-{t[3:15]}"
        raw = head.to_bytes(8, "big") + tail.to_bytes(16, "big")  # secrets.token_urlsafe(24)
        return base64.urlsafe_b64encode(raw).decode()

    def _plan_follow_up(self, p: CasePlan, r: RatingPlan) -> None:
        rng, tl, c, w = self.rng, self.tl, self.c, p.window
        opened_day = r.received // 86400
        deadline, provisional = tl.add_workdays(opened_day, c.follow_up_days)
        head = rng.choice(w.heads) if w.heads else w.deciders[0]
        f = {"deadline": deadline, "provisional": provisional, "status": "open", "called": None, "closed": None,
             "escalated": None, "verdict": "", "notes": "", "verification": "", "rectification": "", "handler": None,
             "id": 0}
        r.follow_up = f
        steps = []
        call = tl.workday_after(opened_day, int(rng.expovariate(0.8))) if rng.random() < 0.97 else None
        if call is not None:
            called = self.office_sec(call, after=r.received)
            steps.append(("called", called))
            if rng.random() < 0.95:
                verified = self.office_sec(tl.workday_after(call, rng.choice((1, 1, 2))), after=called)
                steps.append(("verified", verified))
                if rng.random() < 0.93:
                    closed = self.office_sec(tl.workday_after(verified // 86400, rng.randrange(1, 8)), after=verified)
                    steps.append(("closed", closed))
        closed_at = next((s for name, s in steps if name == "closed"), None)
        job = (deadline + 1) * 86400 + 2 * 3600 + rng.randrange(60, 900)
        if closed_at is None or closed_at > job:
            steps.append(("escalated", job))
        steps.sort(key=lambda s: s[1])
        for name, sec in steps:
            if sec > self.now:
                continue
            if name == "called":
                f.update(status="called", called=sec, notes=rng.choice(CALL_NOTES), handler=head)
                self.at(sec, "audit", p, ("follow_up.called", head, "evaluations.followup", f,
                                          lambda sec=sec: {"called_at": tl.iso(sec)}))
            elif name == "verified":
                verdict = rng.choices(("true", "partly", "false"), weights=(45, 35, 20))[0]
                f.update(status="verified", verdict=verdict,
                         verification=VERIFICATIONS[("true", "partly", "false").index(verdict)])
                self.at(sec, "audit", p, ("follow_up.verified", head, "evaluations.followup", f,
                                          lambda verdict=verdict: {"verdict": verdict}))
            elif name == "closed":
                f.update(status="closed", closed=sec, rectification=rng.choice(RECTIFICATIONS))
                late = sec // 86400 > deadline
                self.at(sec, "audit", p, ("follow_up.closed", head, "evaluations.followup", f,
                                          lambda late=late: {"late": late}))
            else:
                f["escalated"] = sec
                self.at(sec, "audit", p, ("follow_up.escalated", None, "evaluations.followup", f,
                                          lambda: {"deadline": tl.daystr[deadline]}))
            p.events += 1

    def _plan_contest(self, p: CasePlan, r: RatingPlan) -> None:
        rng, tl = self.rng, self.tl
        filed = self.office_sec(tl.workday_after(r.received // 86400, rng.randrange(1, 5)), after=r.received)
        if filed > self.now:
            return
        admin = rng.choice(p.window.county.admins)
        decided = self.office_sec(tl.workday_after(filed // 86400, rng.randrange(2, 10)), after=filed)
        upheld = rng.random() < 0.35
        contest = {"id": 0, "filed": filed, "ground": rng.choice(("mistaken", "mistaken", "malicious")),
                   "statement": CONTEST_STATEMENTS[0 if upheld else 1], "decided": None, "admin": admin,
                   "upheld": upheld, "reason": DECISION_REASONS[0 if upheld else 1]}
        if decided <= self.now:
            contest["decided"] = decided
            r.excluded = upheld
            self.at(decided, "audit", p, ("contest.decided", admin, "evaluations.contest", contest,
                                          lambda: {"upheld": upheld}))
            p.events += 1
        r.contest = contest
        self.at(filed, "contest", p, r)
        p.events += 1

    # --- turning events into rows -------------------------------------------------------------------

    def audit(self, sec: int, actor: Person | None, action: str, object_type: str, object_id: int | str, unit_id,
              scope: tuple, data: dict, address: str | None) -> None:
        self.rows["core_auditevent"].append(
            f"{self.next_id('core_auditevent')}\t{self.tl.ts(sec)}\t{action}\t{object_type}\t{object_id}\t{js(data)}\t"
            f"{actor.id if actor else NULL}\t{unit_id}\t{scope[0]}\t{scope[1]}\t{scope[2]}\t{address or NULL}\n")

    def _scope(self, p: CasePlan) -> tuple[int, int, int]:
        w = p.window
        return w.city_id, w.county.id, w.station_id

    def _open(self, sec: int, p: CasePlan, _payload) -> None:
        tl, w, rows = self.tl, p.window, self.rows
        p.id = self.next_id("counter_case")
        year = tl.year[sec // 86400]
        key = (w.station_id, year)
        self.case_serials[key] += 1
        p.number = f"{w.station_code}-{year}-{self.case_serials[key]:06d}"
        rows["counter_case"].append("\t".join((
            str(p.id), p.number, p.name, p.id_number, p.phone, js(p.conditions), p.status, str(p.revision),
            tl.ts(sec), tl.ts(p.accepted) if p.accepted is not None else NULL,
            tl.daystr[p.deadline] if p.deadline is not None else NULL, "t" if p.provisional else "f",
            tl.ts(p.completed) if p.completed is not None else NULL,
            tl.ts(p.refused) if p.refused is not None else NULL,
            esc(p.refusal_basis), esc(p.refusal_expl), str(w.city_id), str(w.county.id), str(w.station_id), str(w.id),
            str(p.creator.id), str(w.county.version_id), str(p.handled_by.id) if p.handled_by else NULL,
            str(p.item.id))) + "\n")
        # The rating link is made with the case (counter.hooks.case_opened -> evaluations), as the services do.
        raw = mix64(p.id ^ self.link_key).to_bytes(8, "big") + bytes([self.rng.getrandbits(8)])
        p.token = base64.urlsafe_b64encode(raw).decode()
        rows["evaluations_ratinglink"].append(
            f"{self.next_id('evaluations_ratinglink')}\t{p.token}\t{tl.ts(sec)}\t{p.id}\n")
        m2m = rows["counter_case_materials_presented"]
        for m in sorted(p.presented, key=lambda m: m.id):
            m2m.append(f"{self.next_id('counter_case_materials_presented')}\t{p.id}\t{m.id}\n")
        if p.audited:
            opened = [m.id for m in sorted(p.opened_presented, key=lambda m: m.id)]
            self.audit(sec, p.creator, "case.opened", "counter.case", p.id, w.id, self._scope(p),
                       {"number": p.number, "item": p.item.code, "guide_version": w.county.version_number,
                        "materials": opened, "conditions": p.opened_conditions}, p.creator.address)

    def _emit_invite(self, p: CasePlan, invite: InvitePlan) -> None:
        tl, w = self.tl, p.window
        invite.id = self.next_id("evaluations_invite")
        shown = invite.device is not None
        self.rows["evaluations_invite"].append(
            f"{invite.id}\t{invite.stage}\t{tl.ts(invite.sec)}\t{tl.ts(invite.sec + 1) if shown else NULL}\t"
            f"{'f' if invite.online else 't'}\t{p.id}\t{invite.officer.id}\t{invite.device.id if shown else NULL}\t"
            f"{w.city_id}\t{w.county.id}\t{w.station_id}\t{w.id}\n")
        if p.audited:
            self.audit(invite.sec, invite.officer, "rating.invited", "evaluations.invite", invite.id, w.id,
                       self._scope(p), {"case": p.number, "stage": invite.stage, "device_offline": not invite.online},
                       invite.officer.address)

    def _decision_audit(self, sec: int, p: CasePlan, actor: Person, decision: str, status: str, data: dict) -> None:
        if p.audited:
            self.audit(sec, actor, f"case.{decision}", "counter.case", p.id, p.window.id, self._scope(p),
                       {"number": p.number, "status": status, **data}, actor.address)

    def _document(self, sec: int, p: CasePlan, kind: str, actor: Person, presented: list[Mat], extra: str,
                  missing: list[Mat] = ()) -> tuple[int, str]:
        tl, w, c, rows = self.tl, p.window, self.c, self.rows
        doc_id = self.next_id("counter_document")
        year = tl.year[sec // 86400]
        key = (w.station_id, kind, year)
        self.doc_serials[key] += 1
        serial = self.doc_serials[key]
        number = f"{w.doc_prefix}{KIND_MARK[kind]}〔{year}〕第{serial:06d}号"
        title = jstr(w.county.notice_title) if kind == "notice" else ('"受理回执"' if kind == "receipt"
                                                                        else '"不予受理告知书"')
        received = ",".join(m.describe for m in sorted(presented, key=lambda m: (m.position, m.id)))
        snapshot = (
            f'{{"kind":"{kind}","title":{title},"number":"{number}","issuer":{w.issuer_json},'
            f'"issued_at":"{tl.minute(sec)}","case_number":"{p.number}","applicant":{{"name":"{p.name}",'
            f'"id_number":"{p.id_number[:4]}**********{p.id_number[-4:]}","phone":"{p.phone[:3]}****{p.phone[-4:]}"}},'
            f'"item":{p.item.json if c.full_snapshots else p.item.json_small},"window":{w.name_json},'
            f'"officer":{actor.officer_json},"materials_received":[{received}],'
            f'{c.rating_hint_field}"rating_url":"{c.rating_url.replace("TOKEN", p.token)}",{extra}}}')
        rows["counter_document"].append(
            f"{doc_id}\t{mix64(doc_id ^ self.doc_key):016x}\t{kind}\t{year}\t{serial}\t{number}\t{esc(snapshot)}\t"
            f"{tl.ts(sec)}\t{p.id}\t{actor.id}\t{w.station_id}\n")
        dm = rows["counter_document_materials"]
        for m in sorted(missing, key=lambda m: m.id):
            dm.append(f"{self.next_id('counter_document_materials')}\t{doc_id}\t{m.id}\n")
        if p.audited:
            self.audit(sec, actor, "document.issued", "counter.document", doc_id, w.id, self._scope(p),
                       {"number": number, "kind": kind, "case": p.number}, actor.address)
        return doc_id, number

    def _notice(self, sec: int, p: CasePlan, payload) -> None:
        actor, round_, missing, added, presented, invite, override = payload
        w = p.window
        self._decision_audit(sec, p, actor, "notice", "notice", {
            "added_materials": added, "missing": [m.id for m in sorted(missing, key=lambda m: (m.position, m.id))],
            "round": round_, "override": override is not None})
        if invite is not None:
            self._emit_invite(p, invite)
        listed = ",".join(m.entry for m in sorted(missing, key=lambda m: (m.position, m.id)))
        extra = f'"materials_missing":[{listed}],"notice_round":{round_}'
        if self.c.full_snapshots:
            extra += f',"notice_intro":{w.county.notice_intro},"notice_footer":{w.county.notice_footer}'

        doc_id, number = self._document(sec, p, "notice", actor, presented, extra, missing)
        if override is not None:
            materials, reason = override
            oid = self.next_id("counter_noticeoverride")
            self.rows["counter_noticeoverride"].append(
                f"{oid}\t{reason}\t{self.tl.ts(sec)}\t{actor.id}\t{p.id}\t{doc_id}\t{w.city_id}\t{w.county.id}\t"
                f"{w.station_id}\t{w.id}\n")
            for m in sorted(materials, key=lambda m: m.id):
                self.rows["counter_noticeoverride_added_materials"].append(
                    f"{self.next_id('counter_noticeoverride_added_materials')}\t{oid}\t{m.id}\n")
            if p.audited:
                self.audit(sec, actor, "case.notice_override", "counter.case", p.id, w.id, self._scope(p),
                           {"document": number, "added": [m.id for m in materials], "reason": reason}, actor.address)

    def _accept(self, sec: int, p: CasePlan, payload) -> None:
        actor, added, presented, invite, deadline, provisional = payload
        tl = self.tl
        on_the_spot = invite is not None
        self._decision_audit(sec, p, actor, "accept", "completed" if on_the_spot else "accepted", {
            "added_materials": added, "deadline": tl.daystr[deadline], "on_the_spot": on_the_spot})
        if invite is not None:
            self._emit_invite(p, invite)
        extra = (f'"deadline":"{tl.daystr[deadline]}","deadline_provisional":{"true" if provisional else "false"},'
                 f'"completed_on_the_spot":{"true" if on_the_spot else "false"}')
        self._document(sec, p, "receipt", actor, presented, extra)

    def _refuse(self, sec: int, p: CasePlan, payload) -> None:
        actor, invite = payload
        self._decision_audit(sec, p, actor, "refuse", "refused", {"legal_basis": p.refusal_basis})
        self._emit_invite(p, invite)
        extra = f'"refusal_basis":{jstr(p.refusal_basis)},"refusal_explanation":{jstr(p.refusal_expl)}'
        if self.c.full_snapshots:
            extra += f',"remedies":{self.c.remedies_json}'
        self._document(sec, p, "refusal", actor, p.presented, extra)

    def _complete(self, sec: int, p: CasePlan, payload) -> None:
        actor, invite, overdue = payload
        self._decision_audit(sec, p, actor, "complete", "completed", {"overdue": overdue})
        self._emit_invite(p, invite)

    def _rating(self, sec: int, p: CasePlan, r: RatingPlan) -> None:
        tl, w, rows = self.tl, p.window, self.rows
        invite = r.invite
        r.id = self.next_id("evaluations_rating")
        excluded_reason = r.contest["reason"] if r.excluded else ""
        rows["evaluations_rating"].append("\t".join((
            str(r.id), invite.stage, str(r.level), str(r.subs[0]), str(r.subs[1]), str(r.subs[2]), js(r.reasons),
            r.other, r.comment, r.channel, "t" if r.channel == "default" else "f", tl.ts(r.rated), tl.ts(r.received),
            r.key or NULL, "t" if r.excluded else "f", excluded_reason, str(p.id),
            str(r.device.id) if r.device else NULL, str(invite.id), str(invite.officer.id),
            r.address if r.channel == "device" else NULL, str(w.city_id), str(w.county.id), str(w.station_id),
            str(w.id))) + "\n")
        address = r.address if r.channel != "default" else None
        if p.audited:
            data = {"case": p.number, "stage": invite.stage, "level": r.level, "channel": r.channel}
            if r.channel == "device":
                data.update({"from": r.address, "flags": []})
            self.audit(sec, None, "rating.submitted", "evaluations.rating", r.id, w.id, self._scope(p), data, address)
        f = r.follow_up
        if f is None:
            return
        f["id"] = self.next_id("evaluations_followup")
        handler = f["handler"]
        rows["evaluations_followup"].append("\t".join((
            str(f["id"]), f["status"], tl.ts(sec), tl.daystr[f["deadline"]], "t" if f["provisional"] else "f",
            tl.ts(f["called"]) if f["called"] else NULL, f["notes"], f["verdict"], f["verification"],
            f["rectification"], tl.ts(f["closed"]) if f["closed"] else NULL,
            tl.ts(f["escalated"]) if f["escalated"] else NULL, "0", str(handler.id) if handler else NULL, str(r.id),
            str(w.city_id), str(w.county.id), str(w.station_id), str(w.id))) + "\n")
        if p.audited:
            self.audit(sec, None, "follow_up.opened", "evaluations.followup", f["id"], w.id, self._scope(p),
                       {"case": p.number, "deadline": tl.daystr[f["deadline"]]}, address)

    def _contest(self, sec: int, p: CasePlan, r: RatingPlan) -> None:
        tl, w, k = self.tl, p.window, r.contest
        k["id"] = self.next_id("evaluations_contest")
        decided = k["decided"]
        status = "pending" if decided is None else ("upheld" if k["upheld"] else "rejected")
        self.rows["evaluations_contest"].append("\t".join((
            str(k["id"]), tl.ts(sec), k["ground"], k["statement"], status, tl.ts(decided) if decided else NULL,
            k["reason"] if decided else "", str(k["admin"].id) if decided else NULL, str(r.invite.officer.id),
            str(r.id), str(w.city_id), str(w.county.id), str(w.station_id), str(w.id))) + "\n")
        if p.audited:
            self.audit(sec, r.invite.officer, "contest.filed", "evaluations.contest", k["id"], w.id, self._scope(p),
                       {"case": p.number, "ground": k["ground"]}, r.invite.officer.address)

    def _audit_only(self, sec: int, p: CasePlan, payload) -> None:
        action, actor, object_type, obj, data = payload
        if not p.audited:
            return
        object_id = p.id if obj is None else obj["id"]
        address = actor.address if actor else None
        self.audit(sec, actor, action, object_type, object_id, p.window.id, self._scope(p), data(), address)

    def _offline(self, sec: int, dev: DevicePlan, payload) -> None:
        start, end = payload
        self.rows["evaluations_deviceoffline"].append(
            f"{self.next_id('evaluations_deviceoffline')}\t{self.tl.ts(start)}\t{self.tl.ts(end)}\t{dev.id}\t"
            f"{dev.window_id}\n")

    def _login(self, sec: int, person: Person, _payload) -> None:
        scope = self.c.scopes[person.unit_id]
        self.audit(sec, person, "auth.login", "org.staff", person.id, person.unit_id, scope,
                   {"site": "staff", "address": person.address}, person.address)


# --- the setup, through the services and the ORM -------------------------------------------------------

def _split(total: int, parts: int, rng: random.Random, low: int, high: int) -> list[int]:
    """`parts` whole numbers between low and high adding up to `total` (as nearly as the bounds allow)."""
    mean = total / parts
    values = [max(low, min(high, round(rng.gauss(mean, mean * 0.25)))) for _ in range(parts)]
    while sum(values) != total:
        i = rng.randrange(parts)
        if sum(values) < total and values[i] < high:
            values[i] += 1
        elif sum(values) > total and values[i] > low:
            values[i] -= 1
        if all(v == high for v in values) or all(v == low for v in values):
            break
    return values


def build_org(scale: Scale, rng: random.Random, at: datetime.datetime, password_hash: str):
    """The unit tree through org.services (as an administrator opens it), then the staff in one insert."""
    from core import clock
    from core.models import AuditEvent, scope_fields
    from org.models import Category, DutyStatus, Role, Staff, UnitKind
    from org.services import unit_create

    units: dict[str, object] = {}
    combos = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
    rng.shuffle(combos)
    with clock.at(at):
        city = unit_create(name="福州市公安局", code="350100", kind=UnitKind.CITY, parent=None, phone="0591-87090000",
                           address="福州市鼓楼区华林路")
        counties = []
        per_county = _split(scale.stations, scale.counties, rng, 1, 40)
        brigades = sum(1 for n in per_county if n > 1)
        station_windows = _split(scale.windows - brigades, scale.stations - brigades, rng, 1, 4)
        s_index = 0
        for (name, code, prefix), n_stations in zip(COUNTIES[: scale.counties], per_county, strict=True):
            county = unit_create(name=name, code=code, kind=UnitKind.COUNTY, parent=city, doc_prefix=prefix + "户",
                                 phone=f"0591-8{code[-3:]}0000")
            counties.append(county)
            used_marks = set()
            for n in range(1, n_stations + 1):
                brigade = n == n_stations and n_stations > 1
                if brigade:
                    station_name, mark = "治安大队", "治"
                else:
                    station_name = next(x for x in combos if x[0] not in used_marks)
                    combos.remove(station_name)
                    mark = station_name[0]
                    station_name += "派出所"
                used_marks.add(mark)
                station = unit_create(
                    name=station_name, code=f"{code}{n:03d}", kind=UnitKind.BRIGADE if brigade else UnitKind.STATION,
                    parent=county, doc_prefix=f"{prefix}{mark}户", phone=f"0591-8{code[-3:]}{n:03d}0",
                    address=f"{name[:-2] if name.endswith('分局') else name[:-4]}{station_name[:2]}路{n}号")
                if brigade:
                    windows = 1
                else:
                    windows = station_windows[s_index]
                    s_index += 1
                for k in range(1, windows + 1):
                    window = unit_create(name=f"{station_name}{k}号窗口", code=f"{station.code}W{k}",
                                         kind=UnitKind.WINDOW, parent=station)
                    units[window.code] = window
                units[station.code] = station
            units[county.code] = county
    units[city.code] = city

    staff: list = []
    number = itertools.count(1)

    def add(username, unit, role, category=Category.OFFICER, qualified=True, duty=DutyStatus.ON_DUTY):
        staff.append(Staff(
            username=username, full_name=rng.choice(SURNAMES) + rng.choice(GIVEN), unit=unit, role=role,
            category=category, law_enforcement_qualified=qualified, duty_status=duty,
            police_number=f"{350000 + next(number):06d}", password=password_hash, date_joined=at))

    for k in range(1, 7):
        add(f"cityadmin{k}", city, Role.CITY_ADMIN)
    for k in range(1, 21):
        add(f"inspector{k}", city, Role.CITY_INSPECTOR)
    for county in counties:
        for k in range(1, 5):
            add(f"county{county.code}" + ("" if k == 1 else f"_{k}"), county, Role.COUNTY_ADMIN)
    for unit in sorted(units.values(), key=lambda u: u.code):
        if unit.kind in (UnitKind.STATION, UnitKind.BRIGADE):
            add(f"head{unit.code}", unit, Role.STATION_HEAD)
            if rng.random() < 0.7:
                add(f"head{unit.code}b", unit, Role.STATION_HEAD)
        elif unit.kind == UnitKind.WINDOW:
            officers = 2 + (rng.random() < 0.35)
            for k in range(officers):
                suffix = "" if k == 0 else "bcd"[k - 1]
                roll = rng.random()
                # A few officers are new (not yet qualified) or stopped by a sanction; never the first one.
                if k and roll < 0.03:
                    add(f"officer{unit.code}{suffix}", unit, Role.WINDOW_OFFICER, qualified=False)
                elif k and roll < 0.045:
                    add(f"officer{unit.code}{suffix}", unit, Role.WINDOW_OFFICER, duty=DutyStatus.STOPPED)
                else:
                    add(f"officer{unit.code}{suffix}", unit, Role.WINDOW_OFFICER)
            add(f"aux{unit.code}", unit, Role.WINDOW_STAFF, Category.AUXILIARY, False)
            if rng.random() < 0.5:
                add(f"civ{unit.code}", unit, Role.WINDOW_STAFF, Category.CIVILIAN, False)
    Staff.objects.bulk_create(staff, batch_size=1000)
    AuditEvent.objects.bulk_create([
        AuditEvent(at=at, actor=None, action="staff.created", object_type="org.staff", object_id=str(s.pk),
                   unit=s.unit, **scope_fields(s.unit),
                   data={"username": s.username, "role": s.role, "category": s.category})
        for s in staff], batch_size=1000)
    return city, counties, units, staff


def build_guides(counties, admins: dict[int, object], effective: datetime.date) -> None:
    """Each county's guide: the demo's items, imported and published by its administrator (catalog.services)."""
    from demo.catalog import guide_seed

    for county in counties:
        guide_seed(county=county, actor=admins[county.pk], effective_date=effective)


def _device_days(rng: random.Random, tl: Timeline, spans, paired: int, until: int, now: int, flaky: bool) -> dict:
    """The tablet's heartbeats as (first, last, silences) per working day: on a quarter of an hour before the
    opening, off half an hour after the closing, on at lunch, now and then silent for a while."""
    days = {}
    for day in range(paired // 86400, until // 86400 + 1):
        if not tl.workday[day]:
            continue
        base = day * 86400
        first = max(paired, base + spans[0][0] - 900 + rng.randrange(0, 240))
        last = base + spans[-1][1] + 1800 + rng.randrange(0, 600)
        last = min(last, until, now - rng.randrange(1, 20))
        if last <= first:
            continue
        silences = []
        if rng.random() < (0.15 if flaky else 0.03):
            start = base + rng.randrange(spans[0][0], spans[-1][1])
            end = start + 60 * int(min(180, 3 + rng.expovariate(1 / 25)))
            if first < start and end < last:
                silences.append((start, end))
        days[day] = (first, last, silences)
    return days


def build_devices(city: City, rng: random.Random, heads: dict[int, list], windows_by_id: dict[int, object]) -> None:
    """One evaluator per window (a few replaced during the year, one or two windows without), paired by the
    station head at the counter, with the pairing codes and audit events the services write."""
    from core.models import AuditEvent, scope_fields
    from evaluations.models import Device, PairingCode

    tl, now = city.tl, city.now
    start = city.start_day
    made = []  # (window info, device, pairing, revoked_sec, days)
    no_device = {w.id for w in city.windows if rng.random() < 0.01 and len(city.windows) > 20}
    for n, w in enumerate(city.windows):
        if w.id in no_device:
            continue
        unit = windows_by_id[w.id]
        head = heads[w.station_id][0]
        late = rng.random() < 0.01
        day = tl.workday_after(start - 30 + rng.randrange(0, 10) if not late else start + rng.randrange(60, 200), 1)
        paired = day * 86400 + city.spans[0][0] + 900 + 180 * (n % 20)
        replace = rng.random() < 0.04
        lifetimes = []
        if replace:
            swap_day = tl.workday_after(start + rng.randrange(60, 300), 1)
            swap = swap_day * 86400 + city.spans[0][0] - 600
            lifetimes.append((paired, swap))
            lifetimes.append((swap + 600, None))
        else:
            lifetimes.append((paired, None))
        flaky = rng.random() < 0.05
        for k, (begin, revoked) in enumerate(lifetimes):
            if begin > now:
                continue
            token = f"{rng.getrandbits(256):064x}"
            days = _device_days(rng, tl, city.spans, begin, revoked if revoked is not None else now, now, flaky)
            last_seen = max((v[1] for v in days.values()), default=begin)
            device = Device(
                **scope_fields(unit, window=True), name=f"{unit.name}评价器" + ("" if k == 0 else f"（{k + 1}）"),
                token_hash=hashlib.sha256(token.encode()).hexdigest(), paired_at=tl.aware(begin),
                paired_by_id=head.id, revoked_at=tl.aware(revoked) if revoked is not None and revoked <= now else None,
                revoked_by_id=head.id if revoked is not None and revoked <= now else None,
                last_seen_at=tl.aware(last_seen), paired_from=w.tablet)
            code = PairingCode(window=unit, code_hash=hashlib.sha256(f"{rng.getrandbits(64):x}".encode()).hexdigest(),
                               created_by_id=head.id, created_at=tl.aware(begin - 120),
                               expires_at=tl.aware(begin - 120 + 900), used_at=tl.aware(begin))
            made.append((w, unit, device, code, revoked if revoked is not None and revoked <= now else None, days,
                         head))
    Device.objects.bulk_create([m[2] for m in made])
    for m in made:
        m[3].device = m[2]
    PairingCode.objects.bulk_create([m[3] for m in made])
    events = []
    for w, unit, device, code, revoked, days, head in made:
        scope = scope_fields(unit)
        events.append(AuditEvent(at=code.created_at, actor_id=head.id, action="device.pairing_code",
                                 object_type="evaluations.pairingcode", object_id=str(code.pk), unit=unit, **scope,
                                 data={"expires_at": code.expires_at.astimezone(datetime.UTC).isoformat()},
                                 client_address=head.address))
        events.append(AuditEvent(at=device.paired_at, actor_id=head.id, action="device.paired",
                                 object_type="evaluations.device", object_id=str(device.pk), unit=unit, **scope,
                                 data={"name": device.name, "from": w.tablet}, client_address=w.tablet))
        if revoked is not None:
            events.append(AuditEvent(at=tl.aware(revoked), actor_id=head.id, action="device.revoked",
                                     object_type="evaluations.device", object_id=str(device.pk), unit=unit, **scope,
                                     data={}, client_address=head.address))
        w.devices.append(DevicePlan(device.pk, w.id, city.tl.sec_of(device.paired_at), revoked, days))
    AuditEvent.objects.bulk_create(sorted(events, key=lambda e: e.at))


def allocate_cases(tl: Timeline, start_day: int, now: int, total: int, rng: random.Random,
                   spans) -> dict[int, int]:
    """How many cases each working day gets: busier on Mondays, after holidays, in January and the summer."""
    month = {1: 1.15, 2: 0.85, 3: 1.0, 4: 0.95, 5: 0.95, 6: 1.0, 7: 1.15, 8: 1.2, 9: 1.1, 10: 0.9, 11: 1.0, 12: 1.0}
    weekday = [1.25, 1.05, 1.0, 1.0, 0.9, 0.85, 0.85]
    end_day = now // 86400
    weights = {}
    for day in range(start_day, end_day + 1):
        if not tl.workday[day]:
            continue
        w = month[tl.dates[day].month] * weekday[tl.dates[day].weekday()] * rng.uniform(0.92, 1.08)
        gap = day - 1
        while gap >= start_day - 10 and not tl.workday[gap]:
            gap -= 1
        if day - gap >= 4:
            w *= 1.35  # the first working day after a long holiday
        if day == end_day:
            open_seconds = sum(e - s for s, e in spans)
            elapsed = sum(max(0, min(e, now - day * 86400) - s) for s, e in spans)
            w *= elapsed / open_seconds
        if w > 0:
            weights[day] = w
    scale = total / sum(weights.values())
    out, carry = {}, 0.0
    for day, w in weights.items():
        carry += w * scale
        out[day] = int(carry)
        carry -= out[day]
    last = max(out)
    out[last] += total - sum(out.values())
    return out


# --- the whole run ---------------------------------------------------------------------------------------

class Phases:
    def __init__(self, log):
        self.log, self.times = log, []

    def __call__(self, name: str):
        phases = self

        class Phase:
            def __enter__(self):
                self.start = time.monotonic()
                phases.log(f"-- {name} ...")

            def __exit__(self, *exc):
                took = time.monotonic() - self.start
                phases.times.append((name, took))
                phases.log(f"   {name}: {took:.1f} s")

        return Phase()


def _writer(batches: queue.Queue) -> Iterator[dict[str, bytes]]:
    while True:
        item = batches.get()
        if item is None:
            return
        yield item


def backend_cpu_seconds() -> float | None:
    """CPU time the database server process of our connection has used (None when it is not on this machine)."""
    import os

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def may_skip_foreign_key_triggers() -> bool:
    """Whether our role may switch the foreign-key triggers off for a transaction (a superuser may)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


def copy_batches(batches: Iterator[dict[str, bytes]], progress: Callable[[int], None] | None = None,
                 timings: dict[str, float] | None = None, skip_fk_triggers: bool = False) -> dict:
    """COPY each batch into its tables in one transaction; return rows written per table.

    Unique, check and not-null constraints and every index are maintained as the rows arrive. The foreign keys
    (deferred, checked at commit) are checked there too, unless `skip_fk_triggers`: then their triggers are off
    (session_replication_role = replica) and foreign_keys_validate() must check every row afterwards; that halves
    the server's work. `timings` collects the wall time of each table's COPY and of the commits.
    """
    from django.db import connection, transaction

    written = collections.Counter()
    timings = timings if timings is not None else {}
    for n, batch in enumerate(batches):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            if skip_fk_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table, columns in TABLES.items():
                data = batch.get(table)
                if not data:
                    continue
                began = time.monotonic()
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(data)
                timings[table] = timings.get(table, 0.0) + time.monotonic() - began
                written[table] += data.count(b"\n")
            began = time.monotonic()
        timings["commit"] = timings.get("commit", 0.0) + time.monotonic() - began
        if progress is not None:
            progress(n)
    if skip_fk_triggers and connection.in_atomic_block:  # inside a caller's transaction (a test): back to normal
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
    return written


def plain_indexes(tables) -> list[tuple[str, str]]:
    """(name, exact definition) of the indexes of `tables` that back no constraint and enforce nothing: the
    ones that may be built after the load instead of row by row during it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT ci.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
              AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1""", [list(tables)])
        return cursor.fetchall()


def _deferred_checks_now() -> None:
    """Inside a caller's transaction (a test), run the foreign-key checks still deferred: PostgreSQL builds no
    index on a table with pending trigger events. Outside one each statement has committed already."""
    from django.db import connection

    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def indexes_drop(indexes: list[tuple[str, str]]) -> None:
    from django.db import connection

    _deferred_checks_now()
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')


def indexes_create(indexes: list[tuple[str, str]], tables) -> None:
    """Create the dropped indexes again from their saved definitions, and prove they are back exactly."""
    from django.db import connection

    present = {name for name, _d in plain_indexes(tables)}
    _deferred_checks_now()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in indexes:
            if name not in present:
                cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
    if plain_indexes(tables) != sorted(indexes):
        raise RuntimeError("the indexes built after the load differ from the ones dropped before it")


def foreign_keys_validate(tables) -> list[tuple[str, int]]:
    """Check every foreign key of `tables` row by row (one scan of each table, hash joins to the parents);
    return (constraint, rows that break it) for each one broken."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, pa.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s)
            ORDER BY 2, 1""", [list(tables)])
        keys = cursor.fetchall()
    broken = []
    for table, group in itertools.groupby(keys, key=lambda k: k[1]):
        group = list(group)
        joins = " ".join(f'LEFT JOIN {parent} p{n} ON p{n}."{pcol}" = t."{col}"'
                         for n, (_name, _t, col, parent, pcol) in enumerate(group))
        counts = ", ".join(f'count(*) FILTER (WHERE t."{col}" IS NOT NULL AND p{n}."{pcol}" IS NULL)'
                           for n, (_name, _t, col, _parent, pcol) in enumerate(group))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(f"SELECT {counts} FROM {table} t {joins}")
            row = cursor.fetchone()
        broken += [(name, bad) for (name, *_rest), bad in zip(group, row, strict=True) if bad]
    return broken


def produce(stream: Stream, allocation: dict[int, int], out: queue.Queue, errors: list) -> None:
    try:
        for batch in stream.days(allocation):
            out.put(batch)
    except BaseException as exc:  # handed to the writer's thread, which raises it
        errors.append(exc)
    finally:
        stream.cpu_seconds = time.thread_time()
        out.put(None)


def _bulk(opts, city, stream, allocation, tl, first, now, log):
    """Stream the year into the tables: the generator in a thread, COPY in this one (Django's connection)."""
    batches: queue.Queue = queue.Queue(maxsize=3)
    errors: list = []
    producer = threading.Thread(target=produce, args=(stream, allocation, batches, errors), daemon=True)
    producer.start()
    started = time.monotonic()
    total_days = now // 86400 - tl.day(first) + 1

    def progress(n: int) -> None:
        if n and n % 30 == 0:
            log(f"   day {n}/{total_days} ({time.monotonic() - started:.0f} s)")

    cpu_before = backend_cpu_seconds()
    timings: dict[str, float] = {}
    skip_fk = opts.fast_foreign_keys and may_skip_foreign_key_triggers()
    try:
        written = copy_batches(_writer(batches), progress, timings, skip_fk)
    finally:
        stream.stop = True  # a failed COPY stops the generator too
        while producer.is_alive():
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.1)
    cpu_after = backend_cpu_seconds()
    if errors:
        raise errors[0]
    server_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    log(f"   generator CPU {stream.cpu_seconds:.0f} s, database server CPU {server_cpu or 0:.0f} s; "
        "COPY wall time by table: " + ", ".join(
        f"{t} {v:.0f} s" for t, v in sorted(timings.items(), key=lambda kv: -kv[1])))
    return written, timings, server_cpu, skip_fk


def generate(opts: Options) -> dict:
    """Fill the (empty) database; return the phase times, the benchmark accounts and the row counts."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone, translation

    from core import clock
    from core.models import Serial
    from counter.documents import REMEDIES, item_fee_text, item_time_limit_text, material_entry
    from evaluations.stats import opening_hours
    from org.models import DutyStatus, Role, Unit, UnitKind
    from workdays.models import CalendarDay, CalendarYear

    log = opts.log
    phases = Phases(log)
    scale = SCALES[opts.scale]
    cases = opts.cases if opts.cases is not None else scale.cases
    audit_events = opts.audit_events if opts.audit_events is not None else cases
    if connection.vendor != "postgresql":
        raise SystemExit("the city-year generator writes with PostgreSQL's COPY: point DATABASE_URL at PostgreSQL")

    with phases("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    if Unit.objects.exists():
        raise SystemExit("the database already has units: the generator fills an empty database only")

    tz = timezone.get_current_timezone()
    end = (opts.end or clock.now()).astimezone(tz).replace(microsecond=0)
    end_date = end.date()
    start_date = end_date - datetime.timedelta(days=opts.days - 1)
    first = start_date - datetime.timedelta(days=75)
    entered = set(CalendarYear.objects.values_list("year", flat=True))
    special = dict(CalendarDay.objects.values_list("date", "kind"))
    tl = Timeline(first, end_date + datetime.timedelta(days=400), tz, entered, special)
    now = tl.sec_of(end)
    start_day = tl.day(start_date)
    spans = [(s.hour * 3600 + s.minute * 60, e.hour * 3600 + e.minute * 60) for s, e in opening_hours()]
    setup_moment = tl.aware(tl.day(first) * 86400 + 9 * 3600)
    rng_org = random.Random(f"{opts.seed}:org")

    with phases("units and staff"):
        password_hash = make_password(BENCH_PASSWORD)
        city_unit, county_units, units, staff = build_org(scale, rng_org, setup_moment, password_hash)
    admins: dict[int, list] = collections.defaultdict(list)
    heads: dict[int, list] = collections.defaultdict(list)
    by_unit: dict[int, list] = collections.defaultdict(list)
    people: dict[int, Person] = {}
    unit_index: dict[int, tuple[int, int, int]] = {}
    counties_order = {u.pk: i for i, u in enumerate(county_units)}
    station_order: dict[int, int] = {}
    for u in sorted(units.values(), key=lambda u: u.code):
        if u.kind in (UnitKind.STATION, UnitKind.BRIGADE):
            station_order[u.pk] = int(u.code[-3:])
    for u in units.values():
        c_i = counties_order.get(u.county_id if u.kind != UnitKind.COUNTY else u.pk, 0) + 1
        s_i = station_order.get(u.station_id if u.kind == UnitKind.WINDOW else u.pk, 0)
        w_i = int(u.code.rsplit("W", 1)[1]) if u.kind == UnitKind.WINDOW else 0
        unit_index[u.pk] = (c_i if u.kind != UnitKind.CITY else 0, s_i, w_i)
    pc_counter = collections.Counter()
    for s in staff:
        c_i, s_i, w_i = unit_index[s.unit_id]
        pc_counter[s.unit_id] += 1
        address = f"10.{c_i}.{s_i}.{10 + w_i * 5 + pc_counter[s.unit_id]}"
        temper = rng_org.choices(("good", "usual", "poor"), weights=(30, 65, 5))[0]
        person = Person(s.pk, s.full_name, s.police_number, s.unit_id, address, temper=temper)
        person.officer_json = json.dumps({"name": s.full_name, "police_number": s.police_number}, ensure_ascii=False,
                                         separators=(",", ":"))
        people[s.pk] = person
        by_unit[s.unit_id].append((s, person))
        if s.role == Role.COUNTY_ADMIN:
            admins[s.unit_id].append(person)
        elif s.role == Role.STATION_HEAD:
            heads[s.unit_id].append(person)

    with phases("guides"):
        effective = start_date - datetime.timedelta(days=40)
        build_guides(county_units, {c.pk: next(s for s, _p in by_unit[c.pk] if s.role == Role.COUNTY_ADMIN)
                                    for c in county_units}, effective)

    counties = []
    with translation.override("zh-hans"):
        from catalog.models import GuideVersion

        for county in county_units:
            version = (GuideVersion.objects.filter(guide__county=county, status="published")
                       .select_related("guide").get())
            items = []
            for item in version.items.prefetch_related("materials").order_by("position", "code"):
                mats = [Mat(m.pk, m.condition, m.position, jstr(m.describe),
                            json.dumps(material_entry(m), ensure_ascii=False, separators=(",", ":")))
                        for m in sorted(item.materials.all(), key=lambda m: (m.position, m.pk))]
                conditions = list(dict.fromkeys(m.condition for m in mats if m.condition))
                snapshot_item = {
                    "code": item.code, "name": item.name, "legal_basis": item.legal_basis,
                    "time_limit": item_time_limit_text(item), "fee": item_fee_text(item), "place": item.place,
                    "hours": item.hours, "enquiry_phone": item.enquiry_phone, "complaint_phone": item.complaint_phone}
                small_item = {k: snapshot_item[k] for k in ("code", "name", "time_limit", "fee")}
                items.append(ItemInfo(item.pk, item.code, item.legal_basis, item.is_on_the_spot,
                                      item.promised_days or 0, mats, conditions,
                                      json.dumps(snapshot_item, ensure_ascii=False, separators=(",", ":")),
                                      json.dumps(small_item, ensure_ascii=False, separators=(",", ":"))))
            guide = version.guide
            counties.append(CountyInfo(
                county.pk, city_unit.pk, county.code, version.pk, version.number, items,
                list(itertools.accumulate(ITEM_WEIGHTS.get(i.code, 1) for i in items)), guide.notice_title,
                jstr(guide.notice_intro), jstr(guide.notice_footer), admins[county.pk]))
    county_of = {c.id: c for c in counties}

    rng_city = random.Random(f"{opts.seed}:windows")
    windows = []
    scopes = {}
    for u in units.values():
        ids = u.scope_ids()
        scopes[u.pk] = (ids["city_id"], ids["county_id"] or NULL, ids["station_id"] or NULL)
    for u in sorted((u for u in units.values() if u.kind == UnitKind.WINDOW), key=lambda u: u.code):
        station = units[u.code.rsplit("W", 1)[0]]
        county = county_of[u.county_id]
        members = by_unit[u.pk]
        deciders = [p for s, p in members if s.role == Role.WINDOW_OFFICER and s.law_enforcement_qualified
                    and s.duty_status == DutyStatus.ON_DUTY]
        recorders = [p for s, p in members if s.role == Role.WINDOW_STAFF]
        c_i, s_i, w_i = unit_index[u.pk]
        issuer = f"{city_unit.name}{county_units[c_i - 1].name}{station.name}"
        windows.append(WindowInfo(
            u.pk, len(windows), jstr(u.name), station.pk, county, city_unit.pk, station.code, station.doc_prefix,
            jstr(issuer), deciders, recorders, heads[station.pk], [], f"10.{c_i}.{s_i}.{100 + w_i}",
            rng_city.lognormvariate(0, 0.45)))
    for w in windows:
        w.station_deciders = [p for x in windows if x.station_id == w.station_id for p in x.deciders]

    logins = []
    for s in staff:
        person = people[s.pk]
        if s.duty_status != DutyStatus.ON_DUTY:
            continue
        chance, twice = {Role.WINDOW_OFFICER: (0.9, True), Role.WINDOW_STAFF: (0.85, True),
                         Role.STATION_HEAD: (0.85, False), Role.COUNTY_ADMIN: (0.7, False),
                         Role.CITY_ADMIN: (0.5, False), Role.CITY_INSPECTOR: (0.4, False)}[s.role]
        logins.append((person, chance, twice))
    workdays_in_year = sum(1 for d in range(start_day, now // 86400 + 1) if tl.workday[d])
    expected_logins = sum(ch * (1.8 if tw else 1) for _p, ch, tw in logins) * workdays_in_year
    # Sign-ins take at most a fifth of the audit events (a small city has few cases per person).
    thin = min(1.0, LOGIN_SHARE * audit_events / max(1.0, expected_logins))
    logins = [(person, chance * thin, twice) for person, chance, twice in logins]
    expected_logins = int(expected_logins * thin)

    rate_path = reverse("rate:case", args=["TOKEN"])
    # evaluations.services.document_rating_fields
    hint = (f"请您对本次服务作出评价：可在窗口评价器上评价，"
            f"也可在{settings.RATING_LINK_DAYS}日内扫描二维码或访问下方链接评价。")
    city = City(
        tl=tl, now=now, start_day=start_day, counties=counties, windows=windows, logins=logins,
        rating_url=settings.PUBLIC_BASE_URL.rstrip("/") + rate_path,
        rating_hint_field=(f'"rating_hint":{jstr(hint)},' if opts.snapshot == "full" else ""),
        default_level=settings.RATING_DEFAULT_LEVEL, link_days=settings.RATING_LINK_DAYS,
        follow_up_days=settings.FOLLOW_UP_WORKING_DAYS, spans=spans, remedies_json=jstr(REMEDIES), scopes=scopes,
        full_snapshots=opts.snapshot == "full")

    with phases("devices"):
        build_devices(city, random.Random(f"{opts.seed}:devices"), heads, {u.pk: u for u in units.values()})

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
            city.next_ids[table] = cursor.fetchone()[0]

    rng = FastRandom(f"{opts.seed}:year")
    allocation = allocate_cases(tl, start_day, now, cases, rng, spans)
    stream = Stream(city, rng, cases, max(0, audit_events - expected_logins))
    written = {}
    dropped = plain_indexes(TABLES) if opts.build_indexes_after else []
    if dropped:
        indexes_drop(dropped)
        log(f"   {len(dropped)} plain indexes of the bulk tables dropped; built again after the load")
    try:
        with phases("bulk load (COPY)"):
            written, timings, server_cpu, skip_fk = _bulk(opts, city, stream, allocation, tl, first, now, log)
    except BaseException:
        if dropped:
            indexes_create(dropped, TABLES)
        raise
    if dropped:
        with phases("indexes built"):
            indexes_create(dropped, TABLES)
    if skip_fk:
        with phases("foreign keys checked"):
            broken = foreign_keys_validate(TABLES)
            if broken:
                raise RuntimeError(f"rows that break foreign keys: {broken}")

    with phases("sequences and serial numbers"):
        from django.apps import apps

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                cursor.execute(sql)
        serials = [Serial(key=f"case:{station}:{year}", last=last)
                   for (station, year), last in sorted(stream.case_serials.items())]
        serials += [Serial(key=f"doc:{station}:{kind}:{year}", last=last)
                    for (station, kind, year), last in sorted(stream.doc_serials.items())]
        Serial.objects.bulk_create(serials, update_conflicts=True, unique_fields=["key"], update_fields=["last"])

    # VACUUM as well: autovacuum would have set the visibility map (index-only scans) and the hint bits of a
    # database a year old; without it the first benchmark pays for them. It cannot run inside a transaction.
    vacuum = opts.vacuum and not connection.in_atomic_block
    with phases("vacuum and analyze" if vacuum else "analyze"), connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")

    post_load(Loaded(start_date, end_date, end), phases)

    accounts = benchmark_accounts(windows, counties, heads)
    return {"phases": phases.times, "accounts": accounts, "written": dict(written), "end": end,
            "cases": cases, "start": start_date, "copy_timings": timings, "server_cpu": server_cpu,
            "generator_cpu": stream.cpu_seconds}


def post_load(loaded: Loaded, phases: Phases) -> None:
    for name, step in POST_LOAD_STEPS:
        with phases(name):
            result = step(loaded)
        if isinstance(result, int):
            phases.log(f"   {name}: {result:,} rows")


def post_load_only(opts: Options) -> dict:
    """Run the POST_LOAD_STEPS on a database generated before (the period read from its cases)."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from core import clock
    from counter.models import Case

    phases = Phases(opts.log)
    span = Case.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        raise SystemExit("the database has no cases: generate the year first")
    end = opts.end or clock.now()
    loaded = Loaded(timezone.localtime(span["first"]).date(), timezone.localtime(span["last"]).date(), end)
    post_load(loaded, phases)
    return {"phases": phases.times}


def benchmark_accounts(windows, counties, heads) -> dict[str, str]:
    """The accounts benchmarks sign in as: a city inspector, a county user, a station head, a window officer."""
    from org.models import Staff

    w = max(windows[: max(1, len(windows) // 4)], key=lambda w: w.weight)  # a busy window of the first county
    return {
        "city_inspector": "inspector1",
        "county_admin": Staff.objects.get(pk=w.county.admins[0].id).username,
        "station_head": Staff.objects.get(pk=heads[w.station_id][0].id).username,
        "window_officer": Staff.objects.get(pk=w.deciders[0].id).username,
    }


def table_counts() -> list[tuple[str, int]]:
    from django.apps import apps
    from django.db import connection

    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                     if m._meta.app_label in ("org", "catalog", "counter", "evaluations", "core", "workdays", "api")})
    out = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            out.append((table, cursor.fetchone()[0]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Fill an empty PostgreSQL database with a city's year of window work.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="city")
    parser.add_argument("--cases", type=int, help="cases in the year (default: the scale's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--end", help="the moment the year ends, e.g. 2026-12-03T18:00 (default: now)")
    parser.add_argument("--audit-events", type=int, help="about this many audit events (default: one per case)")
    parser.add_argument("--fk-triggers", action="store_true",
                        help="check foreign keys row by row while loading (slower) instead of once afterwards")
    parser.add_argument("--snapshot", choices=("small", "full"), default="small",
                        help="documents' snapshots: small (default) or full, as counter.documents writes them")
    parser.add_argument("--post-load-only", action="store_true",
                        help="only run the POST_LOAD_STEPS (summaries) on a database generated before")
    parser.add_argument("--analyze-only", action="store_true", help="end with ANALYZE instead of VACUUM (ANALYZE)")
    parser.add_argument("--keep-indexes", action="store_true",
                        help="keep every index in place during the load (slower) instead of building some after it")
    args = parser.parse_args()

    from bench_env import bench_environment

    bench_environment()
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    end = None
    if args.end:
        end = datetime.datetime.fromisoformat(args.end)
        if timezone.is_naive(end):
            end = timezone.make_aware(end)
    started = time.monotonic()
    if args.post_load_only:
        for name, took in post_load_only(Options(end=end))["phases"]:
            print(f"  {name:<48} {took:8.1f} s")
        return
    result = generate(Options(scale=args.scale, cases=args.cases, seed=args.seed, end=end,
                              audit_events=args.audit_events, fast_foreign_keys=not args.fk_triggers,
                              build_indexes_after=not args.keep_indexes, snapshot=args.snapshot,
                              vacuum=not args.analyze_only))
    total = time.monotonic() - started
    print(f"\nThe year {result['start']} .. {result['end']:%Y-%m-%d %H:%M}, {result['cases']:,} cases, "
          f"seed {args.seed}.")
    print("Phase times:")
    for name, took in result["phases"]:
        print(f"  {name:<32} {took:8.1f} s")
    print(f"  {'total':<32} {total:8.1f} s")
    print("Rows:")
    for table, n in table_counts():
        if n:
            print(f"  {table:<42} {n:>12,}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"Database size: {cursor.fetchone()[0]}")
    print(f"Benchmark accounts (password {BENCH_PASSWORD}):")
    for role, username in result["accounts"].items():
        print(f"  {role:<16} {username}")


if __name__ == "__main__":
    main()
