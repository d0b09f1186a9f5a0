"""The shapes of what the API takes and gives, as pydantic models: the OpenAPI document is generated from them.

Input types are strict (a JSON `true` is not a level, `"1"` is not an invite id); the checks a type
cannot express (a reason for a bad level, an expired pairing code) are the services'. Descriptions
are Chinese, identifiers English.
"""

import datetime
import re
from typing import Annotated, Literal

from django.utils.dateparse import parse_date, parse_datetime
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr, WithJsonSchema

from core.bounds import FIRST_YEAR, LAST_YEAR, offset_in_range
from counter.states import Stage
from evaluations.models import Channel, Level, Reason
from evaluations.services import text_unstorable

LevelValue = Annotated[StrictInt, Field(ge=1, le=5,
                                        description="5 非常满意，4 满意，3 基本满意，2 不满意，1 非常不满意")]
StageValue = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
ReasonCode = Literal[tuple(Reason.values)]  # type: ignore[valid-type]
ChannelValue = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
LevelLabel = Literal[tuple(str(label) for label in Level.labels)]  # type: ignore[valid-type]

MAX_ID = 10**18

# Times go out as the ISO 8601 text the devices and uploaders in the field already read.
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


def iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _ascii_digits(value: object) -> object:
    """Query parameters are text: only ASCII digits make a number (not "１", "1.5", "-1" or 10**19)."""
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise ValueError("not a whole number")
        return int(value)
    return value


QueryInt = Annotated[int, BeforeValidator(_ascii_digits)]

# No rating is older or newer than these (core.bounds); anything else is a typo (and Beijing had other offsets
# before 1901). An offset no place uses (-17:00) is one too, and PostgreSQL refuses it.
# "+08:00" arrives as " 08:00" when a caller forgets to encode the plus sign.
_LOST_PLUS = re.compile(r"(T?\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_moment(value: object) -> object:
    """An ISO 8601 time, or a date meaning its midnight; a time without an offset is Beijing time."""
    if not isinstance(value, str):
        return value
    raw = _LOST_PLUS.sub(r"\1+\2", value.strip())
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError("不是有效的时间，请使用 ISO 8601 格式，例如 2026-11-27T08:00:00+08:00。")
    return moment_in_range(moment)


def moment_in_range(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Refuse a time outside FIRST_YEAR..LAST_YEAR or with an offset no place uses."""
    if moment is None:
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"应在{FIRST_YEAR}年到{LAST_YEAR}年之间。")
    if not offset_in_range(moment):
        raise ValueError("的时区偏移应在-12:00到+14:00之间，例如 +08:00（北京时间）。")
    return moment


Moment = Annotated[datetime.datetime, BeforeValidator(parse_moment)]


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


def _storable(value: str) -> str:
    """JSON can carry half of a UTF-16 pair ("\\ud800"), which no database can store: refuse it, naming the field."""
    if text_unstorable(value):
        raise ValueError("中有无法保存的字符（如不成对的代理字符 \\ud800），请删除后重新提交。")
    return value


# Text a device sends: a JSON string that can be stored (issue 7: a lone surrogate answered 500).
Text = Annotated[StrictStr, AfterValidator(_storable)]


# --- shared ------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(description="稳定的英文错误代码，供程序判断，例如 invalid_key。", examples=["bad_parameter"])
    message: str = Field(description="给人看的中文说明。", examples=["until 必须晚于 since。"])
    field: str | None = Field(description="出错的参数名；与具体参数无关时为 null。", examples=["until"])


class Error(Schema):
    """所有接口出错时的统一格式。"""

    error: ErrorDetail


# --- evaluator devices ---------------------------------------------------------------------------


class WindowOut(Schema):
    id: int
    name: str = Field(examples=["东街派出所1号窗口"])
    station: str = Field(examples=["东街派出所"])


class OfficerOut(Schema):
    name: str = Field(description="姓名。")
    police_number: str = Field(description="警号/工号，可能为空字符串。")


class DeviceOut(Schema):
    id: int
    name: str


class PairIn(Schema):
    code: Text = Field(max_length=50, description="所长生成的8位配对码；空格、短横线和大小写不论。",
                            examples=["K7PX-M2QD"])
    name: Text = Field("", max_length=200, description="设备名称，最多50个字（多余的截去）。",
                            examples=["1号窗口评价器"])


class PairOut(Schema):
    token: str = Field(description="设备令牌，只在这里返回一次；保存在设备上，"
                                   "此后以 Authorization: Device <令牌> 调用。")
    device: DeviceOut
    window: WindowOut


class HeartbeatOut(Schema):
    ok: Literal[True]
    server_time: IsoTime


class MeOut(Schema):
    device: DeviceOut
    window: WindowOut
    officer: OfficerOut | None = Field(
        description="当班民警：本窗口今天最近一次作出需评价决定的民警，否则本窗口在岗民警。")
    complaint_phone: str = Field(description="监督投诉电话：本县现行办事指南中的，否则派出所（县局）电话。",
                                 examples=["0591-87000000"])
    server_time: IsoTime = Field(description="服务器的当前时间，带服务器时区（TIME_ZONE）的偏移；评价器的时钟按它显示，"
                                             "不按平板自己的时区和时间。", examples=["2026-11-27T09:00:30+08:00"])
    wait_seconds: float = Field(description="GET /api/devices/next 最长等待的秒数。")


class InviteOut(Schema):
    id: int = Field(description="下次等待时作为 after 传回；评价时作为 invite_id。")
    case_number: str = Field(examples=["350102001-2026-000123"])
    item: str = Field(examples=["死亡注销"])
    stage: StageValue
    stage_label: str = Field(examples=["办结"])
    officer: OfficerOut | None
    created_at: IsoTime


class NextOut(Schema):
    invite: InviteOut


class RatingIn(Schema):
    invite_id: StrictInt = Field(ge=1, le=MAX_ID,
                                 description="评价邀请编号（GET /api/devices/next 返回的 invite.id）。")
    level: LevelValue
    efficiency: LevelValue | None = Field(None, description="服务效率；不填同 level。")
    quality: LevelValue | None = Field(None, description="服务水平；不填同 level。")
    attitude: LevelValue | None = Field(None, description="服务态度；不填同 level。")
    reasons: list[ReasonCode] | None = Field(
        None, max_length=len(Reason.values),
        description="差评原因代码：" + "；".join(f"{v} {label}" for v, label in Reason.choices)
                    + "。“不满意”“非常不满意”时至少一项。")
    other_reason: Text | None = Field(None, max_length=200, description="选择 other 时写明的具体情况。")
    comment: Text | None = Field(None, max_length=500, description="意见建议。")
    idempotency_key: StrictStr = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$",
                                       description="设备为每条评价生成一次（如 UUID）；重发时不变，服务器只保存一次。")
    rated_at: Annotated[datetime.datetime | None, BeforeValidator(_blank_is_none),
                        AfterValidator(moment_in_range)] = Field(
        None, description="申请人按下“提交”的时间（离线后补发时保留）；早于邀请时间按邀请时间，晚于现在按现在。")


class DeviceRatingOut(Schema):
    id: int
    invite_id: int
    case_number: str
    stage: StageValue
    level: LevelValue
    efficiency: LevelValue
    quality: LevelValue
    attitude: LevelValue
    reasons: list[ReasonCode]
    other_reason: str
    comment: str
    rated_at: IsoTime
    received_at: IsoTime
    idempotency_key: str
    follow_up: bool = Field(description="差评：已建立回访整改任务。")


class DeviceRatingEnvelope(Schema):
    rating: DeviceRatingOut


# --- integrations ----------------------------------------------------------------------------------


class UnitOut(Schema):
    """单位（县局、派出所或窗口）。"""

    code: str = Field(description="单位代码。")
    name: str = Field(description="单位名称。")


class ReasonItem(Schema):
    """一项差评原因。"""

    code: str = Field(description="原因代码。")
    label: str = Field(description="原因的中文名称。")


class Rating(Schema):
    """一条评价：每个办件的每个评价环节最多一条，提交后不可修改（R7）。字段可直接映射到省级“好差评”系统的上报格式。"""

    case_number: str = Field(description="办件编号（上报格式的 projectNo）。")
    item_code: str = Field(description="事项编码（taskCode）。")
    item_name: str = Field(description="事项名称（taskName）。")
    stage: StageValue = Field(description="评价环节：notice 一次性告知，refusal 不予受理，completion 办结。")
    stage_label: str = Field(description="评价环节的中文名称。")
    level: LevelValue = Field(description="总体评价（satisfaction）：5 非常满意 … 1 非常不满意。")
    level_label: LevelLabel = Field(description="总体评价的中文名称。")
    efficiency: LevelValue = Field(description="服务效率，1-5。")
    quality: LevelValue = Field(description="服务水平，1-5。")
    attitude: LevelValue = Field(description="服务态度，1-5。")
    reasons: list[ReasonItem] = Field(description="差评原因（evalDetail）；不满意、非常不满意时至少一项。")
    other_reason: str = Field(description="选择“其他”原因时填写的具体情况。")
    comment: str = Field(description="意见建议（writingEvaluation）。")
    channel: ChannelValue = Field(description="评价渠道：device 窗口评价器，qr 扫码评价，default 超期默认评价。")
    channel_label: str = Field(description="评价渠道的中文名称。")
    pf: Literal[3, 4, 7] = Field(description="上报格式的渠道代码 pf：4 大厅评价器，3 二维码，7 系统默认。")
    rated_at: IsoTime = Field(description="评价时间（assessTime），北京时间。")
    received_at: IsoTime = Field(description="服务器收到评价的时间；按时间查询和分页都以它为准。")
    is_default: bool = Field(description="是否为超期未评价而由系统记录的默认评价。")
    excluded: bool = Field(description="是否经申诉复核被剔除（不计入统计，评价本身保留）。")
    excluded_reason: str = Field(description="剔除理由（县局复核意见）；未剔除时为空字符串。")
    county: UnitOut
    station: UnitOut
    window: UnitOut
    officer: OfficerOut = Field(description="经办民警（proManager）。")
    assess_number: Literal[1] = Field(description="评价次数（assessNumber）：1 首次评价；每环节只接受一次评价。")


class RatingPage(Schema):
    """一页评价，按 received_at（再按内部顺序）升序排列。"""

    count: int = Field(description="符合条件的评价总数。")
    page: int = Field(description="当前页码，从 1 开始。")
    pages: int = Field(description="总页数（至少为 1）。")
    page_size: int = Field(description="每页条数。")
    since: IsoTime | None = Field(None, description="按时间查询时：起始时间（含）。")
    until: IsoTime | None = Field(None, description="按时间查询时：截止时间（不含）。")
    next: str | None = Field(description="下一页的地址；没有下一页时为 null。")
    previous: str | None = Field(description="上一页的地址；没有上一页时为 null。")
    results: list[Rating]


class RatingQuery(Schema):
    case: str | None = Field(None, min_length=1, max_length=40, description="办件编号。与 since/until 不能同时使用。",
                             examples=["350102001-2026-000123"])
    since: Moment | None = Field(None,
                                 description="起始时间（含），ISO 8601；不带时区的按北京时间；只写日期表示当天 0 点。",
                                 examples=["2026-11-27T00:00:00+08:00"])
    until: Moment | None = Field(None, description="截止时间（不含），格式同 since；默认为现在。",
                                 examples=["2026-11-28T00:00:00+08:00"])
    page: QueryInt = Field(1, ge=1, le=MAX_ID, description="页码，从 1 开始。")
    page_size: QueryInt = Field(100, ge=1, le=500, description="每页条数，1 到 500。")
