"""Benchmarks of agritrace: cold start, AWS calls per route, stream handler throughput. Run `make bench`."""
