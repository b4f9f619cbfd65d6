"""Risk warnings (风险预警): indicators as data, a nightly job over the counters, warnings delivered and handled."""
