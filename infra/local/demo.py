"""Demo data for the local stack: Shandong's real regions, agencies at every level and a user for every role."""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3

from chalicelib.core.access import OrgKind, Principal, Role
from chalicelib.core.errors import AlreadyExistsError
from chalicelib.dispatch import service as dispatch
from chalicelib.dispatch.models import AcknowledgeRequest, InstructionListQuery, SendInstructionRequest
from chalicelib.orgs import bootstrap, service, store
from chalicelib.orgs.models import AgencyView, Certificate, CreateAgencyRequest, CreateUserRequest
from chalicelib.regions.catalog import catalog

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
    "jn-licheng-admin", "jn-licheng-supervisor", "jn-licheng-officer", "js-admin", "js-supervisor",
)  # fmt: skip
INSTRUCTION_TITLE = "关于开展春季农产品质量安全例行监测的通知"


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[str, ...]
    agency: str
    region: str
    region_name: str


@dataclass
class Demo:
    """What the demo holds: agencies by key, users by username, and the instructions it sent."""

    agencies: dict[str, AgencyView] = field(default_factory=dict)
    users: dict[str, DemoUser] = field(default_factory=dict)
    instructions: list[str] = field(default_factory=list)

    def featured(self) -> list[DemoUser]:
        return [self.users[name] for name in FEATURED if name in self.users]


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

    def user(self, creator: str, agency: str, username: str, roles: list[Role], *, cert_prefix: str = "") -> None:
        org = self.demo.agencies[agency]
        cert = None
        if cert_prefix and service.CERTIFIED_ROLES & set(roles):
            self._certs += 1
            cert = Certificate(number=f"{cert_prefix}{org.region}{self._certs:04d}", valid_until=CERT_VALID_UNTIL)
        req = CreateUserRequest(
            username=username,
            name=f"{org.region_name}{'、'.join(ROLE_LABEL[r] for r in roles)}",
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
        self.agency(f"{city}-admin", key, f"{name}农业农村局", OrgKind.SUPERVISION, code)
        self.user(f"{city}-admin", key, f"{key}-admin", [Role.ADMIN])
        self.user(f"{key}-admin", key, f"{key}-supervisor", [Role.SUPERVISOR, Role.SAMPLER], cert_prefix="鲁农执")
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


def load(pool_id: str) -> Demo:
    """Load (or find, when it is already there) the whole demo; safe to run twice."""
    loader = _Loader(pool_id)
    loader.ministry()
    loader.province()
    for city in catalog().children(SHANDONG):
        loader.city(city.code, city.name)
    loader.jiangsu()
    loader.instructions()
    return loader.demo
