"""Daily supervision (日常监管, Art 28-30): certified officers' on-site inspections, evidence, entrusted tests."""
