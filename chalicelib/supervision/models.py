"""Requests and views of daily supervision (日常监管): officers' inspections, evidence samples, entrusted tests."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from chalicelib.core.models import IsoDay, LongText, Name, Note, PageQuery, Strict, Ulid, VersionedRequest, View
from chalicelib.enforcement.models import Penalty
from chalicelib.inspections.models import InspectionPosition
from chalicelib.subjects.models import CaptureSubjectRequest
from chalicelib.testing.models import ConfigureModelRequest, SampleView

CertNo = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"\S")]
# The national platform's result of an on-site inspection: 合格 compliant, 责令整改 ordered to rectify,
# 不合格 non-compliant (a violation found: evidence is taken and a penalty may follow).
InspectionResult = Literal["compliant", "rectify", "noncompliant"]


class Officer(Strict):
    """An officer (执法人员) on the inspection with the one who sends it, and their certificate (执法证)."""

    name: Name
    cert_no: CertNo


class OfficerView(View):
    """An officer on the inspection: the sender (by user id) or another one present (by name)."""

    user_id: str | None = None
    name: str | None = None
    cert_no: str


class RecordDailyInspectionRequest(Strict):
    """An officer's on-site inspection (现场巡查, Art 28) as the phone made it, sent when it had a signal.

    The subject is named one way: its id, the identity code scanned (身份码), or, for a subject found unregistered,
    what the officer captured on the spot (it is registered as a temporary subject with the first receipt).
    """

    task_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z._-]+$")] | None = (
        Field(default=None, description="the supervision task (监管任务) on the national platform, if any")
    )
    subject_id: Ulid | None = None
    identity_code: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="the subject's identity code as scanned"
    )
    capture: CaptureSubjectRequest | None = Field(
        default=None, description="an unregistered subject found on site (临时主体), captured with this record"
    )
    officers: list[Officer] = Field(
        default_factory=list, max_length=10, description="the other officers present (the sender is always one)"
    )
    done_at: AwareDatetime = Field(description="when the inspection was done, with its offset")
    position: InspectionPosition
    findings: LongText = Field(description="what was found (检查情况)")
    result: InspectionResult
    attachment_ids: list[Ulid] = Field(
        default_factory=list, max_length=50, description="photos and videos the phone made ids for; uploaded later"
    )

    @model_validator(mode="after")
    def _one_subject(self) -> RecordDailyInspectionRequest:
        named = [x for x in (self.subject_id, self.identity_code, self.capture) if x is not None]
        if len(named) != 1:
            raise ValueError("name the subject one way: subject_id, identity_code or capture")
        return self


class DailyFile(View):
    attachment_id: str
    state: Literal["pending", "attached", "quarantined", "missing"]
    content_type: str | None = None


class PenaltyShown(View):
    kind: str
    amount_yuan: str | None = None


class PenaltyView(View):
    """Administrative penalty (行政处罚) the inspection led to, archived with the subject's bad record (不良记录)."""

    case_no: str
    case_name: str
    finding: str
    decision: str
    penalty: PenaltyShown
    decided_on: str
    files: list[str]
    bad_record_id: str | None
    recorded_by: str
    recorded_at: str


class DailyInspectionView(View):
    """On-site inspection record (现场巡查记录) of daily supervision."""

    id: str
    task_id: str | None
    subject_id: str
    subject_name: str
    captured: bool = Field(description="the subject was found unregistered and captured with this record")
    org_id: str = Field(description="the agency of the officer who sent it")
    inspected_by: str
    officers: list[OfficerView] = Field(description="the sender first, with the certificate it held")
    region: str
    done_at: str
    received_at: str
    position: InspectionPosition
    findings: str
    result: InspectionResult
    flags: list[Literal["far_from_bases"]]
    files: list[DailyFile]
    sample_ids: list[str] = Field(description="evidence samples taken (现场抽样取证)")
    penalty: PenaltyView | None = None
    version: int
    updated_at: str


class DailyInspectionSummary(View):
    id: str
    subject_id: str
    subject_name: str
    org_id: str
    done_at: str
    result: InspectionResult
    samples: int
    penalized: bool


class DailyInspectionPage(View):
    items: list[DailyInspectionSummary]
    next_cursor: str | None = None


class DailyInspectionQuery(PageQuery):
    subject_id: Ulid | None = Field(default=None, description="the subject's inspections; else your agency's")


class PenaltyRequest(Strict):
    """Administrative penalty (行政处罚) decided on what the inspection found: archived with the bad record."""

    case_no: Name = Field(description="the case number (案号)")
    case_name: Name = Field(description="the case name (案件名称)")
    finding: LongText = Field(description="the facts found (违法事实)")
    decision: LongText = Field(description="the penalty decision (处罚决定)")
    penalty: Penalty
    decided_on: IsoDay
    files: list[Ulid] = Field(default_factory=list, max_length=10, description="files of the inspection (decision PDF)")


# --- entrusted testing (委托检测, Art 30) ------------------------------------------------------------------------

EntrustedState = Literal["sent", "received", "reported"]


class EntrustTestRequest(Strict):
    """An entrusted testing task (委托检测任务): the officer sends evidence samples to a lab, by the phone's id."""

    inspection_id: Ulid
    lab_org_id: Ulid = Field(description="the testing agency (检测机构) entrusted")
    sample_ids: list[Ulid] = Field(min_length=1, max_length=20, description="evidence samples of the inspection")
    receive_by: IsoDay = Field(description="the lab receives the samples by the end of this day (China time)")
    report_by: IsoDay = Field(description="the lab reports by the end of this day (China time)")
    note: Note | None = None

    @model_validator(mode="after")
    def _order(self) -> EntrustTestRequest:
        if self.report_by < self.receive_by:
            raise ValueError("report_by is on or after receive_by")
        if len(set(self.sample_ids)) != len(self.sample_ids):
            raise ValueError("a sample is named twice")
        return self


class ReceiveEntrustedRequest(ConfigureModelRequest):
    """The lab takes the task (its samples received first, POST /samples/{id}/receipt) with its testing model."""


class EntrustedReportRequest(VersionedRequest):
    attachment_id: Ulid = Field(description="the test report (检测报告), a PDF attached to the entrusted test")


class EntrustedTestView(View):
    """Entrusted testing task (委托检测任务)."""

    id: str
    inspection_id: str
    org_id: str = Field(description="the officer's agency")
    sent_by: str
    lab_org_id: str
    subject_id: str
    region: str
    sample_ids: list[str]
    receive_by: str
    report_by: str
    note: str | None
    state: EntrustedState
    received_at: str | None
    reported_at: str | None
    report_id: str | None = Field(description="the report PDF: GET /attachments/{report_id} for its link")
    unqualified_samples: list[str]
    reminded: list[str] = Field(description="the deadlines the lab was reminded of")
    overdue: list[str] = Field(description="the deadlines missed (the officer's agency was told)")
    case_id: str | None = Field(default=None, description="the enforcement case a failed test opened")
    samples: list[SampleView] = Field(default_factory=list)
    version: int


class EntrustedTestPage(View):
    items: list[EntrustedTestView]
    next_cursor: str | None = None


class EntrustedTestQuery(PageQuery):
    state: EntrustedState | None = None
