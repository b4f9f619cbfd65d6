"""Metrics (CloudWatch EMF, through Powertools): one line per request and per stream batch."""

from __future__ import annotations


def record_request(route: str, status: int, millis: float) -> None:
    """Requests, client errors, server errors and latency, per route."""
    # Loaded on first use: the metrics provider is not needed to import the app.
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    metrics = EphemeralMetrics(namespace="agritrace", service="api")
    metrics.add_dimension(name="route", value=route)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=int(400 <= status < 500))
    metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=int(status >= 500))
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=round(millis, 1))
    metrics.flush_metrics()


def record_stream_batch(records: int, failed: int) -> None:
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    metrics = EphemeralMetrics(namespace="agritrace", service="stream")
    metrics.add_metric(name="StreamRecords", unit=MetricUnit.Count, value=records)
    metrics.add_metric(name="StreamRecordFailures", unit=MetricUnit.Count, value=failed)
    metrics.flush_metrics()
