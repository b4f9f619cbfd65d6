"""Demo data for the local stack: Shandong's real regions, agencies at every level and a user for every role,
and in every staffed county its production and operation subjects (生产经营主体) with bases, products and batches."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import boto3

from chalicelib.codes import service as codes
from chalicelib.codes.formats import USCC_ALPHABET, id_check_char, uscc_check_char
from chalicelib.codes.models import BatchKind, BatchView, CreateBatchRequest, CreateProductRequest, ProductView
from chalicelib.core.access import OrgKind, Principal, Role
from chalicelib.core.clock import CST
from chalicelib.core.db import fetch
from chalicelib.core.errors import AlreadyExistsError, NotFoundError
from chalicelib.dispatch import service as dispatch
from chalicelib.dispatch.models import AcknowledgeRequest, InstructionListQuery, SendInstructionRequest
from chalicelib.orgs import bootstrap, service, store
from chalicelib.orgs.models import AgencyView, Certificate, CreateAgencyRequest, CreateUserRequest
from chalicelib.regions.catalog import Region, catalog
from chalicelib.subjects import service as subjects
from chalicelib.subjects import store as subject_store
from chalicelib.subjects.models import (
    AddBadRecordRequest,
    AddBaseRequest,
    BaseView,
    CreateAccountRequest,
    KeyObjectRequest,
    Point,
    RegisterSubjectRequest,
    ReviewRequest,
    SubjectView,
)

# Every demo user signs in with this; it meets the template's password policy (12+, upper, lower, digit).
PASSWORD = "Demo-Passw0rd!"
CERT_VALID_UNTIL = "2030-12-31"
SHANDONG, JIANGSU = "370000", "320000"

# The cities whose every county is staffed; the other cities of Shandong get a city agency and its admin.
DETAILED_CITIES = ("370100", "370200", "370600", "370700")
CITY_PREFIX = {
    "370100": "jn", "370200": "qd", "370300": "zibo", "370400": "zaozhuang", "370500": "dongying",
    "370600": "yt", "370700": "wf", "370800": "jining", "370900": "taian", "371000": "weihai",
    "371100": "rizhao", "371300": "linyi", "371400": "dezhou", "371500": "liaocheng", "371600": "binzhou",
    "371700": "heze",
}  # fmt: skip
COUNTY_PINYIN = {
    # 济南
    "370102": "lixia", "370103": "shizhong", "370104": "huaiyin", "370105": "tianqiao", "370112": "licheng",
    "370113": "changqing", "370114": "zhangqiu", "370115": "jiyang", "370116": "laiwu", "370117": "gangcheng",
    "370124": "pingyin", "370126": "shanghe",
    # 青岛
    "370202": "shinan", "370203": "shibei", "370211": "huangdao", "370212": "laoshan", "370213": "licang",
    "370214": "chengyang", "370215": "jimo", "370281": "jiaozhou", "370283": "pingdu", "370285": "laixi",
    # 烟台
    "370602": "zhifu", "370611": "fushan", "370612": "muping", "370613": "laishan", "370614": "penglai",
    "370681": "longkou", "370682": "laiyang", "370683": "laizhou", "370685": "zhaoyuan", "370686": "qixia",
    "370687": "haiyang",
    # 潍坊
    "370702": "weicheng", "370703": "hanting", "370704": "fangzi", "370705": "kuiwen", "370724": "linqu",
    "370725": "changle", "370781": "qingzhou", "370782": "zhucheng", "370783": "shouguang", "370784": "anqiu",
    "370785": "gaomi", "370786": "changyi",
}  # fmt: skip
ROLE_LABEL = {
    Role.ADMIN: "管理员", Role.HEAD: "负责人", Role.SUPERVISOR: "监管员", Role.SAMPLER: "抽样员",
    Role.LAB_MANAGER: "检测室主任", Role.LAB_ANALYST: "检测员", Role.ENFORCEMENT_OFFICER: "执法员",
    Role.MINISTRY_ANALYST: "分析员", Role.DISPATCHER: "调度员",
}  # fmt: skip
# The users the banner shows: at least one for every role, and the ones the README's examples use.
FEATURED = (
    "moa-admin", "moa-analyst", "moa-dispatcher",
    "sd-admin", "sd-head", "sd-dispatcher", "sd-lab-admin", "sd-lab-manager", "sd-lab-analyst", "sd-lab-sampler",
    "jn-admin", "jn-head", "jn-supervisor", "qd-lab-manager", "qd-lab-analyst",
    "jn-lab-manager", "jn-lab-analyst", "jn-licheng-admin", "jn-licheng-head", "jn-licheng-supervisor",
    "jn-licheng-supervisor2", "jn-licheng-officer", "js-admin", "js-supervisor",
    "farm-tangwang", "farm-luocheng", "farm-wangjianguo",
)  # fmt: skip
# The county the README's spot-check walk uses, staffed for a draw from demo users alone: its supervisor and three more.
SPOT_CHECK_COUNTY = "370112"
EXTRA_SAMPLERS = 3
# The README's spot-check walk sends these bodies as they are (tests/integration/test_demo.py walks it).
SPOT_CHECK_TASK = {
    "title": "韭菜腐霉利专项监督抽查",
    "urgency": "urgent",
    "products": ["010408"],
    "hazards": ["腐霉利"],
    "regions": ["370100"],
    "units": 2,
    "standards": ["GB 2763-2021"],
}
SPOT_CHECK_MODEL = {
    "name": "韭菜腐霉利检测模型",
    "objects": [{"product_code": "010408", "product_name": "韭菜"}],
    "items": [
        {
            "product_code": "010408",
            "analyte": "procymidone",
            "analyte_name": "腐霉利",
            "method_standard": "GB 23200.113-2018",
            "unit": "mg/kg",
            "loq": "0.01",
            "limit": {"source": "library", "standard": "GB 2763-2021"},
        }
    ],
}
SPOT_CHECK_SAMPLE = {
    "product_code": "010408",
    "product_name": "韭菜",
    "place": {"address": "历城区港沟街道韭菜基地", "region": "370112", "lng": 117.15, "lat": 36.68},
    "sampled_at": "2026-12-01T09:00:00Z",
    "quantity": 1.5,
    "quantity_unit": "kg",
    "seal_no": "LC-JDCC-0001",
}
SPOT_CHECK_PENALTY = {
    "case_no": "历农执罚〔2026〕27号",
    "finding": "韭菜腐霉利残留超标",
    "decision": "没收违法所得并罚款",
    "penalty": {"kind": "fine", "amount_yuan": "8000"},
    "decided_on": "2026-12-03",
}
# The README's base-inspection walk (基地巡查): Licheng's head plans the month for two supervisors, one of them sends an
# inspection of a planting base with the national checklist (CN-BASE-DEFAULT); the ids, the period and the times are
# filled in as the README fills them.
PLAN = {
    "title": "历城区基地巡查计划",
    "regions": ["370112"],
    "scope": {"categories": ["planting"], "key_objects_first": True},
    "template": {"code": "CN-BASE-DEFAULT", "number": 1},
}
PLAN_TARGETS = ({"inspections": 10, "key_objects": 2}, {"inspections": 5, "key_objects": 1})
BASE_INSPECTION_POSITION = {"lng": 117.15, "lat": 36.68, "accuracy_m": 8}
SIGNATURE_SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PASSED_ITEMS = (
    "identity_code", "production_records", "input_storage", "banned_inputs", "certificate", "trace_code",
    "packaging_label", "pesticide_records", "preharvest_interval", "pesticide_waste",
)  # fmt: skip
# A planting base: the livestock and fishery items do not apply (不适用).
NOT_APPLICABLE_ITEMS = (
    "vet_drug_records", "feed_records", "withdrawal_period", "immunity_records", "aqua_drug_records",
    "aqua_withdrawal", "aqua_feed_records",
)  # fmt: skip
BASE_INSPECTION_ANSWERS = {
    **{key: {"result": "pass"} for key in PASSED_ITEMS},
    **{key: {"result": "na"} for key in NOT_APPLICABLE_ITEMS},
    "opinion": {"value": "生产记录完整，未发现问题"},
}
SIGNER = "崔建国"
# The README's daily-supervision walk (日常监管): Licheng's enforcement officer on site, an evidence sample of chives,
# a test entrusted to Jinan's lab (its model is the spot check's), and the penalty.
DAILY_INSPECTION = {
    "officers": [{"name": "张明", "cert_no": "鲁农执3701120099"}],
    "position": {"lng": 117.15, "lat": 36.68, "accuracy_m": 6},
    "findings": "韭菜地块发现腐霉利包装物，生产记录未记载用药",
    "result": "noncompliant",
}
EVIDENCE_SAMPLE = {
    "product_code": "010408",
    "product_name": "韭菜",
    "place": {"address": "历城区港沟街道韭菜基地", "region": "370112", "lng": 117.15, "lat": 36.68},
    "quantity": 1.5,
    "quantity_unit": "kg",
    "seal_no": "LC-RCJG-0001",
}
DAILY_PENALTY = {
    "case_no": "历农罚〔2026〕18号",
    "case_name": "某合作社生产腐霉利超标韭菜案",
    "finding": "抽样检测腐霉利0.45mg/kg，超过GB 2763-2021限量",
    "decision": "没收违法所得，罚款五千元",
    "penalty": {"kind": "fine", "amount_yuan": "5000"},
}
# The README's complaint walk (投诉举报): filed without an account, routed to Licheng by its place.
COMPLAINT = {
    "kind": "complaint",
    "subject": {"name": "历城区某蔬菜摊位"},
    "place": {"region": "370112", "address": "历城区洪家楼农贸市场"},
    "what": "在洪家楼农贸市场买的韭菜有刺鼻的农药味，食用后腹泻。",
    "happened_on": "2026-12-05",
    "hazard": "pesticide_residue",
    "filer": {"name": "王女士", "phone": "13905310001"},
}
COMPLAINT_ANSWER = {"result": "substantiated", "text": "经现场检查，该摊位韭菜已下架，责令整改并立案调查。"}
INSTRUCTION_TITLE = "关于开展春季农产品质量安全例行监测的通知"
MONITORING_TITLE = "2026年第四季度山东省蔬菜农药残留例行监测"

# Production and operation subjects (生产经营主体) in every staffed county. The plan is drawn from this seed alone,
# so every load makes the same subjects, numbers, bases, products and batch codes (record ids are new each time).
SUBJECT_SEED = 20260501
# City districts: few farms, mostly traders, distributors and processors.
URBAN = frozenset({"370102", "370103", "370104", "370105", "370202", "370203", "370213", "370602", "370613", "370705"})
COASTAL = frozenset({
    "370211", "370212", "370214", "370215", "370281", "370602", "370612", "370613", "370614", "370681", "370683",
    "370685", "370687", "370703", "370783", "370786",
})  # fmt: skip
PENDING, REJECTED = 6, 2  # left in the review queue, and turned down (besides the farm-input dealers, all pending)
BAD = (4, 3)  # bad records (不良记录): on key supervision objects, on others
# Subjects whose main product's first production batch names its base (the featured ones: every production batch).
# Checking a batch's base is an index Query, and moto answers each one by sorting the whole table: ~60 ms once the
# demo is loaded, so a base on every production batch would add ~20 s to `make run`.
BASED_SHARE = 0.5


@dataclass(frozen=True)
class Produce:
    """A product kind: national category code (农产品分类代码), group, unit, batch size, season and trade word."""

    code: str
    group: str
    unit: str
    lot: tuple[int, int]
    months: tuple[int, ...]
    trade: str


_ALL_YEAR = tuple(range(1, 12))
# The produce the limit library covers carries its NY/T 3177-2018 class code, as the library does
# (chalicelib/testing/data/gb2763.json); the others keep placeholder codes of the same 2-12 digit form.
PRODUCE = {
    "韭菜": Produce("010408", "veg", "kg", (200, 3000), (3, 4, 5, 9, 10), "韭菜种植"),
    "大白菜": Produce("010402", "veg", "kg", (1000, 20000), (10, 11), "蔬菜种植"),
    "黄瓜": Produce("010407", "veg", "kg", (500, 6000), (3, 4, 5, 6, 9, 10), "蔬菜种植"),
    "番茄": Produce("0123", "veg", "kg", (500, 8000), (3, 4, 5, 6, 10, 11), "果蔬"),
    "辣椒": Produce("0124", "veg", "kg", (300, 5000), (6, 7, 8, 9), "蔬菜种植"),
    "大葱": Produce("0125", "veg", "kg", (2000, 30000), (10, 11), "大葱种植"),
    "生姜": Produce("0126", "veg", "kg", (1000, 20000), (10, 11), "生姜种植"),
    "大蒜": Produce("0127", "veg", "kg", (1000, 15000), (5, 6), "大蒜种植"),
    "芹菜": Produce("010409", "veg", "kg", (500, 5000), (4, 5, 10, 11), "蔬菜种植"),
    "苹果": Produce("010301", "fruit", "kg", (2000, 30000), (9, 10, 11), "苹果种植"),
    "草莓": Produce("0113", "fruit", "kg", (100, 1500), (1, 2, 3, 4, 5), "草莓种植"),
    "梨": Produce("0114", "fruit", "kg", (1000, 15000), (8, 9, 10), "果品"),
    "葡萄": Produce("0115", "fruit", "kg", (500, 8000), (8, 9, 10), "葡萄种植"),
    "大樱桃": Produce("0116", "fruit", "kg", (200, 3000), (5, 6), "大樱桃种植"),
    "桃": Produce("0117", "fruit", "kg", (500, 8000), (6, 7, 8), "果品"),
    "西瓜": Produce("0118", "fruit", "kg", (2000, 25000), (5, 6, 7), "西瓜种植"),
    "蓝莓": Produce("0119", "fruit", "kg", (100, 2000), (6, 7), "蓝莓种植"),
    "绿茶": Produce("0160", "tea", "kg", (20, 400), (4, 5, 6), "茶叶"),
    "红茶": Produce("0161", "tea", "kg", (20, 300), (5, 6, 7, 8), "茶叶"),
    "生猪": Produce("0311", "livestock", "头", (20, 400), _ALL_YEAR, "生猪养殖"),
    "肉牛": Produce("0312", "livestock", "头", (5, 60), _ALL_YEAR, "肉牛养殖"),
    "肉羊": Produce("0313", "livestock", "只", (20, 300), _ALL_YEAR, "肉羊养殖"),
    "肉鸡": Produce("0321", "livestock", "只", (2000, 30000), _ALL_YEAR, "肉鸡养殖"),
    "鸡蛋": Produce("0322", "livestock", "kg", (500, 6000), _ALL_YEAR, "蛋鸡养殖"),
    "肉鸭": Produce("0323", "livestock", "只", (2000, 20000), _ALL_YEAR, "肉鸭养殖"),
    "海参": Produce("0411", "sea", "kg", (100, 2000), (4, 5, 10, 11), "海参养殖"),
    "扇贝": Produce("0412", "sea", "kg", (500, 8000), (5, 6, 7, 8, 9), "扇贝养殖"),
    "对虾": Produce("0413", "sea", "kg", (300, 5000), (8, 9, 10), "对虾养殖"),
    "牡蛎": Produce("0414", "sea", "kg", (500, 8000), (1, 2, 3, 4, 11), "牡蛎养殖"),
    "大菱鲆": Produce("0415", "sea", "kg", (200, 3000), _ALL_YEAR, "水产养殖"),
    "草鱼": Produce("0421", "fresh", "kg", (300, 5000), (6, 7, 8, 9, 10), "淡水养殖"),
    "鲤鱼": Produce("0422", "fresh", "kg", (300, 5000), (6, 7, 8, 9, 10), "淡水养殖"),
}
GROUP_PRODUCE = {g: [n for n, p in PRODUCE.items() if p.group == g] for g in {p.group for p in PRODUCE.values()}}
# What a county is known for: most of its growers grow it.
SPECIALTIES = {
    "370112": ("草莓", "韭菜", "大樱桃"), "370113": ("绿茶", "桃"), "370114": ("大葱",), "370115": ("西瓜", "黄瓜"),
    "370116": ("生姜", "大蒜"), "370117": ("桃",), "370211": ("绿茶", "蓝莓"), "370212": ("绿茶", "大樱桃"),
    "370281": ("大白菜",), "370283": ("葡萄", "大白菜"), "370611": ("大樱桃", "苹果"), "370612": ("苹果",),
    "370614": ("葡萄", "苹果"), "370681": ("苹果",), "370682": ("梨",), "370685": ("苹果",), "370686": ("苹果",),
    "370687": ("大樱桃", "苹果"), "370703": ("西瓜",), "370725": ("西瓜",), "370781": ("番茄", "辣椒"),
    "370783": ("番茄", "黄瓜", "辣椒", "韭菜"), "370784": ("生姜", "大葱"), "370782": ("生猪", "肉鸡"),
}  # fmt: skip
BASE_WORDS = {
    "veg": ("蔬菜大棚基地", "设施蔬菜基地", "露地蔬菜基地"), "fruit": ("果园", "种植基地"), "tea": ("茶园",),
    "livestock": ("养殖场", "养殖小区"), "sea": ("海域养殖区", "工厂化养殖基地"), "fresh": ("鱼塘", "养殖基地"),
    "trade": ("配送中心", "冷链仓储基地"),
}  # fmt: skip
ENTERPRISE_WORDS = {
    "veg": ("蔬菜", "农业科技", "生态农业"), "fruit": ("果业", "农业科技", "生态农业"), "tea": ("茶业",),
    "livestock": ("牧业", "畜牧", "食品"), "sea": ("水产", "海洋科技"), "fresh": ("水产", "渔业"),
    "trade": ("农产品", "果蔬配送", "商贸"), "processing": ("食品", "农产品加工"),
}  # fmt: skip
BRANDS = (
    "丰华", "鑫源", "绿源", "金穗", "恒丰", "润农", "沃土", "新禾", "富民", "兴农", "惠农", "鲁丰", "福瑞", "瑞丰",
    "华盛", "盛源", "康农", "益农", "佳禾", "嘉禾", "泉润", "海润", "鲁源", "齐鲁", "金果", "绿野", "田园", "旺农",
    "德丰", "顺达", "宏远", "裕丰", "聚丰", "永丰", "农康", "乐农", "青禾", "禾丰", "万家", "众兴",
)  # fmt: skip
SURNAMES = "王张李刘陈杨赵孙徐马高于郭宋董朱孟曲姜丁邢隋韩吕崔程毕"
MALE_NAMES = (
    "建国", "志强", "洪涛", "春生", "立新", "国华", "德胜", "文明", "永刚", "海军", "庆丰", "福来", "宝山", "学军",
    "振华", "长林", "金生", "明亮", "东升", "守信", "传军", "兆文", "玉杰", "乐", "磊", "伟", "强", "军",
)  # fmt: skip
FEMALE_NAMES = ("秀英", "桂兰", "海燕", "玉梅", "红霞", "丽萍", "淑芬", "春燕", "晓梅", "凤英", "静", "丽", "敏")
VILLAGES = (
    "王家庄", "李家庄", "东官庄", "西河", "南岭", "北埠", "后疃", "前店", "大泊", "小庄", "河东", "石门", "马家沟",
    "孙家埠", "张家屯", "桃园", "柳树湾", "杨家洼", "东朱", "西崖头",
)  # fmt: skip
ROADS = ("经十路", "工业南路", "胜利街", "东风街", "福华街", "长江路", "香港中路", "新华路", "民生街", "和平路")
PHONE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "153", "158", "159", "180", "186", "188")
KEY_REASONS = {
    "veg": ("韭菜等高风险品种种植基地，纳入重点监管", "上年度例行监测有不合格样品"),
    "fruit": ("出口备案基地，纳入重点监管", "上年度例行监测有不合格样品"),
    "tea": ("出口备案茶园，纳入重点监管",),
    "livestock": ("规模养殖场，兽药使用量大", "上年度监督抽查检出违禁药物"),
    "sea": ("工厂化养殖，渔药使用量大",),
    "fresh": ("上年度监督抽查检出孔雀石绿",),
    "trade": ("批发量大、供货来源多，纳入重点监管",),
}  # fmt: skip
BAD_RECORDS = (
    ("failed_test", "例行监测抽检{product}样品{drug}残留超标，已责令召回并追溯源头", "鲁农检〔2026〕{n}号"),
    ("penalty", "未按规定建立农产品生产记录，责令限期改正并处罚款2000元", "农执罚〔2026〕{n}号"),
    ("violation", "现场检查发现生产基地存放禁用{drug}，已移交执法大队", "现场检查记录〔2026〕{n}号"),
    ("complaint_upheld", "消费者投诉所售{product}产地标注不实，经核实属实", "12316投诉〔2026〕{n}号"),
)
DRUGS = {"livestock": "兽药", "sea": "渔药", "fresh": "渔药"}  # the rest: 农药
REJECTION_REASONS = (
    ("营业执照经营范围不含农产品生产经营", "法定代表人与营业执照登记信息不一致"),
    ("未提供生产基地土地流转合同，无法核实生产场所",),
)


@dataclass(frozen=True)
class FeaturedSubject:
    """A subject the banner lists through its account: the first subject of its county."""

    name: str
    form: str
    products: tuple[str, ...]
    township: str
    legal_representative: str
    account: str


FEATURED_SUBJECTS = {
    "370112": FeaturedSubject(
        "济南市历城区唐王草莓种植专业合作社", "cooperative", ("草莓", "韭菜"), "370112020", "李春生", "farm-tangwang"
    ),
    "370783": FeaturedSubject(
        "寿光市洛城果蔬专业合作社", "cooperative", ("番茄", "黄瓜", "辣椒"), "370783005", "孙立新", "farm-luocheng"
    ),
    "370686": FeaturedSubject(
        "栖霞市王建国家庭农场", "family_farm", ("苹果",), "370686101", "王建国", "farm-wangjianguo"
    ),
}
# Farm-input dealers (农资经营), awaiting review: one in the county the README's examples use.
INPUT_DEALERS = {"370112": "济南市历城区丰收农资经营部", "370783": "寿光市绿叶农资有限公司"}


@dataclass(frozen=True)
class BatchPlan:
    kind: BatchKind
    quantity: float
    unit: str
    produced_at: datetime  # China time, to the second
    base: int | None  # index into the subject's bases


@dataclass(frozen=True)
class ProductPlan:
    name: str
    code: str
    batches: tuple[BatchPlan, ...]


@dataclass(frozen=True)
class SubjectPlan:
    county: str  # the county agency's key, e.g. jn-licheng
    request: RegisterSubjectRequest
    fate: str  # approved, pending or rejected
    reasons: tuple[str, ...] = ()
    key_reason: str | None = None
    bad_record: AddBadRecordRequest | None = None
    bases: tuple[AddBaseRequest, ...] = ()
    products: tuple[ProductPlan, ...] = ()
    account: str | None = None


def _gb11714_check(body: str) -> str:
    """Check character of the 8-character organisation code inside a USCC (GB 11714)."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class _Planner:
    """Draws the demo's subjects from one seeded random source: the same plan on every machine and every load."""

    def __init__(self, seed: int = SUBJECT_SEED) -> None:
        self.rng = random.Random(seed)
        self.numbers: set[str] = set()
        self.names: set[str] = set()
        self.stamps: set[str] = set()
        self.refs = 0

    def uscc(self, county: str, form: str) -> str:
        # 9 market regulation; 1 enterprise, 2 sole trader (family farms), 3 farmers' co-operative.
        kind = {"enterprise": "1", "family_farm": "2", "cooperative": "3"}.get(form, "2")
        if self.rng.random() < 0.3:  # an organisation code from before 2015: 8 digits
            body = "".join(self.rng.choice("0123456789") for _ in range(8))
        else:  # issued with the USCC: MA and 6 characters
            body = "MA" + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(6))
        first17 = f"9{kind}{county}{body}{_gb11714_check(body)}"
        return self._unique(first17 + uscc_check_char(first17), lambda: self.uscc(county, form))

    def id_number(self, county: str, male: bool) -> str:
        born = datetime(self.rng.randint(1958, 1992), self.rng.randint(1, 12), self.rng.randint(1, 28))
        seq = self.rng.randrange(1 if male else 0, 1000, 2)  # the 17th digit is odd for men, even for women
        first17 = f"{county}{born:%Y%m%d}{seq:03d}"
        return self._unique(first17 + id_check_char(first17), lambda: self.id_number(county, male))

    def _unique(self, number: str, again: Callable[[], str]) -> str:
        if number in self.numbers:
            return again()
        self.numbers.add(number)
        return number

    def person(self) -> tuple[str, bool]:
        male = self.rng.random() < 0.75
        return self.rng.choice(SURNAMES) + self.rng.choice(MALE_NAMES if male else FEMALE_NAMES), male

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def produced_at(self, product: str, taken: set[datetime]) -> datetime:
        """In the product's season; a day no other demo batch of that product has if there is one."""
        for attempt in range(100):
            month = self.rng.choice(PRODUCE[product].months)
            stamp = datetime(
                2026, month, self.rng.randint(1, 28), self.rng.randint(5, 17), self.rng.randrange(60),
                self.rng.randrange(60), tzinfo=CST,
            )  # fmt: skip
            day = f"{product}{stamp:%m%d}"
            if stamp not in taken and (day not in self.stamps or attempt >= 50):
                self.stamps.add(day)
                taken.add(stamp)  # a code holds the second: one product's batches never share one
                return stamp
        raise AssertionError(f"no production time left for {product}")

    def subjects(self, counties: list[tuple[str, Region]]) -> list[SubjectPlan]:
        plans: list[SubjectPlan] = []
        for key, county in counties:
            count = self.rng.randint(3, 4) if county.code in URBAN else self.rng.choice((4, 5, 5, 5, 6, 6))
            plans += [self.subject(key, county, featured=n == 0) for n in range(count)]
            if county.code in INPUT_DEALERS:
                plans.append(self.dealer(key, county))
        # Decisions: a few wait in the queue, two were turned down; the featured ones are approved.
        open_ = [i for i, p in enumerate(plans) if p.fate == "approved" and not p.account]
        undecided = self.rng.sample(open_, PENDING + REJECTED)
        for n, i in enumerate(undecided):
            plan = plans[i]
            if n < PENDING:
                plans[i] = SubjectPlan(plan.county, plan.request, "pending")
            else:
                reasons = REJECTION_REASONS[n - PENDING]
                plans[i] = SubjectPlan(plan.county, plan.request, "rejected", reasons)
        # Bad records: some of the key objects have one (often why they are key), and a few others.
        approved = [i for i, p in enumerate(plans) if p.fate == "approved" and not p.account]
        keyed = [i for i in approved if plans[i].key_reason]
        plain = [i for i in approved if not plans[i].key_reason]
        for i in sorted(self.rng.sample(keyed, min(len(keyed), BAD[0])) + self.rng.sample(plain, BAD[1])):
            plans[i] = dataclasses.replace(plans[i], bad_record=self._bad_record(plans[i]))
        return plans

    def _bad_record(self, plan: SubjectPlan) -> AddBadRecordRequest:
        kind, text, ref = self.rng.choice(BAD_RECORDS)
        product = plan.products[0].name
        self.refs += 1
        return AddBadRecordRequest(
            kind=kind,  # type: ignore[arg-type]
            description=text.format(product=product, drug=DRUGS.get(PRODUCE[product].group, "农药")),
            occurred_on=f"2026-{self.rng.randint(1, 10):02d}-{self.rng.randint(1, 28):02d}",
            source_ref=ref.format(n=self.refs + 10),
        )

    def _township(self, county: Region) -> Region:
        towns = catalog().children(county.code)
        rural = [t for t in towns if not t.name.endswith("街道")]
        return self.rng.choice(rural if rural and county.code not in URBAN and self.rng.random() < 0.7 else towns)

    def _address(self, county: Region, town: Region, trade: bool) -> str:
        city = catalog().get(county.parent or "")
        place = f"{self.rng.choice(ROADS)}{self.rng.randint(1, 399)}号" if trade else f"{self.rng.choice(VILLAGES)}村"
        return f"山东省{city.name}{county.name}{town.name}{place}"

    def _place(self, county: Region) -> str:
        """How names start: 寿光市 for a county-level city or county, 济南市历城区 for a district."""
        city = catalog().get(county.parent or "")
        return f"{city.name}{county.name}" if county.name.endswith("区") else county.name

    def _name(self, name: str) -> str:
        if name in self.names:
            return ""
        self.names.add(name)
        return name

    def subject(self, key: str, county: Region, *, featured: bool) -> SubjectPlan:
        rng, urban, coastal = self.rng, county.code in URBAN, county.code in COASTAL
        pinned = FEATURED_SUBJECTS.get(county.code) if featured else None
        if pinned:
            form, industry = pinned.form, "planting"
        else:
            forms = (
                {"enterprise": 45, "individual": 40, "cooperative": 10, "family_farm": 5}
                if urban
                else {"cooperative": 35, "family_farm": 25, "enterprise": 20, "individual": 20}
            )
            form = rng.choices(list(forms), weights=list(forms.values()))[0]
            industries = (
                {"trade": 60, "processing": 15, "planting": 20, "fishery": 5 if coastal else 0}
                if urban
                else {"planting": 62, "livestock": 20, "fishery": 14 if coastal else 4, "trade": 4, "processing": 4}
            )
            industry = rng.choices(list(industries), weights=list(industries.values()))[0]
            if industry in {"trade", "processing"} and form in {"cooperative", "family_farm"}:
                industry = "planting"
        # What it grows, raises or sells: the county's specialties first.
        if pinned:
            names = list(pinned.products)
        else:
            specialties = [p for p in SPECIALTIES.get(county.code, ()) if industry in {"planting", "livestock"}]
            specialties = [p for p in specialties if (PRODUCE[p].group == "livestock") == (industry == "livestock")]
            if industry == "planting":
                pool = GROUP_PRODUCE[rng.choices(["veg", "fruit", "tea"], weights=[55, 38, 7])[0]]
            elif industry == "livestock":
                pool = GROUP_PRODUCE["livestock"]
            elif industry == "fishery":
                pool = GROUP_PRODUCE["sea" if coastal else "fresh"]
            else:
                pool = GROUP_PRODUCE["veg"] + GROUP_PRODUCE["fruit"]
            first = rng.choice(specialties) if specialties and rng.random() < 0.65 else rng.choice(pool)
            group = PRODUCE[first].group
            others = [p for p in (pool if industry in {"trade", "processing"} else GROUP_PRODUCE[group]) if p != first]
            more = rng.choices((0, 1, 2), weights=(45, 40, 15))[0]
            names = [first, *rng.sample(others, min(len(others), more))]
        group = "trade" if industry == "trade" else PRODUCE[names[0]].group
        trade = industry == "trade"
        category = (
            "operation"
            if trade
            else "production_and_operation"
            if industry == "processing" or (not pinned and rng.random() < 0.12)
            else "production"
        )
        town = catalog().get(pinned.township) if pinned else self._township(county)
        rep, male = (pinned.legal_representative, True) if pinned else self.person()
        name = pinned.name if pinned else ""
        while not name:
            name = self._name(self._subject_name(county, town, form, industry, group, names[0], rep))
            if not name:
                rep, male = self.person()
        if pinned:
            self.names.add(name)
        request = RegisterSubjectRequest(
            name=name,
            category=category,  # type: ignore[arg-type]
            form=form,  # type: ignore[arg-type]
            number_kind="id_card" if form == "individual" else "uscc",
            number=self.id_number(county.code, male) if form == "individual" else self.uscc(county.code, form),
            legal_representative=rep,
            contact_phone=self.phone(),
            region=county.code,
            address=self._address(county, town, trade),
            industry=industry,  # type: ignore[arg-type]
        )
        bases = self._bases(county, town, group, names)
        main = "all" if pinned else "first" if rng.random() < BASED_SHARE else "none"
        based = [main if n == 0 or pinned else "none" for n in range(len(names))]
        products = tuple(self._product(p, trade, bases, based[n]) for n, p in enumerate(names))
        key_reason = None if pinned or rng.random() >= 0.1 else rng.choice(KEY_REASONS[group])
        return SubjectPlan(
            key,
            request,
            "approved",
            key_reason=key_reason,
            bases=bases,
            products=products,
            account=pinned.account if pinned else None,
        )

    def _subject_name(
        self, county: Region, town: Region, form: str, industry: str, group: str, product: str, rep: str
    ) -> str:
        rng = self.rng
        town_short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        if form == "individual":
            return rep
        if form == "family_farm":
            return f"{self._place(county)}{rep if rng.random() < 0.6 else rng.choice(BRANDS)}家庭农场"
        if form == "cooperative":
            word = town_short if rng.random() < 0.4 else rng.choice(BRANDS)
            return f"{self._place(county)}{word}{PRODUCE[product].trade}专业合作社"
        city = catalog().get(county.parent or "").name.removesuffix("市")
        prefix = "山东" if rng.random() < 0.3 else city
        trades = ENTERPRISE_WORDS["processing" if industry == "processing" else group]
        return f"{prefix}{rng.choice(BRANDS)}{rng.choice(trades)}有限公司"

    def _bases(self, county: Region, town: Region, group: str, products: list[str]) -> tuple[AddBaseRequest, ...]:
        rng = self.rng
        count = 1 if group == "trade" or rng.random() < 0.6 else 2
        towns = [town] + [t for t in [self._township(county)] if t.code != town.code]
        bases = []
        for n in range(min(count, len(towns))):
            place = towns[n].name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            word = rng.choice(BASE_WORDS[group])
            if group == "fruit" and word == "果园":
                word = f"{products[0]}园"
            area = {"veg": (20, 600), "fruit": (30, 800), "tea": (10, 300), "trade": (2, 20)}.get(group, (10, 200))
            assert county.lng is not None and county.lat is not None
            bases.append(
                AddBaseRequest(
                    name=f"{place}{word}",
                    location=Point(
                        lng=round(county.lng + rng.uniform(-0.05, 0.05), 6),
                        lat=round(county.lat + rng.uniform(-0.05, 0.05), 6),
                    ),
                    area_mu=float(rng.randint(*area)),
                    products=products if n == 0 else rng.sample(products, 1),
                )
            )
        return tuple(bases)

    def _product(self, name: str, trade: bool, bases: tuple[AddBaseRequest, ...], based: str) -> ProductPlan:
        """1-2 batches. Which production batches name their base: all, the first, or none (see BASED_SHARE)."""
        produce, rng = PRODUCE[name], self.rng
        batches: list[BatchPlan] = []
        taken: set[datetime] = set()
        where = [n for n, base in enumerate(bases) if name in base.products]
        for _ in range(1 if rng.random() < 0.55 else 2):
            kind: BatchKind = "circulation" if trade or rng.random() < 0.15 else "production"
            low, high = produce.lot
            quantity = float(rng.randint(low, high) if high < 1000 else rng.randint(low // 100, high // 100) * 100)
            at = self.produced_at(name, taken)
            first = not any(b.base is not None for b in batches)
            wanted = kind == "production" and (based == "all" or (based == "first" and first))
            base = rng.choice(where) if where and wanted else None
            batches.append(BatchPlan(kind, quantity, produce.unit, at, base))
        return ProductPlan(name, produce.code, tuple(batches))

    def dealer(self, key: str, county: Region) -> SubjectPlan:
        form = "individual" if INPUT_DEALERS[county.code].endswith("部") else "enterprise"
        rep, _ = self.person()
        town = self._township(county)
        request = RegisterSubjectRequest(
            name=INPUT_DEALERS[county.code],
            category="agricultural_inputs",
            form=form,  # type: ignore[arg-type]
            number_kind="uscc",  # a sole trader's shop has a USCC (92...) of its own
            number=self.uscc(county.code, form),
            legal_representative=rep,
            contact_phone=self.phone(),
            region=county.code,
            address=self._address(county, town, trade=True),
            industry="inputs",
        )
        return SubjectPlan(key, request, "pending")


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[str, ...]
    agency: str
    region: str
    region_name: str


@dataclass
class Demo:
    """What the demo holds: agencies by key, users by username, the instructions it sent, and the subjects
    (by number) with their bases, products and batches."""

    agencies: dict[str, AgencyView] = field(default_factory=dict)
    users: dict[str, DemoUser] = field(default_factory=dict)
    instructions: list[str] = field(default_factory=list)
    subjects: dict[str, SubjectView] = field(default_factory=dict)
    bases: list[BaseView] = field(default_factory=list)
    products: list[ProductView] = field(default_factory=list)
    batches: list[BatchView] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)  # username -> subject number

    def featured(self) -> list[DemoUser]:
        return [self.users[name] for name in FEATURED if name in self.users]

    def counts(self) -> dict[str, int]:
        states: dict[str, int] = {}
        for subject in self.subjects.values():
            states[subject.state] = states.get(subject.state, 0) + 1
        return {
            "subjects": len(self.subjects),
            **{f"subjects_{state}": n for state, n in sorted(states.items())},
            "key_objects": sum(s.key_object for s in self.subjects.values()),
            "with_bad_records": sum(s.bad_records > 0 for s in self.subjects.values()),
            "bases": len(self.bases),
            "products": len(self.products),
            "batches": len(self.batches),
            "circulation_batches": sum(b.kind == "circulation" for b in self.batches),
            "accounts": len(self.accounts),
        }


class _Loader:
    """Get-or-create through the service layer, so the records, audit chains and events are the real ones."""

    def __init__(self, pool_id: str) -> None:
        self.pool_id = pool_id
        self.idp = boto3.client("cognito-idp")
        self.demo = Demo()
        self._principals: dict[str, Principal] = {}
        self._user_ids: dict[str, str] = {}
        self._children: dict[str, dict[tuple[str, str], store.AgencyRecord]] = {}
        self._certs = 0
        self.counties: list[tuple[str, Region]] = []  # the staffed counties: (agency key, region)

    def principal(self, username: str) -> Principal:
        if username not in self._principals:
            principal = service.principal_for(self._user_ids[username])
            assert principal is not None, f"demo user {username} cannot act"
            self._principals[username] = principal
        return self._principals[username]

    def _existing_children(self, parent_id: str) -> dict[tuple[str, str], store.AgencyRecord]:
        # One listing per parent, so a fresh load pays a query per parent, not per agency.
        if parent_id not in self._children:
            found: dict[tuple[str, str], store.AgencyRecord] = {}
            cursor: str | None = None
            while True:
                recs, cursor = store.list_child_agencies(parent_id, limit=200, cursor=cursor)
                found.update({(r.name, r.org_kind): r for r in recs})
                if not cursor:
                    break
            self._children[parent_id] = found
        return self._children[parent_id]

    def agency(self, creator: str, key: str, name: str, kind: OrgKind, region: str, parent: str | None = None) -> None:
        actor = self.principal(creator)
        parent_id = self.demo.agencies[parent].id if parent else actor.org_id
        existing = self._existing_children(parent_id).get((name, kind.value))
        if existing is not None:
            self.demo.agencies[key] = service.agency_view(existing)
            return
        req = CreateAgencyRequest(name=name, kind=kind, region=region, parent_id=parent_id)
        self.demo.agencies[key] = service.create_agency(actor, req)

    def user(
        self, creator: str, agency: str, username: str, roles: list[Role], *, cert_prefix: str = "", number: str = ""
    ) -> None:
        org = self.demo.agencies[agency]
        cert = None
        if cert_prefix and service.CERTIFIED_ROLES & set(roles):
            self._certs += 1
            cert = Certificate(number=f"{cert_prefix}{org.region}{self._certs:04d}", valid_until=CERT_VALID_UNTIL)
        req = CreateUserRequest(
            username=username,
            # a number tells colleagues of the same roles apart (the performance table lists them by name)
            name=f"{org.region_name}{'、'.join(ROLE_LABEL[r] for r in roles)}{number}",
            roles=roles,
            email=f"{username}@example.cn",
            certificate=cert,
        )
        try:
            user_id = service.create_user(self.principal(creator), org.id, req).id
        except AlreadyExistsError:
            user_id = self._subject(username)
        self._enrol(username, user_id, [r.value for r in roles], org)

    def _subject(self, username: str) -> str:
        attrs = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)["UserAttributes"]
        return next(a["Value"] for a in attrs if a["Name"] == "sub")

    def _enrol(self, username: str, user_id: str, roles: list[str], org: AgencyView) -> None:
        """Record the user and give them the shared demo password (created users only have a temporary one)."""
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True)
        self._user_ids[username] = user_id
        self.demo.users[username] = DemoUser(username, tuple(sorted(roles)), org.name, org.region, org.region_name)

    def ministry(self) -> None:
        agency, admin = bootstrap.bootstrap_national(
            agency_name="农业农村部", username="moa-admin", name="农业农村部管理员", email="moa-admin@example.cn"
        )
        self.demo.agencies["moa"] = service.agency_view(agency)
        self._enrol("moa-admin", admin.id, sorted(admin.roles or ()), self.demo.agencies["moa"])
        self.user("moa-admin", "moa", "moa-analyst", [Role.MINISTRY_ANALYST])
        self.user("moa-admin", "moa", "moa-dispatcher", [Role.DISPATCHER])

    def templates(self) -> None:
        """The inspection templates that ship with the platform (国家默认巡查规范), as a deployment seeds them."""
        from chalicelib.inspections import service as inspections

        inspections.seed_templates()

    def province(self) -> None:
        self.agency("moa-admin", "sd", "山东省农业农村厅", OrgKind.SUPERVISION, SHANDONG)
        self.user("moa-admin", "sd", "sd-admin", [Role.ADMIN])
        self.user("sd-admin", "sd", "sd-head", [Role.HEAD])
        self.user("sd-admin", "sd", "sd-dispatcher", [Role.DISPATCHER])
        self.agency("sd-admin", "sd-lab", "山东省农产品质量安全检测中心", OrgKind.TESTING, SHANDONG)
        self.user("sd-admin", "sd-lab", "sd-lab-admin", [Role.ADMIN])
        self.user("sd-lab-admin", "sd-lab", "sd-lab-manager", [Role.LAB_MANAGER])
        self.user("sd-lab-admin", "sd-lab", "sd-lab-analyst", [Role.LAB_ANALYST])
        self.user("sd-lab-admin", "sd-lab", "sd-lab-sampler", [Role.SAMPLER], cert_prefix="鲁农检")

    def city(self, code: str, name: str) -> None:
        key = CITY_PREFIX.get(code, f"c{code}")
        self.agency("sd-admin", key, f"{name}农业农村局", OrgKind.SUPERVISION, code)
        self.user("sd-admin", key, f"{key}-admin", [Role.ADMIN])
        if code not in DETAILED_CITIES:
            return
        self.user(f"{key}-admin", key, f"{key}-head", [Role.HEAD, Role.DISPATCHER])
        self.user(f"{key}-admin", key, f"{key}-supervisor", [Role.SUPERVISOR, Role.SAMPLER], cert_prefix="鲁农执")
        lab = f"{key}-lab"
        self.agency(f"{key}-admin", lab, f"{name}农产品质量安全检测中心", OrgKind.TESTING, code)
        self.user(f"{key}-admin", lab, f"{lab}-admin", [Role.ADMIN])
        self.user(f"{lab}-admin", lab, f"{lab}-manager", [Role.LAB_MANAGER])
        self.user(f"{lab}-admin", lab, f"{lab}-analyst", [Role.LAB_ANALYST, Role.SAMPLER])
        for county in catalog().children(code):
            self.county(key, county.code, county.name)

    def county(self, city: str, code: str, name: str) -> None:
        key = f"{city}-{COUNTY_PINYIN.get(code, 'x' + code)}"
        self.counties.append((key, catalog().get(code)))
        self.agency(f"{city}-admin", key, f"{name}农业农村局", OrgKind.SUPERVISION, code)
        self.user(f"{city}-admin", key, f"{key}-admin", [Role.ADMIN])
        self.user(f"{key}-admin", key, f"{key}-supervisor", [Role.SUPERVISOR, Role.SAMPLER], cert_prefix="鲁农执")
        if code == SPOT_CHECK_COUNTY:  # a head and four certified samplers: two teams of two for a draw (双随机)
            self.user(f"{key}-admin", key, f"{key}-head", [Role.HEAD])
            for n in range(2, 2 + EXTRA_SAMPLERS):
                roles = [Role.SUPERVISOR, Role.SAMPLER]
                self.user(f"{key}-admin", key, f"{key}-supervisor{n}", roles, cert_prefix="鲁农执", number=str(n))
        enf = f"{key}-enf"
        self.agency(f"{key}-admin", enf, f"{name}农业综合行政执法大队", OrgKind.ENFORCEMENT, code, parent=key)
        self.user(f"{key}-admin", enf, f"{enf}-admin", [Role.ADMIN])
        self.user(f"{enf}-admin", enf, f"{key}-officer", [Role.ENFORCEMENT_OFFICER], cert_prefix="鲁农执")

    def jiangsu(self) -> None:
        self.agency("moa-admin", "js", "江苏省农业农村厅", OrgKind.SUPERVISION, JIANGSU)
        self.user("moa-admin", "js", "js-admin", [Role.ADMIN])
        self.user("js-admin", "js", "js-head", [Role.HEAD, Role.DISPATCHER])
        self.user("js-admin", "js", "js-supervisor", [Role.SUPERVISOR, Role.SAMPLER], cert_prefix="苏农执")
        self.agency("js-admin", "js-lab", "江苏省农产品质量安全检测中心", OrgKind.TESTING, JIANGSU)
        self.user("js-admin", "js-lab", "js-lab-admin", [Role.ADMIN])
        self.user("js-lab-admin", "js-lab", "js-lab-analyst", [Role.LAB_ANALYST])

    def instructions(self) -> None:
        """The province dispatches the spring monitoring round to the detailed cities; Qingdao has signed for it."""
        head = self.principal("sd-head")
        sent = dispatch.listing(head, InstructionListQuery(box="sent", limit=200)).items
        already = {i.to_org_id for i in sent if i.title == INSTRUCTION_TITLE}
        for code in DETAILED_CITIES:
            city = self.demo.agencies[CITY_PREFIX[code]]
            if city.id in already:
                continue
            req = SendInstructionRequest(
                to_org_id=city.id,
                title=INSTRUCTION_TITLE,
                body=f"请{city.name}于三日内完成辖区蔬菜、水果、畜禽产品例行监测抽样计划并报省厅。",
                respond_within_seconds=3 * 86400,
            )
            view = dispatch.send(head, req)
            self.demo.instructions.append(view.id)
            if code == "370200":
                dispatch.acknowledge(
                    self.principal("qd-admin"), view.id, AcknowledgeRequest(feedback="已签收，按期落实。")
                )

    def _labs(self) -> list[str]:
        """The monitoring task's undertaking labs: Qingdao's is loaded by `make run`, not by the tests' partial demo."""
        return [k for k in ("jn-lab", "qd-lab") if k in self.demo.agencies]

    def monitoring(self) -> None:
        """A routine monitoring task (例行监测) under way: Jinan's lab sampling and testing, Qingdao's to receive."""
        from ulid import ULID

        from chalicelib.core import clock
        from chalicelib.core.models import VersionedRequest
        from chalicelib.monitoring import service as monitoring
        from chalicelib.monitoring import workflow
        from chalicelib.monitoring.models import (
            CreateTaskRequest,
            DistributeRequest,
            Quota,
            Scope,
            TaskListQuery,
            UnitPlan,
        )
        from chalicelib.testing import results as result_entry
        from chalicelib.testing import service as testing
        from chalicelib.testing.models import (
            ConfigureModelRequest,
            CreateSampleRequest,
            EnterResultsRequest,
            Place,
            ReceiveSampleRequest,
            ResultEntry,
        )

        testing.seed_limits()
        head, lead = self.principal("sd-head"), self.principal("sd-lab-manager")
        issued = monitoring.list_tasks(head, TaskListQuery(box="issued", limit=200)).items
        if any(t.title == MONITORING_TITLE for t in issued):
            return
        chives, cabbage = PRODUCE["韭菜"].code, PRODUCE["大白菜"].code
        deadline = clock.cst_day(clock.now() + timedelta(days=45))
        task = monitoring.create_task(
            head,
            CreateTaskRequest(
                task_kind="LXJC",
                title=MONITORING_TITLE,
                description="韭菜、大白菜农药残留例行监测；不合格样品按程序移交执法。",
                lead_org_id=self.demo.agencies["sd-lab"].id,
                deadline=deadline,
                # Six samples per undertaking lab: the quotas below must add up to the scope
                scope=Scope(products=[chives, cabbage], regions=["370100", "370200"], samples=6 * len(self._labs())),
            ),
        )
        task = monitoring.publish_task(head, task.id, VersionedRequest(version=task.version))
        task = monitoring.receive_task(lead, task.id, VersionedRequest(version=task.version))
        model = ConfigureModelRequest.model_validate(
            {
                "name": "蔬菜农药残留监测模型",
                "version": task.version,
                "objects": [
                    {"product_code": chives, "product_name": "韭菜"},
                    {"product_code": cabbage, "product_name": "大白菜"},
                ],
                "items": [
                    {
                        "product_code": chives,
                        "analyte": "procymidone",
                        "analyte_name": "腐霉利",
                        "method_standard": "GB 23200.113-2018",
                        "unit": "mg/kg",
                        "loq": "0.01",
                        "limit": {"source": "library", "standard": "GB 2763.1-2022"},
                    },
                    {
                        "product_code": chives,
                        "analyte": "chlorpyrifos",
                        "analyte_name": "毒死蜱",
                        "method_standard": "GB 23200.113-2018",
                        "unit": "mg/kg",
                        "loq": "0.01",
                        "limit": {
                            "source": "custom",
                            "operator": "le",
                            "value": "0.02",
                            "judgement_standard": "示例限值",
                        },
                    },
                    {
                        "product_code": cabbage,
                        "analyte": "deltamethrin",
                        "analyte_name": "溴氰菊酯",
                        "method_standard": "GB 23200.113-2018",
                        "unit": "mg/kg",
                        "loq": "0.01",
                        "limit": {"source": "library", "standard": "GB 2763-2019"},
                    },
                ],
            }
        )
        task = monitoring.configure_model(lead, task.id, model)
        lines = {"jn-lab": (chives, "370100"), "qd-lab": (cabbage, "370200")}
        quotas = {k: Quota(product_code=lines[k][0], region=lines[k][1], samples=6) for k in self._labs()}
        labs = {key: self.demo.agencies[key] for key in quotas}
        plan = DistributeRequest(
            version=task.version,
            units=[UnitPlan(org_id=labs[k].id, deadline=deadline, quotas=[q]) for k, q in quotas.items()],
        )
        task = monitoring.distribute(lead, task.id, plan)
        # The workflow makes these too once the stream runs; made here (idempotently) so Jinan can start now.
        made = {
            k: workflow.create_assignment({"task_id": task.id, "role": "unit", "org_id": a.id}) for k, a in labs.items()
        }
        jn = made["jn-lab"]
        manager, analyst = self.principal("jn-lab-manager"), self.principal("jn-lab-analyst")
        monitoring.receive_assignment(manager, jn["id"], VersionedRequest(version=1))
        products = {p.id: p for p in self.demo.products if p.category_code == chives}
        licheng = [
            b
            for b in self.demo.batches
            if b.product_id in products and b.code_long and self._in(b.subject_id, "370112")
        ]
        results = [("0.05", "0.004"), ("0.08", "0.05")]  # the second chives sample fails on chlorpyrifos
        for batch, (procymidone, chlorpyrifos) in zip(licheng[:2], results, strict=False):
            seal = f"JN-{batch.code_short[-6:]}"
            sample, _ = monitoring.take_sample(
                analyst,
                task.id,
                CreateSampleRequest(
                    id=str(ULID()),
                    trace_code=batch.code_short,
                    place=Place(address="历城区唐王街道韭菜基地", region="370112", lng=117.2, lat=36.8),
                    sampled_at=clock.iso(clock.now()),
                    quantity=Decimal("1.5"),
                    quantity_unit="kg",
                    seal_no=seal,
                ),
            )
            testing.receive_sample(
                analyst, sample.id, ReceiveSampleRequest(handed_over_by="抽样员", condition="intact", seal_no=seal)
            )
            entries = [
                ResultEntry(sample_id=sample.id, analyte="procymidone", value=Decimal(procymidone), unit="mg/kg"),
                ResultEntry(sample_id=sample.id, analyte="chlorpyrifos", value=Decimal(chlorpyrifos), unit="mg/kg"),
            ]
            result_entry.enter_by_hand(analyst, EnterResultsRequest(results=entries))

    def _in(self, subject_id: str, county: str) -> bool:
        return any(s.id == subject_id and s.region.startswith(county) for s in self.demo.subjects.values())

    def subjects(self) -> None:
        """Each county's supervisor registers its subjects and its admin reviews them; then bases, products, batches."""
        for plan in _Planner().subjects(self.counties):
            self._register(plan, self._claimed(plan))

    def _claimed(self, plan: SubjectPlan) -> SubjectView | None:
        """The subject an earlier load registered under the plan's number: one GetItem on the number's claim.

        (Not the county listing: moto answers every index Query by sorting the whole table.)
        """
        try:
            claim = fetch(subject_store.SubjectNumberClaim, f"SUBJNO#{plan.request.number}", "SUBJNO")
        except NotFoundError:
            return None
        return subjects.get(self.principal(f"{plan.county}-supervisor"), claim.subject_id)

    def _register(self, plan: SubjectPlan, found: SubjectView | None) -> None:
        supervisor, admin = self.principal(f"{plan.county}-supervisor"), self.principal(f"{plan.county}-admin")
        subject = found or subjects.register(supervisor, plan.request)
        if plan.fate != "pending" and subject.state == "pending":
            decision = ReviewRequest(
                decision="approve" if plan.fate == "approved" else "reject", reasons=[*plan.reasons]
            )
            subject = subjects.review(admin, subject.id, decision)
        if subject.state == "approved":
            if plan.bad_record and not subject.bad_records:
                subjects.add_bad_record(supervisor, subject.id, plan.bad_record)
                subject = subject.model_copy(update={"bad_records": 1})
            if plan.key_reason and not subject.key_object:
                subject = subjects.flag_key_object(
                    admin, subject.id, KeyObjectRequest(key_object=True, reason=plan.key_reason)
                )
            self._holdings(supervisor, plan, subject, fresh=found is None)
            if plan.account:
                self._account(admin, plan, subject)
        self.demo.subjects[subject.number] = subject

    def _holdings(self, supervisor: Principal, plan: SubjectPlan, subject: SubjectView, *, fresh: bool) -> None:
        """Bases, products and batches; a subject found from an earlier load gets only what it lacks."""
        have_bases = {} if fresh else {b.name: b for b in subjects.bases(supervisor, subject.id, 200, None).items}
        bases = [have_bases.get(req.name) or subjects.add_base(supervisor, subject.id, req) for req in plan.bases]
        self.demo.bases += bases
        have = {} if fresh else {p.name: p for p in codes.products(supervisor, subject.id, 200, None).items}
        for item in plan.products:
            product = have.get(item.name)
            batches: dict[tuple[str, str], BatchView] = {}
            if product is None:
                product = codes.add_product(
                    supervisor, subject.id, CreateProductRequest(name=item.name, category_code=item.code)
                )
            else:
                batches = {(b.kind, b.produced_at): b for b in codes.batches(supervisor, product.id, 200, None).items}
            self.demo.products.append(product)
            for batch in item.batches:
                made = batches.get((batch.kind, batch.produced_at.replace(tzinfo=None).isoformat()))
                if made is None:
                    req = CreateBatchRequest(
                        kind=batch.kind,
                        quantity=batch.quantity,
                        unit=batch.unit,
                        produced_at=batch.produced_at,
                        base_id=bases[batch.base].id if batch.base is not None else None,
                    )
                    made = codes.add_batch(supervisor, product.id, req)
                self.demo.batches.append(made)

    def _account(self, admin: Principal, plan: SubjectPlan, subject: SubjectView) -> None:
        """The subject's own account (主体账号), with the demo password, listed in the banner."""
        assert plan.account is not None
        req = CreateAccountRequest(
            username=plan.account, name=subject.legal_representative, email=f"{plan.account}@example.cn"
        )
        with contextlib.suppress(AlreadyExistsError):  # opened by an earlier load
            subjects.create_account(admin, subject.id, req)
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=plan.account, Password=PASSWORD, Permanent=True
        )
        region = catalog().get(subject.region)
        self.demo.users[plan.account] = DemoUser(
            plan.account, (Role.SUBJECT.value,), subject.name, subject.region, region.name
        )
        self.demo.accounts[plan.account] = subject.number


def load(pool_id: str) -> Demo:
    """Load (or find, when it is already there) the whole demo; safe to run twice."""
    loader = _Loader(pool_id)
    loader.ministry()
    loader.templates()
    loader.province()
    for city in catalog().children(SHANDONG):
        loader.city(city.code, city.name)
    loader.jiangsu()
    loader.instructions()
    loader.subjects()
    loader.monitoring()
    return loader.demo
