"""The demo guide: a realistic service guide for demos and tests, from the domain facts (section 2).

Codes follow the hierarchical style of public item lists (户籍管理 122000000 > 注销登记 122003000 >
死亡注销 122003001); the codes here are illustrative. Time limits and fees are national where the
law fixes them and local examples otherwise. Phone numbers are fictional.
"""

import datetime

from django.utils import timezone

from catalog.models import GuideVersion, ItemCategory, MaterialForm, TimeLimitKind
from catalog.selectors import guide_of, version_latest_published
from catalog.services import guide_import
from core import clock
from org.models import Staff, Unit

HOURS = "周一至周五 8:30-12:00 14:30-17:30（法定节假日除外）"
ENQUIRY_PHONE = "0591-80000110"
COMPLAINT_PHONE = "0591-80000119"
# "{county}" is replaced by the county's name when the guide is loaded.
PLACE_STATION = "{county}辖区户口所在地派出所户籍窗口"
PLACE_ANY_STATION = "{county}辖区任一派出所户籍窗口"

SPEC_12 = "《户口居民身份证管理工作规范（试行）》（公通字〔2021〕12号）"
HUKOU_ACT = "《中华人民共和国户口登记条例》"
ID_ACT = "《中华人民共和国居民身份证法》"
ID_FEE_BASIS = "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）"
ID_FEE_WAIVER = (
    "城市中领取最低生活保障金的居民、农村中有特殊生活困难的居民，初次申领和换领时免收工本费；"
    "其他生活确有困难的居民可以减收（《中华人民共和国居民身份证法》第二十条）"
)

ORIG, COPY, BOTH = MaterialForm.ORIGINAL, MaterialForm.COPY, MaterialForm.ORIGINAL_AND_COPY


def _m(name: str, form: str = ORIG, copies: int = 1, notes: str = "", condition: str = "") -> dict:
    return {"name": name, "form": form, "copies": copies, "notes": notes, "condition": condition}


def _spot(note: str = "") -> dict:
    return {"time_limit_kind": TimeLimitKind.ON_THE_SPOT, "promised_days": None, "statutory_days": None,
            "time_limit_note": note}


def _days(promised: int, statutory: int | None = None, note: str = "") -> dict:
    return {"time_limit_kind": TimeLimitKind.WORKING_DAYS, "promised_days": promised, "statutory_days": statutory,
            "time_limit_note": note}


def _free(basis: str = "") -> dict:
    return {"fee_amount": "0", "fee_basis": basis, "fee_waiver": ""}


DEMO_ITEMS: list[dict] = [
    {
        "code": "122001001", "name": "出生登记", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第七条；{SPEC_12}第二十条",
        "conditions_text": "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
        "procedure": "申请人提交材料 → 窗口民警审核 → 材料齐全符合条件的当场登记并签发户口簿内页。",
        **_spot("出生六周岁以内申报的当场办结；超过六周岁申报需调查核实的，20个工作日内办结"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("《出生医学证明》", ORIG),
            _m("随其登记的父亲或母亲的居民户口簿", ORIG),
            _m("父母双方的居民身份证", ORIG),
            _m("父母的结婚证", ORIG, condition="父母已婚"),
            _m("非婚生育情况说明", ORIG, notes="由随其登记的父亲或母亲签名", condition="非婚生育"),
            _m("亲子鉴定证明", ORIG, notes="由具有资质的司法鉴定机构出具", condition="非婚生育随父登记"),
        ],
    },
    {
        "code": "122001002", "name": "立户分户", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第五条、第十九条；{SPEC_12}第十四条至第十七条",
        "conditions_text": "有合法固定住所且符合立户、分户条件的；未成年人不得单独立户，不得以虚假婚姻等方式分户。",
        "procedure": "申请人提交材料 → 窗口民警审核 → 符合条件的当场办理；需调查核实的按承诺时限办结。",
        **_spot("需调查核实的，5个工作日内办结"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("立户（分户）申请书", ORIG),
            _m("居民户口簿", ORIG),
            _m("申请人居民身份证", ORIG),
            _m("不动产权证书或房屋所有权证", BOTH, condition="自有住房立户"),
            _m("经备案的房屋租赁合同", BOTH, condition="租赁住房立户"),
            _m("人民法院判决书、调解书或裁定书", BOTH, condition="依法院裁判分户"),
            _m("结婚证或离婚证", BOTH, condition="因婚姻关系变化分户"),
        ],
    },
    {
        "code": "122002001", "name": "准迁证签发", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第十条；{SPEC_12}第四十条至第四十三条",
        "conditions_text": "符合迁入地户口迁移政策的；跨省迁移由迁入地公安机关签发《准予迁入证明》。",
        "procedure": "申请人提交材料 → 窗口受理 → 审核 → 签发《准予迁入证明》。",
        **_days(5, 10, "县内迁移材料齐全的当场签发；跨县（市、区）迁移5个工作日"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("户口迁移申请表", ORIG),
            _m("申请人居民身份证", ORIG),
            _m("申请人居民户口簿", ORIG),
            _m("结婚证", BOTH, condition="夫妻投靠"),
            _m("不动产权证书", BOTH, condition="购房迁入"),
            _m("劳动合同及社会保险缴纳证明", BOTH, condition="就业迁入"),
            _m("录取通知书", BOTH, condition="升学迁入"),
            _m("迁入地户主同意入户的书面意见及户口簿", ORIG, condition="投靠亲属"),
        ],
    },
    {
        "code": "122002002", "name": "迁出登记", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第十条；{SPEC_12}第四十三条、第四十七条",
        "conditions_text": "公民迁出本户口管辖区，应当在迁出前申报迁出登记；已实行跨省通办的可在迁入地一站式办理。",
        "procedure": "申请人提交材料 → 窗口民警核对 → 当场注销原户口并签发《户口迁移证》。",
        **_spot("《户口迁移证》有效期不超过30日"),
        **_free("《户口迁移证》工本费已于2013年取消"),
        "place": PLACE_STATION,
        "materials": [
            _m("居民户口簿", ORIG),
            _m("迁出人居民身份证", ORIG),
            _m("《准予迁入证明》", ORIG, notes="已纳入跨省通办的，由迁入地在线推送，无需提交纸质证明",
               condition="跨省迁移"),
        ],
    },
    {
        "code": "122002003", "name": "迁入登记", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第十三条；{SPEC_12}第四十三条",
        "conditions_text": "公民迁移，到达迁入地后，城市在3日内、农村在10日内申报迁入登记。",
        "procedure": "申请人提交材料 → 窗口民警核对 → 当场办理落户并签发户口簿内页。",
        **_spot("户口迁移已实行跨省通办"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("《户口迁移证》", ORIG, condition="跨省迁移"),
            _m("《准予迁入证明》", ORIG, condition="跨省迁移"),
            _m("迁入地居民户口簿", ORIG),
            _m("迁入人居民身份证", ORIG, notes="未满16周岁的免交"),
        ],
    },
    {
        "code": "122003001", "name": "死亡注销", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第八条；{SPEC_12}第三十一条、第三十四条",
        "conditions_text": (
            "公民死亡，城市在葬前、农村在一个月以内，由户主"
            "、亲属、抚养人或者邻居申报死亡登记，注销户口。"
        ),
        "procedure": "申报人提交材料 → 窗口民警核对 → 当场注销户口、收回居民身份证。",
        **_spot(),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("死者居民户口簿", ORIG),
            _m("死者居民身份证", ORIG, notes="无法交回的应书面说明原因"),
            _m("《居民死亡医学证明（推断）书》", ORIG, condition="正常死亡"),
            _m("公安机关出具的死亡证明", ORIG, condition="非正常死亡"),
            _m("人民法院宣告死亡的判决书", BOTH, condition="宣告死亡"),
            _m("申报人居民身份证", ORIG),
        ],
    },
    {
        "code": "122004001", "name": "变更姓名", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第十八条；{SPEC_12}第四十八条至第五十三条",
        "conditions_text": "未满18周岁的，由本人或者父母、收养人申请；18周岁以上的，由本人申请。",
        "procedure": "申请人提交材料 → 派出所受理审核 → 县级公安机关审批 → 办理变更并换发证件。",
        **_days(20, 30, "未满18周岁的3个工作日内办结"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("《户口登记项目变更更正审批表》", ORIG),
            _m("居民户口簿", ORIG),
            _m("申请人居民身份证", ORIG),
            _m("所在学校或工作单位同意变更的证明", ORIG, condition="在校学生或在职人员"),
            _m("父母双方共同申请书", ORIG, notes="8周岁以上的未成年人还需本人同意", condition="申请人未满18周岁"),
        ],
    },
    {
        "code": "122004002", "name": "更正出生日期", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第十七条；{SPEC_12}第九条",
        "conditions_text": "户口登记的出生日期确有错误的，由本人申请，县级公安机关审核、地市级公安机关审批。",
        "procedure": "申请人提交材料 → 派出所受理调查 → 县级公安机关审核 → 市级公安机关审批 → 更正。",
        **_days(52, None, "含县级审核、市级审批时间；需人像及指纹比对核验"),
        **_free(),
        "place": "{county}辖区户口所在地派出所户籍窗口（县局审核、市局审批）",
        "materials": [
            _m("《户口登记项目变更更正审批表》", ORIG),
            _m("《出生医学证明》或首次户口登记原始底卡", BOTH),
            _m("居民户口簿", ORIG),
            _m("申请人居民身份证", ORIG),
        ],
    },
    {
        "code": "122004003", "name": "民族成份变更", "category": ItemCategory.HUKOU,
        "legal_basis": "《中国公民民族成份登记管理办法》第七条至第九条",
        "conditions_text": (
            "未满18周岁的，父母婚姻关系变化或被收养时可变更一次"
            "；年满18周岁后2年内可依父母一方民族成份变更一次。"
        ),
        "procedure": "先经民族事务部门审批 → 派出所受理 → 公安机关办理变更。",
        **_days(15, None, "民族事务部门审批时间另计"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("民族事务部门出具的同意变更民族成份的审批意见", ORIG),
            _m("居民户口簿", ORIG),
            _m("申请人居民身份证", ORIG),
            _m("父母居民户口簿及居民身份证", BOTH),
            _m("收养登记证", BOTH, condition="被收养"),
        ],
    },
    {
        "code": "122004004", "name": "户口登记项目更正", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第十七条；{SPEC_12}第五十七条",
        "conditions_text": "户口登记项目明显错误的，当场更正；不予更正的，书面告知理由。",
        "procedure": "申请人提交材料 → 窗口民警核对原始档案 → 明显错误当场更正。",
        **_spot("需调查核实的，10个工作日内书面答复"),
        **_free(),
        "place": PLACE_STATION,
        "materials": [
            _m("《户口登记项目变更更正审批表》", ORIG),
            _m("居民户口簿", ORIG),
            _m("申请人居民身份证", ORIG),
            _m("能证明正确信息的原始凭证", BOTH),
        ],
    },
    {
        "code": "122005001", "name": "户口簿补发换发", "category": ItemCategory.HUKOU,
        "legal_basis": f"{HUKOU_ACT}第四条；{SPEC_12}第九十六条",
        "conditions_text": "居民户口簿遗失、损坏或者记满的，由户主或户内成员申请。",
        "procedure": "申请人提交材料 → 窗口民警核对 → 当场补发或换发。",
        **_spot(),
        **_free("收费标准以本省价格主管部门核定为准；本示例按不收费录入"),
        "place": PLACE_STATION,
        "materials": [
            _m("户口簿补发（换发）申请书", ORIG),
            _m("申请人居民身份证", ORIG),
            _m("户主同意补发（换发）的书面意见", ORIG, condition="申请人不是户主"),
            _m("原居民户口簿", ORIG, condition="换发"),
        ],
    },
    {
        "code": "122006001", "name": "户籍证明", "category": ItemCategory.CERTIFICATE,
        "legal_basis": "《公安部关于规范派出所出具证明工作的意见》（公通字〔2016〕21号）",
        "conditions_text": "居民身份证、户口簿能够证明的事项不再出具证明；户籍类证明已实行跨省通办。",
        "procedure": "申请人提交材料 → 窗口民警查询核实 → 当场出具。",
        **_spot("需调查核实的，3个工作日内出具或书面告知不予出具的理由"),
        **_free(),
        "place": PLACE_ANY_STATION,
        "materials": [
            _m("申请人居民身份证", ORIG),
            _m("授权委托书", ORIG, condition="委托他人代办"),
            _m("受托人居民身份证", ORIG, condition="委托他人代办"),
        ],
    },
    {
        "code": "123001001", "name": "居民身份证首次申领", "category": ItemCategory.ID_CARD,
        "legal_basis": f"{ID_ACT}第七条、第十二条；{SPEC_12}第七十四条、第七十八条、第八十条",
        "conditions_text": "公民应当自年满16周岁之日起3个月内申请领取居民身份证；未满16周岁的可以依照规定申请领取。",
        "procedure": "申请人到窗口 → 现场采集人像和指纹 → 填写申领登记表 → 受理 → 制证 → 领取。",
        **_days(20, None, "法律规定60日内发放，12号规范要求45日内；本地承诺20个工作日"),
        "fee_amount": "20", "fee_basis": ID_FEE_BASIS, "fee_waiver": ID_FEE_WAIVER,
        "place": PLACE_STATION,
        "materials": [
            _m("居民户口簿", ORIG),
            _m("《居民身份证申领登记表》", ORIG, notes="窗口现场填写"),
            _m("监护人居民身份证", ORIG, condition="申请人未满16周岁"),
        ],
    },
    {
        "code": "123001002", "name": "居民身份证换领", "category": ItemCategory.ID_CARD,
        "legal_basis": f"{ID_ACT}第五条、第十一条；{SPEC_12}第七十六条",
        "conditions_text": "居民身份证有效期满前3个月内、姓名变更或者证件严重损坏不能辨认的，应当换领新证。",
        "procedure": "申请人到窗口 → 现场采集人像和指纹 → 受理 → 制证 → 交回旧证领取新证。",
        **_days(20, None, "12号规范要求45日内发放"),
        "fee_amount": "20", "fee_basis": f"{ID_FEE_BASIS}：换领20元，因损坏换领40元",
        "fee_waiver": ID_FEE_WAIVER,
        "place": PLACE_ANY_STATION,
        "materials": [
            _m("原居民身份证", ORIG),
            _m("居民户口簿", ORIG),
            _m("监护人居民身份证", ORIG, condition="申请人未满16周岁"),
        ],
    },
    {
        "code": "123001003", "name": "居民身份证补领", "category": ItemCategory.ID_CARD,
        "legal_basis": f"{ID_ACT}第十一条；{SPEC_12}第七十七条、第八十五条",
        "conditions_text": "居民身份证丢失的，应当申请补领；可在任一派出所当场挂失，挂失时核验指纹。",
        "procedure": "挂失 → 现场采集人像和指纹 → 受理 → 制证 → 领取。",
        **_days(20, None, "12号规范要求45日内发放"),
        "fee_amount": "40", "fee_basis": ID_FEE_BASIS, "fee_waiver": "",
        "place": PLACE_ANY_STATION,
        "materials": [
            _m("居民户口簿", ORIG, notes="在居住地补领的，可以居住证代替"),
            _m("居住证", ORIG, condition="在居住地补领"),
        ],
    },
    {
        "code": "123001004", "name": "临时居民身份证", "category": ItemCategory.ID_CARD,
        "legal_basis": f"《中华人民共和国临时居民身份证管理办法》第七条、第十一条、第十二条；{SPEC_12}第八十二条",
        "conditions_text": (
            "正在申领、换领、补领居民身份证期间急需使用居民身"
            "份证的，可以申请领取临时居民身份证，有效期3个月。"
        ),
        "procedure": "申请人提交材料 → 窗口受理 → 制发临时居民身份证。",
        **_days(1, 3, "能当日办结的当日办结"),
        "fee_amount": "10", "fee_basis": ID_FEE_BASIS, "fee_waiver": "",
        "place": PLACE_STATION,
        "materials": [
            _m("居民身份证领取凭证", ORIG, condition="已申领居民身份证"),
            _m("居民户口簿", ORIG),
            _m("近期免冠彩色照片", ORIG, copies=2, notes="可现场拍摄"),
        ],
    },
    {
        "code": "123001005", "name": "居民身份证异地受理", "category": ItemCategory.ID_CARD,
        "legal_basis": f"{ID_ACT}第八条；{SPEC_12}第八十三条、第八十四条、第八十七条",
        "conditions_text": "在户籍所在地以外申请换领、补领居民身份证的，可以在居住地公安机关办理。",
        "procedure": "现场采集人像和指纹 → 填写异地受理登记表 → 户籍地5日内签发 → 制证 → 领取。",
        **_days(30, None, "户籍地公安机关5日内签发；12号规范要求45日内发放；材料不全的一次性告知，不得另收费用"),
        "fee_amount": "20", "fee_basis": f"{ID_FEE_BASIS}：换领20元，补领40元", "fee_waiver": ID_FEE_WAIVER,
        "place": PLACE_ANY_STATION,
        "materials": [
            _m("《居民身份证异地受理登记表》", ORIG, notes="窗口现场填写"),
            _m("居民户口簿", ORIG, condition="补领"),
            _m("原居民身份证", ORIG, condition="换领"),
            _m("居住证", ORIG, condition="在居住地补领"),
        ],
    },
    {
        "code": "124001001", "name": "居住证签发", "category": ItemCategory.RESIDENCE,
        "legal_basis": f"《居住证暂行条例》第九条、第十一条、第十四条；{SPEC_12}第六十三条至第六十九条",
        "conditions_text": (
            "离开常住户口所在地，到其他城市居住半年以上，有"
            "合法稳定就业、合法稳定住所或连续就读条件之一的。"
        ),
        "procedure": "申请人提交材料 → 当场受理 → 制证 → 领取。",
        **_days(15, 15, "偏远地区依实施办法延长的，最长不超过30日"),
        **_free("首次领取居住证不收费（《居住证暂行条例》第十四条）"),
        "place": PLACE_ANY_STATION,
        "materials": [
            _m("申请人居民身份证", ORIG),
            _m("近期免冠彩色照片", ORIG, copies=1, notes="可现场拍摄"),
            _m("劳动合同或营业执照", BOTH, condition="合法稳定就业"),
            _m("不动产权证书或房屋租赁合同", BOTH, condition="合法稳定住所"),
            _m("学生证或学校出具的在读证明", ORIG, condition="连续就读"),
        ],
    },
]


def demo_items(county: Unit) -> list[dict]:
    """DEMO_ITEMS for `county`: its name in the place, the shared hours and phones, positions 10, 20 ..."""
    rows = []
    for position, spec in enumerate(DEMO_ITEMS, start=1):
        data = dict(spec)
        data["place"] = data["place"].format(county=county.name)
        data.setdefault("hours", HOURS)
        data.setdefault("enquiry_phone", ENQUIRY_PHONE)
        data.setdefault("complaint_phone", COMPLAINT_PHONE)
        data["position"] = position * 10
        rows.append(data)
    return rows


def guide_seed(*, county: Unit, actor: Staff, effective_date: datetime.date) -> GuideVersion:
    """Publish `county`'s demo guide as version 1, in force from `effective_date`, as its administrator would.

    The import runs on `effective_date` (the clock set back), so the guide is published "today" by the
    usual rules. A county that already has a published version keeps it.
    """
    guide = guide_of(county)
    existing = version_latest_published(guide) if guide is not None else None
    if existing is not None:
        return existing
    moment = min(clock.now(), timezone.make_aware(datetime.datetime.combine(effective_date, datetime.time(8))))
    if clock.localtime(moment).date() != effective_date:
        raise ValueError(f"a demo guide cannot take effect in the future ({effective_date})")
    with clock.at(moment):
        return guide_import(county=county, actor=actor, items=demo_items(county), effective_date=effective_date,
                            note="首次发布（演示数据）")
