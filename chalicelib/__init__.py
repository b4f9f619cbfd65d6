"""agritrace: supervision, monitoring and enforcement on the national traceability platform."""
