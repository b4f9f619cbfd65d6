"""Statistics (数据统计): counters kept from the stream, per region level and period, and their reads."""
