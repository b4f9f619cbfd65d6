"""The template's EventBridge schedules, run locally: each daily cron rule fires its Lambda at its UTC time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .resources import load_template

_DAILY = re.compile(r"^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$")


@dataclass
class Schedule:
    rule: str
    function: str
    minute: int
    hour: int
    next_at: datetime

    def advance(self, now: datetime) -> None:
        self.next_at = next_fire(self.minute, self.hour, now)


def next_fire(minute: int, hour: int, now: datetime) -> datetime:
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def _snake(logical_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", logical_id).lower()


def schedules(now: datetime | None = None, template: dict[str, Any] | None = None) -> list[Schedule]:
    """Every rule of the template with a daily cron; another expression is an error, not silently skipped."""
    now = now or datetime.now(UTC)
    found = []
    for name, res in (template or load_template())["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] != "AWS::Events::Rule" or "ScheduleExpression" not in props:
            continue
        match = _DAILY.match(props["ScheduleExpression"])
        if not match:
            raise ValueError(f"{name}: the local stack runs daily cron rules only, not {props['ScheduleExpression']}")
        minute, hour = int(match.group(1)), int(match.group(2))
        for target in props["Targets"]:
            function = _snake(target["Arn"]["Fn::GetAtt"][0])
            found.append(Schedule(name, function, minute, hour, next_fire(minute, hour, now)))
    return found


def scheduled_event(rule: str, at: datetime) -> dict[str, Any]:
    """The event EventBridge hands a scheduled target."""
    return {
        "version": "0",
        "id": f"local-{rule}-{at:%Y%m%d%H%M}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"],
        "detail": {},
    }
