"""Who may do what: roles, the principal a token stands for, and the one jurisdiction check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .errors import ForbiddenError, NotFoundError


class Role(StrEnum):
    ADMIN = "admin"
    HEAD = "head"
    SUPERVISOR = "supervisor"
    SAMPLER = "sampler"
    LAB_MANAGER = "lab_manager"
    LAB_ANALYST = "lab_analyst"
    ENFORCEMENT_OFFICER = "enforcement_officer"
    MINISTRY_ANALYST = "ministry_analyst"
    DISPATCHER = "dispatcher"
    SUBJECT = "subject"  # a production and operation subject's own account (主体账号)
    INSTRUMENT = "instrument"  # a lab instrument's machine credential (仪器), acting for its lab


class OrgKind(StrEnum):
    SUPERVISION = "supervision"  # 农产品质量安全监管机构
    TESTING = "testing"  # 检测机构
    ENFORCEMENT = "enforcement"  # 执法机构
    MINISTRY = "ministry"  # 农业农村部
    ENTRUSTED_SERVICE = "entrusted_service"  # 受托监管服务机构
    SUBJECT = "subject"  # 生产经营主体: its account acts for the subject itself


# Agencies whose jurisdiction is their region: they see what happens inside it.
GOVERNING_KINDS = frozenset({OrgKind.SUPERVISION, OrgKind.MINISTRY})

# Everyone who works for an agency; a subject's account is not staff.
ALL_ROLES = frozenset(Role) - {Role.SUBJECT, Role.INSTRUMENT}
# Staff and subject accounts alike (each still sees only what the one access check lets through).
SIGNED_IN_ROLES = frozenset(Role) - {Role.INSTRUMENT}


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in person (or machine) and the organisation they act for."""

    user_id: str
    org_id: str
    org_kind: str
    org_region: str
    roles: frozenset[str]
    township: str | None = None
    cert_no: str | None = None
    cert_valid_until: str | None = None

    def has_any(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def governs_region(self) -> bool:
        return self.org_kind in GOVERNING_KINDS

    def to_context(self) -> dict[str, str]:
        """API Gateway authorizer context: flat strings only."""
        return {
            "user_id": self.user_id,
            "org_id": self.org_id,
            "org_kind": self.org_kind,
            "org_region": self.org_region,
            "roles": ",".join(sorted(self.roles)),
            "township": self.township or "",
            "cert_no": self.cert_no or "",
            "cert_valid_until": self.cert_valid_until or "",
        }

    @classmethod
    def from_context(cls, ctx: dict[str, str]) -> Principal:
        return cls(
            user_id=ctx["user_id"],
            org_id=ctx["org_id"],
            org_kind=ctx["org_kind"],
            org_region=ctx["org_region"],
            roles=frozenset(r for r in ctx.get("roles", "").split(",") if r),
            township=ctx.get("township") or None,
            cert_no=ctx.get("cert_no") or None,
            cert_valid_until=ctx.get("cert_valid_until") or None,
        )


def governs(principal: Principal, region: str) -> bool:
    from chalicelib.regions.catalog import contains  # the catalogue module loads with the first check

    return principal.governs_region and contains(principal.org_region, region)


def check_access(principal: Principal, *, region: str | None, parties: Iterable[str] = ()) -> None:
    """The one check every read and write passes.

    A record is open to the organisations that are party to it (owner, assignee) and to the
    governing agencies whose jurisdiction contains its region. Everyone else gets a 404, so a
    record's existence does not leak across jurisdictions.
    """
    if principal.org_id in set(parties):
        return
    if region is not None and governs(principal, region):
        return
    raise NotFoundError("not found in your jurisdiction")


def require_roles(principal: Principal, roles: Iterable[str]) -> None:
    if not principal.has_any(roles):
        raise ForbiddenError("your role does not allow this action")
