"""The local stack fires the template's schedules as EventBridge would."""

from datetime import UTC, datetime

from infra.local.schedules import next_fire, scheduled_event, schedules


def test_the_audit_check_runs_at_two_in_the_morning_china_time():
    schedule = {s.function: s for s in schedules(now=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))}["verify_audit_chains"]
    assert schedule.next_at == datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # 02:00 on 2 March in Beijing
    schedule.advance(datetime(2026, 3, 1, 18, 0, 5, tzinfo=UTC))
    assert schedule.next_at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def test_next_fire_and_event_shape():
    assert next_fire(0, 18, datetime(2026, 3, 1, 18, 0, tzinfo=UTC)) == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    event = scheduled_event("AuditSchedule", datetime(2026, 3, 1, 18, 0, tzinfo=UTC))
    assert event["detail-type"] == "Scheduled Event" and event["time"] == "2026-03-01T18:00:00Z"


def test_the_warning_job_runs_at_half_past_two_china_time_after_the_audit_check():
    found = {s.function: s for s in schedules(now=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))}
    assert found["raise_warnings"].next_at == datetime(2026, 3, 1, 18, 30, tzinfo=UTC)  # 02:30 on 2 March
