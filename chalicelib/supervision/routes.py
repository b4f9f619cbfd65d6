"""Routes for daily supervision (日常监管, Art 28-30): officers' on-site inspections, evidence samples, entrusted
tests and penalties.

The route table, data only: the handlers (api.py) and pydantic models load when one of these routes is first called.
"""

from __future__ import annotations

from chalicelib.core.access import ALL_ROLES, Role
from chalicelib.core.routes import Budget, Table

table = Table("supervision", handlers="chalicelib.supervision.api", models="chalicelib.supervision.models")
# Officers (执法人员): a supervision agency's supervisors, an enforcement agency's officers (the service checks the
# agency's kind and the enforcement certificate).
OFFICERS = {Role.SUPERVISOR, Role.ENFORCEMENT_OFFICER}
LAB = {Role.LAB_MANAGER}
INSPECTION = "/daily-inspections/{inspection_id}"
TEST = "/entrusted-tests/{test_id}"

table.route(
    "PUT",
    INSPECTION,
    "record_inspection",
    roles=OFFICERS,
    summary="Send an officer's on-site inspection (现场巡查) by the phone's id: a resend is harmless",
    body="RecordDailyInspectionRequest",
    response="DailyInspectionView",
    status=201,
    # the record, the subject (or its code, then the subject), its bases, the files named; a capture's sequence
    budget=Budget(reads=6, writes=3),
)

table.route(
    "GET",
    INSPECTION,
    "get_inspection",
    roles=ALL_ROLES,
    summary="One on-site inspection of daily supervision",
    response="DailyInspectionView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/daily-inspections",
    "inspections",
    roles=ALL_ROLES,
    summary="On-site inspections of a subject in your jurisdiction, or your agency's; newest first",
    query="DailyInspectionQuery",
    response="DailyInspectionPage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    f"{INSPECTION}/samples",
    "take_sample",
    roles=OFFICERS,
    summary="Take an evidence sample (现场抽样取证) of the inspected subject, scanned or by hand",
    body="chalicelib.testing.models:CreateSampleRequest",
    response="chalicelib.testing.models:SampleView",
    status=201,
    budget=Budget(reads=4, writes=1),  # the inspection, the sample's id, the code and what it names
)

table.route(
    "GET",
    f"{INSPECTION}/samples",
    "samples",
    roles=ALL_ROLES,
    summary="The evidence samples of an inspection, with custody, results and verdicts",
    response="chalicelib.testing.models:SamplePage",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "POST",
    f"{INSPECTION}/penalty",
    "record_penalty",
    roles=OFFICERS,
    summary="Record the administrative penalty (行政处罚), archived with the subject's bad record",
    body="PenaltyRequest",
    response="DailyInspectionView",
    budget=Budget(reads=4, writes=1),  # the inspection, its files, the subject; then the view's files
)

table.route(
    "PUT",
    TEST,
    "entrust",
    roles=OFFICERS,
    summary="Send evidence samples to a lab for testing (委托检测) by the phone's id: a resend is harmless",
    body="EntrustTestRequest",
    response="EntrustedTestView",
    status=201,
    budget=Budget(reads=4, writes=1),  # the test, the inspection, the lab, the samples
)

table.route(
    "GET",
    TEST,
    "get_test",
    roles=ALL_ROLES,
    summary="One entrusted test, with its samples and, once returned, its report",
    response="EntrustedTestView",
    budget=Budget(reads=2, writes=0),
)

table.route(
    "GET",
    "/entrusted-tests",
    "tests",
    roles=ALL_ROLES,
    summary="Entrusted tests sent to your lab, or sent by your agency's officers",
    query="EntrustedTestQuery",
    response="EntrustedTestPage",
    budget=Budget(reads=1, writes=0),
)

table.route(
    "POST",
    f"{TEST}/receive",
    "receive_test",
    roles=LAB,
    summary="The lab takes the test with its testing model, its samples received (样品接收) first",
    body="ReceiveEntrustedRequest",
    response="EntrustedTestView",
    budget=Budget(reads=4, writes=1),  # the test, its samples, the limit library and editions
)

table.route(
    "POST",
    f"{TEST}/report",
    "report_test",
    roles=LAB,
    summary="The lab returns the test report (检测报告), a PDF attached to the test, to the officer",
    body="EntrustedReportRequest",
    response="EntrustedTestView",
    budget=Budget(reads=4, writes=1),
)
