"""Daily supervision (日常监管, Art 28-30): on-site inspections by certified officers, evidence samples, entrusted tests."""
